//go:build unix

package greenhttp

import (
	"context"
	"errors"
	"net"
	"net/http"
	"runtime"
	"sync"

	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/netwrap"
)

// ParallelServer serves HTTP on one TCP address from N hubs, one per
// core: a Server per hub, configured like Config, each serving its own
// listener on the address (SO_REUSEPORT: the kernel spreads connections
// over them; see netwrap.ParallelServer for why not one acceptor).
//
// Handlers of one hub never run at the same time; handlers of different
// hubs do, on different cores. State that all the handlers share needs a
// sync.Mutex (held briefly, never across I/O: a greenlet waiting for a Go
// mutex blocks its hub) or atomics, or one copy per hub; green's
// primitives work across hubs and park instead of blocking.
type ParallelServer struct {
	// Config holds the servers' settings (Addr, Handler, timeouts,
	// MaxConns per hub, ...); its Hub is ignored and it is not served
	// itself. Required, with a Handler or http.DefaultServeMux.
	Config *Server
	// Hubs is the number of hubs. Zero value: runtime.GOMAXPROCS(0).
	// The server creates them and stops them after Shutdown or Close.
	Hubs int
	// HubConfig configures the hubs. Zero value: hub.Config's.
	HubConfig hub.Config

	mu      sync.Mutex
	started bool
	servers []*Server
	hubs    []*hub.Hub
	addr    net.Addr
}

// clone copies s's settings (not its state) into a new Server on h.
func clone(s *Server, h *hub.Hub) *Server {
	return &Server{
		Addr: s.Addr, Handler: s.Handler, DisableGeneralOptionsHandler: s.DisableGeneralOptionsHandler,
		TLSConfig: s.TLSConfig, ReadTimeout: s.ReadTimeout, ReadHeaderTimeout: s.ReadHeaderTimeout,
		WriteTimeout: s.WriteTimeout, IdleTimeout: s.IdleTimeout, MaxHeaderBytes: s.MaxHeaderBytes,
		ConnState: s.ConnState, ErrorLog: s.ErrorLog, BaseContext: s.BaseContext,
		ConnContext: s.ConnContext, Hub: h, MaxConns: s.MaxConns,
	}
}

// ListenAndServe listens on Config.Addr (":http" if empty) from every hub
// and serves until Shutdown or Close; it then returns
// http.ErrServerClosed, or the first error that ended a hub's serving. A
// second call fails with netwrap.ErrServerStarted.
func (p *ParallelServer) ListenAndServe() error {
	ls, ss, err := p.start()
	if err != nil {
		return err
	}
	errs := make(chan error, len(ss))
	for i, s := range ss {
		go func() { errs <- s.Serve(ls[i]) }()
	}
	var first error
	for range ss {
		if err := <-errs; first == nil || errors.Is(first, http.ErrServerClosed) {
			first = err
		}
	}
	return first
}

func (p *ParallelServer) start() ([]*netwrap.Listener, []*Server, error) {
	if p == nil || p.Config == nil {
		return nil, nil, netwrap.ErrNoHandler
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.started {
		return nil, nil, netwrap.ErrServerStarted
	}
	p.started = true
	n := p.Hubs
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	addr := p.Config.Addr
	if addr == "" {
		addr = ":http"
	}
	ls, err := netwrap.ListenReusePort("tcp", addr, n)
	if err != nil {
		return nil, nil, err
	}
	for range ls {
		var h *hub.Hub
		if h, err = hub.New(p.HubConfig); err == nil {
			p.hubs = append(p.hubs, h)
			err = h.Start()
		}
		if err != nil {
			break
		}
		p.servers = append(p.servers, clone(p.Config, h))
	}
	if err != nil {
		for _, l := range ls {
			l.Close()
		}
		p.stopHubs()
		return nil, nil, err
	}
	p.addr = ls[0].Addr()
	return ls, p.servers, nil
}

// Addr returns the listening address, nil before ListenAndServe.
func (p *ParallelServer) Addr() net.Addr {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.addr
}

// Shutdown shuts every hub's server down gracefully (Server.Shutdown, in
// parallel), then stops the hubs. It returns the first error. Call it from
// a plain goroutine.
func (p *ParallelServer) Shutdown(ctx context.Context) error {
	return p.each(func(s *Server) error { return s.Shutdown(ctx) })
}

// Close closes every hub's server at once (Server.Close), then stops the
// hubs.
func (p *ParallelServer) Close() error {
	return p.each((*Server).Close)
}

func (p *ParallelServer) each(fn func(*Server) error) error {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.started = true // unstartable from now on
	errs := make(chan error, len(p.servers))
	for _, s := range p.servers {
		go func() { errs <- fn(s) }()
	}
	var first error
	for range p.servers {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	p.stopHubs()
	return first
}

func (p *ParallelServer) stopHubs() {
	for _, h := range p.hubs {
		h.Stop()
	}
	p.servers, p.hubs = nil, nil
}
