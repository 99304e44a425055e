package netwrap

import (
	"sync"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
)

// serverCore is what StreamServer and DatagramServer share: the hub, the
// accept (or receive) greenlet, the set of live handler greenlets, the
// limit on concurrent handlers and Stop.
type serverCore struct {
	mu       sync.Mutex
	state    int // coreNew, coreRunning, coreStopped
	h        *hub.Hub
	loop     *green.Greenlet
	handlers map[*green.Greenlet]struct{}
	closer   func() error // closes the socket

	// Hub-only.
	max     int
	active  int
	waiter  *hub.G // the loop, parked because active == max
	waitSeq uint32
}

const (
	coreNew = iota
	coreRunning
	coreStopped
)

// pick returns the hub a server runs on: the configured one, the caller's,
// or the default hub.
func pickHub(h *hub.Hub) *hub.Hub {
	if h != nil {
		return h
	}
	if _, cur := hub.Current(); cur != nil {
		return cur
	}
	return hub.Default()
}

// start spawns the serving loop on h.
func (s *serverCore) start(h *hub.Hub, max int, closer func() error, loop func() error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != coreNew {
		return ErrServerStarted
	}
	s.state = coreRunning
	s.h, s.max, s.closer = h, max, closer
	s.handlers = make(map[*green.Greenlet]struct{})
	s.loop = green.SpawnOn(h, loop)
	return nil
}

// stopped reports whether Stop was called.
func (s *serverCore) stopped() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state == coreStopped
}

// waitRoom parks the serving loop while max handlers are running.
// Called on the hub, by the loop.
func (s *serverCore) waitRoom() {
	for s.max > 0 && s.active >= s.max {
		g, _ := hub.Current()
		s.waiter, s.waitSeq = g, g.Seq()
		if g.Park(-1) == hub.Interrupted {
			s.waiter = nil
			g.Raise()
		}
	}
}

// spawn runs fn in a new handler greenlet, tracked until it ends. Called
// on the hub, by the loop.
func (s *serverCore) spawn(fn func()) {
	s.active++
	var gl *green.Greenlet
	gl = green.NewOn(s.h, func() {
		defer s.handlerDone(gl)
		fn()
	})
	s.mu.Lock()
	s.handlers[gl] = struct{}{}
	s.mu.Unlock()
	gl.Start()
}

func (s *serverCore) handlerDone(gl *green.Greenlet) {
	s.mu.Lock()
	delete(s.handlers, gl)
	s.mu.Unlock()
	s.active--
	if g := s.waiter; g != nil {
		s.waiter = nil
		g.Wake(s.waitSeq)
	}
}

// stop stops the loop and the socket, waits up to timeout for the handlers
// and kills those still running. timeout <= 0 kills them at once.
func (s *serverCore) stop(timeout time.Duration) error {
	s.mu.Lock()
	if s.state != coreRunning {
		s.state = coreStopped
		s.mu.Unlock()
		return nil
	}
	s.state = coreStopped
	s.mu.Unlock()
	s.loop.Kill()
	err := s.closer()
	s.mu.Lock()
	hs := make([]*green.Greenlet, 0, len(s.handlers))
	for gl := range s.handlers {
		hs = append(hs, gl)
	}
	s.mu.Unlock()
	if timeout > 0 {
		green.JoinAllWith(green.JoinOptions{Timeout: timeout}, hs...)
	}
	green.KillAll(hs...)
	return err
}

// wait waits for the serving loop to end and returns ErrServerClosed after
// Stop, or the error that ended it.
func (s *serverCore) wait() error {
	err := s.loop.Join()
	if s.stopped() {
		return ErrServerClosed
	}
	return err
}
