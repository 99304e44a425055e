//go:build !race

package greenhttp_test

const raceEnabled = false
