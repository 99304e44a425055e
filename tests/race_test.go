//go:build race

package tests

// raceEnabled tells the examples test to build the examples with -race too.
const raceEnabled = true
