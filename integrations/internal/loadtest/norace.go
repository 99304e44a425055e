//go:build !race

package loadtest

const (
	raceFactor = 1
	raceRatio  = 1
)
