//go:build unix

package netwrap

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
)

// serverCore is what StreamServer and DatagramServer share: the life cycle
// (new, starting, running, stopped), the hub, the accept (or receive)
// greenlet, the set of live handler greenlets, the limit on concurrent
// handlers and Stop.
//
// A server starts once. Start reserves it (reserve) before it opens
// anything, so that a second Start fails with ErrServerStarted without
// touching the running server, then hands it the socket (run). Stop ends
// the loop, closes the socket, drains the handlers within bounds and sets
// done, which Serve waits for.
type serverCore struct {
	mu       sync.Mutex
	state    int // coreNew, coreStarting, coreRunning, coreStopped
	h        *hub.Hub
	loop     *green.Greenlet
	handlers map[*green.Greenlet]struct{}
	closer   func() error // closes the socket

	// room holds one permit per handler that may still start (MaxConns),
	// nil for no limit: the loop takes one before it accepts and each
	// handler gives its own back as it ends.
	room *green.Semaphore

	// done is set once Stop has finished (the handlers are drained).
	done green.Event

	// paused is set by StopAccepting (on the hub); gate is set while the
	// loop may accept, and roomHeld (loop-owned) says the loop holds a
	// permit of room not yet given to a handler (see serverpause.go).
	paused   atomic.Bool
	gate     green.Event
	roomHeld bool
	loopRan  bool // the loop has begun (hub-owned)

	// killWait bounds the wait for killed handlers to die (gevent gives
	// them one second too); zero means killGrace. Tests shorten it.
	killWait time.Duration
}

const (
	coreNew = iota
	coreStarting
	coreRunning
	coreStopped
)

// killGrace is how long Stop waits for killed handlers to die.
const killGrace = time.Second

// pickHub returns the hub a server runs on: the configured one, the
// caller's, or the default hub.
func pickHub(h *hub.Hub) *hub.Hub {
	if h != nil {
		return h
	}
	if _, cur := hub.Current(); cur != nil {
		return cur
	}
	return hub.Default()
}

// reserve claims a new server for a Start on h. It fails with
// ErrServerStarted if the server was started (or stopped) already, and
// with hub.ErrStopped if h has stopped: nothing would ever accept.
func (s *serverCore) reserve(h *hub.Hub) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != coreNew {
		return ErrServerStarted
	}
	if h.Stopped() {
		return hub.ErrStopped
	}
	s.state = coreStarting
	s.h = h
	return nil
}

// unreserve gives back a reservation whose Start failed before run.
func (s *serverCore) unreserve() {
	s.mu.Lock()
	if s.state == coreStarting {
		s.state = coreNew
	}
	s.mu.Unlock()
}

// run spawns the serving loop of a reserved server. It fails, leaving the
// socket to the caller to close, if Stop came first (ErrServerClosed) or
// the hub stopped meanwhile (hub.ErrStopped).
func (s *serverCore) run(max int, closer func() error, loop func() error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != coreStarting {
		return ErrServerClosed // Stop ran during Start
	}
	if err := s.done.BindHub(s.h); err != nil {
		s.state = coreNew
		return err
	}
	if err := s.gate.BindHub(s.h); err != nil {
		s.state = coreNew
		return err
	}
	s.gate.Set()
	if max > 0 {
		s.room = green.NewSemaphore(max)
		if err := s.room.BindHub(s.h); err != nil {
			s.state = coreNew
			return err
		}
	}
	s.closer = closer
	s.handlers = make(map[*green.Greenlet]struct{})
	s.loop = green.SpawnOn(s.h, loop)
	if s.loop.Dead() { // the hub stopped since reserve
		s.state = coreNew
		return s.loop.Err()
	}
	s.state = coreRunning
	return nil
}

// stopped reports whether Stop was called.
func (s *serverCore) stopped() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state == coreStopped
}

// waitRoom parks the serving loop while MaxConns handlers are running,
// taking a permit for the next one. Called on the hub, by the loop; a kill
// (Stop) unwinds it.
func (s *serverCore) waitRoom() {
	if s.room != nil {
		s.room.Acquire()
		s.roomHeld = true
	}
}

// unusedRoom gives back the permit of waitRoom when no handler was
// spawned with it (the accept failed).
func (s *serverCore) unusedRoom() {
	s.roomHeld = false
	if s.room != nil {
		s.room.Release()
	}
}

// spawn runs fn in a new handler greenlet, tracked until it ends. Called
// on the hub, by the loop, after waitRoom.
func (s *serverCore) spawn(fn func()) {
	var gl *green.Greenlet
	gl = green.NewOn(s.h, func() {
		defer s.handlerDone(gl)
		fn()
	})
	s.track(gl)
}

// track starts the handler greenlet gl, tracked until it ends (its body
// calls handlerDone). Called on the hub, by the loop, after waitRoom.
func (s *serverCore) track(gl *green.Greenlet) {
	s.roomHeld = false // the handler gives it back
	s.mu.Lock()
	s.handlers[gl] = struct{}{}
	s.mu.Unlock()
	gl.Start()
}

func (s *serverCore) handlerDone(gl *green.Greenlet) {
	s.mu.Lock()
	delete(s.handlers, gl)
	s.mu.Unlock()
	if s.room != nil {
		s.room.Release()
	}
}

// live returns the number of running handlers.
func (s *serverCore) live() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.handlers)
}

// stop stops the loop and the socket, waits up to timeout for the handlers
// and kills those still running (timeout <= 0 kills them at once), giving
// them killWait to die. It returns the socket's close error, or
// ErrStopTimeout if handlers survived their kill (they are left running).
// A second stop waits for the first to finish.
func (s *serverCore) stop(timeout time.Duration) error {
	s.mu.Lock()
	state := s.state
	s.state = coreStopped
	s.mu.Unlock()
	switch state {
	case coreStopped:
		if s.loop != nil {
			s.done.Wait()
		}
		return nil
	case coreNew, coreStarting:
		return nil // Start, if running, sees the stop and gives up
	}
	defer s.done.Set()
	grace := s.killWait
	if grace <= 0 {
		grace = killGrace
	}
	// Close first: a loop blocked in the Accept of a listener that is
	// not cooperative (it blocks the hub) only returns then.
	err := s.closer()
	s.loop.KillWith(green.KillOptions{Timeout: grace})
	s.mu.Lock()
	hs := make([]*green.Greenlet, 0, len(s.handlers))
	for gl := range s.handlers {
		hs = append(hs, gl)
	}
	s.mu.Unlock()
	if timeout > 0 {
		green.JoinAllWith(green.JoinOptions{Timeout: timeout}, hs...)
	}
	if green.KillAllWith(green.KillOptions{Timeout: grace}, hs...) != nil {
		return ErrStopTimeout
	}
	return err
}

// wait waits for the serving loop to end. After Stop it waits for Stop to
// finish and returns ErrServerClosed; otherwise it returns the error that
// ended the loop (the handlers keep running until Stop).
func (s *serverCore) wait() error {
	err := s.loop.Join()
	if s.stopped() {
		s.done.Wait()
		return ErrServerClosed
	}
	return err
}
