//go:build race

package loadtest

// The race detector makes every greenlet's turn several times longer, and
// a gap with 200 greenlets ready at once is the sum of their turns.
const raceFactor = 2
