//go:build unix && race

package netwrap

// raceEnabled: the race detector is on (stacks and heap objects are
// larger, so memory figures are not comparable).
const raceEnabled = true
