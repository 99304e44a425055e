package tests

import (
	"testing"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
)

// 10,000 greenlets on one hub increment a shared counter with no lock and
// no atomic, yielding to each other between increments, and the count is
// exact: only one greenlet of a hub runs at a time and it is switched out
// only where it parks, so counter++ is never interleaved. The same code on
// 10,000 goroutines would be a data race (the race detector would fail
// this test, and increments could be lost).
func TestSharedCounterWithoutLock(t *testing.T) {
	leakCheck(t)
	h, err := hub.New(hub.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Start(); err != nil {
		t.Fatal(err)
	}
	defer h.Stop()

	const greenlets, each = 10000, 10
	counter := 0
	gs := make([]*green.Greenlet, greenlets)
	for i := range gs {
		gs[i] = green.SpawnOn(h, func() {
			for range each {
				counter++     // read, add, write: no switch can happen inside
				green.Yield() // let every other greenlet run in between
			}
		})
	}
	green.JoinAll(gs...)
	for i, g := range gs {
		if err := g.Err(); err != nil {
			t.Fatalf("greenlet %d: %v", i, err)
		}
	}
	// JoinAll from this goroutine synchronizes with the greenlets' ends,
	// so reading counter here is race-free.
	if counter != greenlets*each {
		t.Fatalf("counter = %d, want %d", counter, greenlets*each)
	}
}
