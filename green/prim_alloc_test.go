package green

import (
	"testing"
	"unsafe"

	"github.com/greenrt/green/hub"
)

// TestPrimitivesDoNotAllocate checks the claim of the doc comments: in a
// greenlet of the object's hub, waiting and waking (once the wait lists'
// node pools are warm) allocate nothing.
func TestPrimitivesDoNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	h := primHub(t)
	q1, q2 := NewQueue[int](0), NewQueue[int](0)
	c := new(Channel[int])
	var ev, back Event
	sem := NewSemaphore(0)
	var mu Lock
	for _, b := range []interface{ BindHub(*hub.Hub) error }{q1, q2, c, &ev, &back, sem, &mu} {
		b.BindHub(h)
	}
	// An echo greenlet answers each request, so every round trip parks
	// the test greenlet and the echo once.
	echo := SpawnOn(h, func() {
		for {
			v, err := q1.Get()
			if err != nil {
				return
			}
			switch v {
			case 0:
				q2.Put(v)
			case 1:
				c.Put(v)
			case 2:
				ev.Wait()
				back.Set()
			case 3:
				sem.Release()
			case 4:
				mu.Acquire()
				Yield()
				mu.Release()
			}
		}
	})
	primRun(t, h, func() {
		cases := []struct {
			name string
			fn   func()
		}{
			{"queue fast path", func() { q1.PutNowait(9); q1.GetNowait() }},
			{"queue park and wake", func() { q1.Put(0); q2.Get() }},
			{"channel rendezvous", func() { q1.Put(1); c.Get() }},
			{"event wait and set", func() {
				q1.Put(2)
				Yield()
				ev.Set()
				back.Wait()
				ev.Clear()
				back.Clear()
			}},
			{"semaphore wait", func() { q1.Put(3); sem.Acquire() }},
			{"lock contended", func() { q1.Put(4); Yield(); mu.Acquire(); mu.Release() }},
		}
		for _, tc := range cases {
			tc.fn() // warm the node pools
			n := testing.AllocsPerRun(100, tc.fn)
			t.Logf("%s: %v allocs per run", tc.name, n)
			if n != 0 {
				t.Errorf("%s: %v allocs per run, want 0", tc.name, n)
			}
		}
		q1.Shutdown()
	})
	echo.Join()
}

// A Greenlet and a Task of a value of up to two words are one allocation
// of the same size class (288 bytes): the Task's value is all it adds, its
// function lives in the Greenlet's body field, which then holds the
// Greenlet's value (a Task of a string used to take the 320 class).
func TestTaskSizeClass(t *testing.T) {
	const class = 288
	for name, size := range map[string]uintptr{
		"Greenlet":     unsafe.Sizeof(Greenlet{}),
		"Task[int]":    unsafe.Sizeof(Task[int]{}),
		"Task[string]": unsafe.Sizeof(Task[string]{}),
	} {
		if size > class {
			t.Errorf("%s is %d bytes, more than the %d-byte size class", name, size, class)
		}
	}
}
