//go:build !race

package netwrap

const raceEnabled = false
