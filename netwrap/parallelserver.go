//go:build unix

package netwrap

import (
	"crypto/tls"
	"errors"
	"net"
	"runtime"
	"sync"
	"time"

	"github.com/greenrt/green/hub"
)

// ParallelServer serves one TCP address from N hubs, one per core: a
// StreamServer on each hub, each with its own listener on the address
// (SO_REUSEPORT, see ListenReusePort), so that every core runs an event
// loop of its own and the hubs share nothing: no accept lock, no hand-off
// of connections between cores, no cross-core wake-up per connection.
//
// Why SO_REUSEPORT rather than one acceptor handing connections out: the
// kernel already spreads connections over the listeners (by a hash of
// their addresses), an accept costs each hub what it costs a single-hub
// server, and a connection lives on the core that accepted it from its
// first byte. One acceptor would post every connection to another hub
// (a cross-core wake-up and a handler spawned from afar), would be a
// bottleneck at high accept rates, and would buy a balance that the
// kernel's hash already gives for many connections. The cost: the spread
// is per connection, not per load (a few long, busy connections may land
// on one hub), and a listener given by the caller cannot be shared this
// way (use StreamServer on it).
//
// Locks: greenlets of one hub never run at the same time, so state that
// only the handlers of one hub touch needs no lock, as with StreamServer.
// Handlers of different hubs do run in parallel, on different cores:
// state shared by all the handlers of a ParallelServer (a counter, a map,
// a cache) needs a sync.Mutex or atomics, exactly as between goroutines,
// or one copy per hub (index it by hub.Current's hub). Hold a Go mutex
// only for a few instructions, never across I/O or another park: a
// greenlet that waits for a Go mutex blocks its whole hub. green's
// primitives (Queue, Lock, Event...) work across hubs and park instead.
//
// Set the fields, then Start or Serve once. The zero value with a Handler
// serves on GOMAXPROCS hubs of its own on a port the system picks.
type ParallelServer struct {
	// Handler serves one connection in its own greenlet, on the hub that
	// accepted it. Required.
	Handler func(c net.Conn)
	// Network and Addr: where to listen. Zero values: "tcp" and
	// "127.0.0.1:0".
	Network, Addr string
	// Hubs is the number of hubs. Zero value: runtime.GOMAXPROCS(0). The
	// server creates them, runs them while it serves and stops them in
	// Stop.
	Hubs int
	// HubConfig configures the hubs it creates. Zero value: hub.Config's.
	HubConfig hub.Config
	// MaxConns bounds the running handlers of each hub (StreamServer's
	// MaxConns). Zero value: no bound.
	MaxConns int
	// Backlog is each listener's accept queue length. Zero value: the
	// system's maximum.
	Backlog int
	// TLSConfig makes the servers speak TLS (see StreamServer).
	TLSConfig *tls.Config

	mu      sync.Mutex
	started bool
	hubs    []*hub.Hub
	servers []*StreamServer
	addr    net.Addr
}

// Start creates the hubs, listens and starts serving; it returns at once.
// It fails with ErrNoHandler without a Handler and with ErrServerStarted on
// a second call; on error nothing is left running.
func (p *ParallelServer) Start() error {
	if p == nil || p.Handler == nil {
		return ErrNoHandler
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.started {
		return ErrServerStarted
	}
	p.started = true
	n := p.Hubs
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	network, addr := p.Network, p.Addr
	if network == "" {
		network = "tcp"
	}
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ls, err := ListenReusePort(network, addr, n)
	if err != nil {
		return err
	}
	if err = p.serveAll(ls); err != nil {
		for _, l := range ls {
			if l != nil {
				l.Close()
			}
		}
		p.stopLocked(0)
		return err
	}
	p.addr = ls0Addr(p.servers)
	return nil
}

// serveAll sets the listeners' backlog and starts a hub and its server on
// each; the servers own the listeners they got (set to nil in ls).
func (p *ParallelServer) serveAll(ls []*Listener) error {
	for _, l := range ls {
		if p.Backlog <= 0 {
			break
		}
		var lerr error
		if err := l.s.rc.Control(func(fd uintptr) { lerr = listenFD(int(fd), p.Backlog) }); err != nil {
			return err
		}
		if lerr != nil {
			return lerr
		}
	}
	for i, l := range ls {
		h, err := hub.New(p.HubConfig)
		if err != nil {
			return err
		}
		p.hubs = append(p.hubs, h)
		if err := h.Start(); err != nil {
			return err
		}
		s := &StreamServer{Handler: p.Handler, MaxConns: p.MaxConns, TLSConfig: p.TLSConfig, Hub: h}
		if err := s.Start(l); err != nil {
			return err
		}
		p.servers = append(p.servers, s)
		ls[i] = nil // the server owns it now
	}
	return nil
}

func ls0Addr(ss []*StreamServer) net.Addr {
	if len(ss) == 0 {
		return nil
	}
	return ss[0].LocalAddr()
}

// Serve is Start followed by waiting until every hub's server has stopped.
// It returns ErrServerClosed after Stop, or the first error that ended a
// hub's serving loop.
func (p *ParallelServer) Serve() error {
	if err := p.Start(); err != nil {
		return err
	}
	p.mu.Lock()
	ss := p.servers
	p.mu.Unlock()
	errs := make(chan error, len(ss))
	for _, s := range ss {
		go func() { errs <- s.core.wait() }()
	}
	var first error
	for range ss {
		if err := <-errs; first == nil || errors.Is(first, ErrServerClosed) {
			first = err
		}
	}
	return first
}

// LocalAddr returns the listening address (every hub's listener has it),
// or nil before Start.
func (p *ParallelServer) LocalAddr() net.Addr {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.addr
}

// NumHubs returns the number of hubs serving (0 before Start).
func (p *ParallelServer) NumHubs() int {
	if p == nil {
		return 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.servers)
}

// Stop stops every hub's server as StreamServer.Stop does (the hubs in
// parallel, each with timeout), then stops the hubs. It returns the first
// error. Safe from any goroutine except the handlers; call it from a
// plain goroutine (it waits for hubs that are not the caller's).
func (p *ParallelServer) Stop(timeout time.Duration) error {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.started = true // a Stop before Start makes the server unstartable
	return p.stopLocked(timeout)
}

func (p *ParallelServer) stopLocked(timeout time.Duration) error {
	errs := make(chan error, len(p.servers))
	for _, s := range p.servers {
		go func() { errs <- s.Stop(timeout) }()
	}
	var first error
	for range p.servers {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	for _, h := range p.hubs {
		h.Stop()
	}
	p.servers, p.hubs = nil, nil
	return first
}
