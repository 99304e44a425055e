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

// raceRatio widens MaxRatio: the race detector slows the hand-offs between
// greenlets and pool goroutines (atomics, channel operations, posts to the
// hub) far more than plain goroutines' code paths: gRPC streams, two
// hand-offs per round trip, measured 1.3x without it and 2.2-2.6x with it.
const raceRatio = 2
