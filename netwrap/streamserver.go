//go:build unix

package netwrap

import (
	"crypto/tls"
	"errors"
	"net"
	"sync/atomic"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"golang.org/x/sys/unix"
)

// StreamServer is gevent's StreamServer: it accepts connections in a
// greenlet and serves each one in its own handler greenlet, all on one hub.
// Set the fields, then call Start or Serve once; a server cannot be
// restarted. The zero value with a Handler set serves TCP on a port the
// system picks.
//
// When the handler returns, the connection is closed. A handler panic is
// reported to the hub's error handler (with its stack) and ends only that
// handler's connection. Accept errors caused by resource exhaustion
// (EMFILE, ENFILE, ENOBUFS, ENOMEM) make the server back off, sleeping from
// 10 ms doubling up to 1 s, and retry, so that it recovers when descriptors
// free up instead of spinning; other accept errors end Serve.
type StreamServer struct {
	// Handler serves one connection (a *Conn, or a *tls.Conn over one when
	// TLSConfig is set) in its own greenlet. Required.
	Handler func(c net.Conn)

	// Network and Addr say where Start and Serve listen when given a nil
	// listener. Zero values: "tcp" and "127.0.0.1:0".
	Network, Addr string

	// MaxConns bounds the number of handlers running at once; while the
	// bound is reached the server stops accepting (connections wait in the
	// kernel's backlog). Zero value: no bound.
	MaxConns int

	// Backlog is the listen queue length when the server listens itself.
	// Zero value: the system's maximum (as package net).
	Backlog int

	// TLSConfig, if set, makes the server speak TLS: handlers get a
	// *TLSConn (see TLSServer) over the accepted conn, which several
	// greenlets may read and write at once (a *tls.Conn would wedge the
	// hub). The handshake happens on first I/O, in the handler's
	// greenlet. Zero value: plain connections.
	TLSConfig *tls.Config

	// Hub is the hub the server runs on. Zero value: the caller's hub, or
	// hub.Default from a plain goroutine.
	Hub *hub.Hub

	core   serverCore
	addr   atomic.Pointer[net.Addr]
	accept func() (net.Conn, error)
	sleep  func(time.Duration) // backoff sleep; green.Sleep unless a test sets it
}

// Start listens (if ln is nil) and starts accepting in a greenlet; it
// returns at once. ln may be any net.Listener: a *Listener, a listener
// WrapListener accepts, or another one, whose Accept then blocks the hub.
//
// A server starts once: Start (or Serve) on a server that was started or
// stopped fails with ErrServerStarted and leaves it alone. Start fails with
// ErrNoHandler without a Handler (or on a nil server) and with
// hub.ErrStopped on a hub that has stopped. On error, a listener that
// Start opened itself is closed and ln is left to the caller.
func (s *StreamServer) Start(ln net.Listener) error {
	if s == nil || s.Handler == nil {
		return ErrNoHandler
	}
	if err := s.core.reserve(pickHub(s.Hub)); err != nil {
		return err
	}
	accept, closer, addr, err := s.listen(ln)
	if err != nil {
		s.core.unreserve()
		return err
	}
	s.accept = accept
	s.addr.Store(&addr)
	if err := s.core.run(s.MaxConns, closer, s.acceptLoop); err != nil {
		s.addr.Store(nil)
		if ln == nil {
			closer()
		}
		return err
	}
	return nil
}

// listen returns the accept and close functions and the address of ln, or
// of a listener it opens if ln is nil.
func (s *StreamServer) listen(ln net.Listener) (func() (net.Conn, error), func() error, net.Addr, error) {
	if ln == nil {
		network, addr := s.Network, s.Addr
		if network == "" {
			network = "tcp"
		}
		if addr == "" {
			addr = "127.0.0.1:0"
		}
		l, err := listenBacklog(network, addr, s.Backlog)
		if err != nil {
			return nil, nil, nil, err
		}
		ln = l
	}
	if l, err := WrapListener(ln); err == nil {
		return l.Accept, l.Close, l.Addr(), nil
	}
	return ln.Accept, ln.Close, ln.Addr(), nil
}

// Serve is Start followed by waiting until the server stops. It returns
// ErrServerClosed once Stop has finished (its handlers drained), or the
// accept error that ended the serving loop (a net.ErrClosed one if the
// listener was closed by somebody else); the running handlers are then
// left to Stop.
//
// Serve(nil) on a server already started with Start waits for it to stop
// (gevent's serve_forever after start).
func (s *StreamServer) Serve(ln net.Listener) error {
	if ln == nil && s != nil && s.core.started() {
		return s.core.wait()
	}
	if err := s.Start(ln); err != nil {
		return err
	}
	return s.core.wait()
}

// LocalAddr returns the listening address, or nil before Start.
func (s *StreamServer) LocalAddr() net.Addr {
	if s == nil {
		return nil
	}
	if a := s.addr.Load(); a != nil {
		return *a
	}
	return nil
}

// Stop stops accepting, closes the listener, waits up to timeout for the
// running handlers to return and then kills the rest (their connections
// close as they unwind). timeout <= 0 kills them at once. It returns once
// every handler is dead, or fails with ErrStopTimeout if some are still
// running a second after their kill (they recovered it: gevent bounds its
// kill the same way); they are left running. Safe from any goroutine
// except the handlers themselves; Stop before Start makes the server
// unstartable; a second Stop waits for the first.
func (s *StreamServer) Stop(timeout time.Duration) error {
	if s == nil {
		return nil
	}
	return s.core.stop(timeout)
}

// backoff bounds of the accept retry (gevent's min_delay and max_delay).
const (
	acceptMinDelay = 10 * time.Millisecond
	acceptMaxDelay = time.Second
)

func (s *StreamServer) acceptLoop() error {
	sleep := s.sleep
	if sleep == nil {
		sleep = green.Sleep
	}
	var delay time.Duration
	turn := func() (bool, error) {
		s.core.waitRoom()
		c, err := s.accept()
		if err != nil {
			s.core.unusedRoom()
			if s.core.stopped() {
				return true, ErrServerClosed
			}
			if !exhausted(err) {
				return true, err
			}
			if delay == 0 {
				delay = acceptMinDelay
			} else {
				delay = min(2*delay, acceptMaxDelay)
			}
			s.core.h.ReportError(err)
			sleep(delay)
			return false, nil
		}
		delay = 0
		s.spawn(c)
		return false, nil
	}
	for {
		if done, err := s.core.step(turn); done {
			return err
		}
	}
}

// StopAccepting stops accepting new connections without closing the
// listener (they wait in the kernel's backlog) or touching the running
// handlers (gevent's stop_accepting); StartAccepting resumes. Both return
// at once, are safe from any goroutine and do nothing before Start or
// after Stop.
func (s *StreamServer) StopAccepting() {
	if s != nil {
		s.core.pause()
	}
}

// StartAccepting resumes accepting after StopAccepting (gevent's
// start_accepting).
func (s *StreamServer) StartAccepting() {
	if s != nil {
		s.core.resume()
	}
}

// Accepting reports whether the server is running and accepting.
func (s *StreamServer) Accepting() bool { return s != nil && s.core.accepting() }

// spawn starts c's handler greenlet. Its body is one closure with one
// deferred call of one argument, rather than serverCore.spawn's closures
// around a closure: that frame is under every parked handler's stack,
// which should fit the runtime's 2 KiB starting stack (issue 13).
//
// An accepted *Conn is registered with the hub here, on the acceptor's
// stack, rather than by the handler's first call: hub.Register (which
// now and then grows the hub's descriptor table) runs deeper than a
// handler's starting stack has room for, and would double that stack for
// the connection's lifetime. The handler runs on this hub, which its
// first call would bind c to anyway; if the registration fails here, that
// call tries again and reports the error.
func (s *StreamServer) spawn(c net.Conn) {
	if nc, ok := c.(*Conn); ok && nc.ok() {
		nc.s.bind(s.core.h)
	}
	if s.TLSConfig != nil {
		c = TLSServer(c, s.TLSConfig) // a wrapper: the handshake is the handler's
	}
	hc := &handlerConn{s: s, c: c}
	hc.gl = green.NewOn(s.core.h, func() {
		defer hc.done()
		hc.s.Handler(hc.c)
	})
	s.core.track(hc.gl)
}

// handlerConn is one connection's handler greenlet.
type handlerConn struct {
	s  *StreamServer
	gl *green.Greenlet
	c  net.Conn
}

// done closes the connection and ends the handler (see
// serverCore.handlerDone).
func (hc *handlerConn) done() {
	defer hc.s.core.handlerDone(hc.gl) // even if Close panics
	hc.c.Close()
}

// exhausted reports accept errors that mean "out of resources, retry
// later".
func exhausted(err error) bool {
	return errors.Is(err, unix.EMFILE) || errors.Is(err, unix.ENFILE) ||
		errors.Is(err, unix.ENOBUFS) || errors.Is(err, unix.ENOMEM)
}
