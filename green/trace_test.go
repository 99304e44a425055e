package green_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/internal/testutil"
)

func TestTracer(t *testing.T) {
	th := testutil.NewHub(t)
	var mu sync.Mutex
	var log []string
	var gl *green.Greenlet
	mine := func(g *green.Greenlet) bool { return g != nil && g == gl }
	add := func(s string) {
		mu.Lock()
		log = append(log, s)
		mu.Unlock()
	}
	var ev green.Event
	ev.BindHub(th.Hub)
	ready := make(chan struct{})
	th.Post(func() {
		old := green.SetTracer(&green.Tracer{
			Spawn: func(g *green.Greenlet) {
				if mine(g) {
					add("spawn")
				}
			},
			Switch: func(from, to *green.Greenlet) {
				if mine(to) {
					add("in")
				}
				if mine(from) {
					add("out")
				}
			},
			Park: func(g *green.Greenlet, what any, op hub.WaitOp) {
				if mine(g) {
					add(fmt.Sprintf("park %v %v", op, what == any(&ev)))
				}
			},
			Death: func(g *green.Greenlet) {
				if mine(g) {
					add("death")
				}
			},
		})
		if old != nil {
			t.Error("a tracer was already installed")
		}
		gl = green.New(func() { ev.Wait() })
		gl.Start()
		close(ready)
	})
	<-ready
	time.Sleep(20 * time.Millisecond)
	ev.Set()
	gl.Join()
	// Join returns at the death; the switch out of the dead greenlet
	// comes a moment later, on the hub: wait for it before uninstalling.
	for i := 0; i < 1000; i++ {
		mu.Lock()
		n := len(log)
		mu.Unlock()
		if n >= 7 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	green.SetTracer(nil)
	mu.Lock()
	defer mu.Unlock()
	want := []string{"spawn", "in", "park wait true", "out", "in", "death", "out"}
	if !slices.Equal(log, want) {
		t.Errorf("events %q, want %q", log, want)
	}
}

// TestTracerPanicIsReported: a panicking tracer does not break the hub.
func TestTracerPanicIsReported(t *testing.T) {
	th := testutil.NewHub(t)
	green.SetTracer(&green.Tracer{Spawn: func(*green.Greenlet) { panic("tracer boom") }})
	var gl *green.Greenlet
	th.Call(func() { gl = green.Spawn(func() {}) })
	green.SetTracer(nil)
	if err := gl.Join(); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, err := range th.Reported() {
		if strings.Contains(err.Error(), "tracer boom") {
			found = true
		}
	}
	if !found {
		t.Errorf("the tracer's panic was not reported: %v", th.Reported())
	}
}
