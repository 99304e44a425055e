//go:build unix && !race

package greenhttp_test

const raceEnabled = false
