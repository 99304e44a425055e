package green

import (
	"testing"
)

func TestLocal(t *testing.T) {
	h := primHub(t)
	var name Local[string]
	counter := Local[*int]{New: func() *int { return new(int) }}
	worker := func(n string) func() (any, error) {
		return func() (any, error) {
			name.Set(n)
			Yield() // let the other greenlet set its own value
			*counter.Get()++
			*counter.Get()++
			v, ok := name.Lookup()
			if !ok {
				return nil, nil
			}
			return v + ":" + string(rune('0'+*counter.Get())), nil
		}
	}
	a, b := SpawnOn(h, worker("a")), SpawnOn(h, worker("b"))
	if v, _ := a.Get(); v != "a:2" {
		t.Error(v)
	}
	if v, _ := b.Get(); v != "b:2" {
		t.Error(v)
	}
	// Dropped when the greenlet dies.
	primRun(t, h, func() {
		g := Spawn(func() {
			name.Set("x")
			if localsOf(Current(), false) == nil {
				t.Error("no storage")
			}
		})
		g.Join()
		if localsOf(g, false) != nil {
			t.Error("locals kept after death")
		}
		if _, ok := name.Lookup(); ok {
			t.Error("value leaked into another greenlet")
		}
		name.Set("y")
		name.Delete()
		if v := name.Get(); v != "" {
			t.Error(v)
		}
	})
	// Plain goroutines have no greenlet.
	if err := name.Set("z"); err != ErrNotGreenlet {
		t.Error(err)
	}
	if _, ok := name.Lookup(); ok {
		t.Error("plain lookup")
	}
	if p := counter.Get(); p == nil || *p != 0 {
		t.Error("plain Get should return New()")
	}
	name.Delete()
}
