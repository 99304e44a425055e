package hub

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestTimerHeapRandom(t *testing.T) {
	var h timerHeap
	ts := make([]*Timer, 2000)
	for i := range ts {
		ts[i] = &Timer{when: rand.Int64N(1000), seq: uint32(i)}
		h.push(ts[i])
	}
	// Remove a random third.
	removed := map[*Timer]bool{}
	for _, i := range rand.Perm(len(ts))[:len(ts)/3] {
		h.remove(ts[i])
		removed[ts[i]] = true
	}
	var got []*Timer
	for len(h) > 0 {
		m := h[0]
		h.remove(m)
		got = append(got, m)
	}
	if len(got) != len(ts)-len(removed) {
		t.Fatalf("%d popped", len(got))
	}
	if !slices.IsSortedFunc(got, func(a, b *Timer) int {
		if a.when != b.when {
			return int(a.when - b.when)
		}
		return int(int32(a.seq - b.seq))
	}) {
		t.Fatal("not in (when, seq) order")
	}
	for _, x := range got {
		if removed[x] || x.Active() {
			t.Fatal("removed timer popped, or popped timer active")
		}
	}
}

func TestAfterFuncOrderAndStop(t *testing.T) {
	h := newHub(t, Config{})
	var order []int
	done := make(chan struct{})
	h.Call(func() {
		h.AfterFunc(3*time.Millisecond, func() { order = append(order, 3) })
		stopped := h.AfterFunc(time.Millisecond, func() { order = append(order, -1) })
		for i := 0; i < 3; i++ {
			h.AfterFunc(2*time.Millisecond, func() { order = append(order, 20+i) })
		}
		h.AfterFunc(0, func() { order = append(order, 0) })
		if !h.StopTimer(stopped) || h.StopTimer(stopped) {
			t.Error("StopTimer result")
		}
		h.AfterFunc(5*time.Millisecond, func() { close(done) })
	})
	<-done
	var got []int
	h.Call(func() { got = order })
	if !slices.Equal(got, []int{0, 20, 21, 22, 3}) {
		t.Fatalf("order %v", got)
	}
}

func TestCallbackPanicIsReported(t *testing.T) {
	errs := make(chan error, 1)
	h := newHub(t, Config{ErrorHandler: func(err error) { errs <- err }})
	h.Post(func() { panic("in callback") })
	if err := <-errs; err == nil {
		t.Fatal("no error")
	}
	ok := false
	h.Call(func() { ok = true })
	if !ok {
		t.Fatal("hub died")
	}
}

func TestPostOrderFromManyGoroutines(t *testing.T) {
	h := newHub(t, Config{})
	const writers, each = 4, 500
	last := make([]int, writers)
	bad := 0
	done := make(chan struct{})
	for w := 0; w < writers; w++ {
		go func() {
			for i := 0; i < each; i++ {
				h.Post(func() {
					if last[w] != i {
						bad++
					}
					last[w] = i + 1
				})
			}
			done <- struct{}{}
		}()
	}
	for w := 0; w < writers; w++ {
		<-done
	}
	h.Call(func() {
		if bad != 0 {
			t.Errorf("%d posts out of order", bad)
		}
	})
}

func TestHubOnlyCallsPanicElsewhere(t *testing.T) {
	h := newHub(t, Config{})
	defer func() {
		if r := recover(); r != ErrNotOnHub {
			t.Fatalf("recovered %v", r)
		}
	}()
	h.AfterFunc(time.Second, func() {})
}
