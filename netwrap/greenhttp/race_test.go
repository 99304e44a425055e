//go:build unix && race

package greenhttp_test

// raceEnabled: the race detector changes frame sizes and memory use.
const raceEnabled = true
