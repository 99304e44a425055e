package green

import (
	"errors"
	"runtime"
	"strings"
	"testing"
)

// A wait from elsewhere (a Join from another hub or a plain goroutine, a
// JoinAll) that began before the greenlet died collects its panic, so the
// panic is not logged as unhandled, even when the greenlet dies before the
// wait's posted link has run on its hub. The order is arranged with hub
// primitives: the greenlet holds its hub (blocked on a Go channel, so the
// hub runs no posts) while a greenlet of another hub joins it and parks;
// a greenlet started after the joiner on that hub (FIFO) then lets the
// greenlet panic, before its hub has seen the joiner's post.
func TestPanicJoinedBeforeLinkRegisteredNotLogged(t *testing.T) {
	ths := newTestHubs(t, 2)
	h, other := ths[0].Hub, ths[1].Hub
	for _, join := range []struct {
		name string
		fn   func(gl *Greenlet) error
	}{
		{"Join", (*Greenlet).Join},
		{"JoinAll", func(gl *Greenlet) error {
			if done := JoinAll(gl); len(done) != 1 {
				t.Errorf("JoinAll returned %d greenlets", len(done))
			}
			return gl.Err()
		}},
	} {
		running, release := make(chan struct{}), make(chan struct{})
		gl := SpawnOn(h, func() {
			close(running)
			<-release // holds h: its loop runs no posts meanwhile
			panic(errBoom)
		})
		<-running
		joined := SpawnOn(other, join.fn, gl)
		SpawnOn(other, func() { close(release) }) // runs once joined parked
		var pe *PanicError
		if err := joined.Join(); !errors.As(err, &pe) || !errors.Is(err, errBoom) {
			t.Errorf("%s: joiner got %v, want the PanicError", join.name, err)
		}
	}
	for _, err := range ths[0].reported() {
		if strings.Contains(err.Error(), "panicked") {
			t.Errorf("logged although joined: %v", err)
		}
	}
}

// The same for a plain goroutine's Join: it raises the greenlet's joiner
// count before posting its link, which the test waits to see (a state, not
// a time) before it lets the greenlet panic on its held hub.
func TestPanicJoinedFromGoroutineBeforeLinkNotLogged(t *testing.T) {
	th := newTestHub(t)
	running, release := make(chan struct{}), make(chan struct{})
	gl := SpawnOn(th.Hub, func() {
		close(running)
		<-release // holds the hub: its loop runs no posts meanwhile
		panic(errBoom)
	})
	<-running
	got := make(chan error, 1)
	go func() { got <- gl.Join() }()
	for gl.joiners.Load() == 0 {
		runtime.Gosched() // the Join has not begun yet
	}
	close(release)
	var pe *PanicError
	if err := <-got; !errors.As(err, &pe) || !errors.Is(err, errBoom) {
		t.Errorf("joiner got %v, want the PanicError", err)
	}
	for _, err := range th.reported() {
		if strings.Contains(err.Error(), "panicked") {
			t.Errorf("logged although joined: %v", err)
		}
	}
}
