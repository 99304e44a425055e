//go:build race

package loadtest

// The race detector makes every greenlet's turn about five times longer
// (measured: 200 greenlets dialing and handshaking websockets at once gave
// gaps of 20-37 ms without it, 100-145 ms with it), and a gap with 200
// greenlets ready at once is the sum of their turns, not a block. The
// strict bound is checked by the run without the race detector; under it
// the gap check still catches a hub that blocks for a whole round trip
// per operation (and the time ratio and the hang check catch the rest).
const raceFactor = 4
