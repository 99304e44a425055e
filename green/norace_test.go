//go:build !race

package green

const raceEnabled = false
