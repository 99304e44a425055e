//go:build unix && !race

package netwrap

const raceEnabled = false
