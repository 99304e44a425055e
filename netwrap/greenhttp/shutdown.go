//go:build unix

package greenhttp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
)

// SetKeepAlivesEnabled controls whether connections are kept alive
// between requests (they are by default). Turning it off makes busy
// connections close after their current response and idle ones close
// now, as with net/http.
func (s *Server) SetKeepAlivesEnabled(v bool) {
	s.noKeepAlve.Store(!v)
	if !v {
		if h := s.hub(); h != nil {
			s.onHub(h, func() { s.closeIdleConns(false) })
		}
	}
}

// RegisterOnShutdown registers f to be called when Shutdown starts, in a
// greenlet of its own on the server's hub (net/http uses a goroutine):
// the place to tell hijacked connections (websockets) to finish. f should
// start that work and return, not wait for it.
func (s *Server) RegisterOnShutdown(f func()) {
	s.mu.Lock()
	s.onShutdown = append(s.onShutdown, f)
	s.mu.Unlock()
}

func (s *Server) hub() *hub.Hub {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.h
}

// onHub runs fn in a greenlet on h and waits for it (parking a greenlet,
// blocking a goroutine).
func (s *Server) onHub(h *hub.Hub, fn func()) {
	g := green.SpawnOn(h, fn)
	g.Join()
}

// beginShutdown marks the server as shutting down, closes its listeners
// and stops its accept loops. It returns the hub (nil if the server never
// served) and the first error closing a listener.
func (s *Server) beginShutdown() (*hub.Hub, []func(), error) {
	s.mu.Lock()
	s.inShutdown.Store(true)
	lns := make([]net.Listener, 0, len(s.listeners))
	for ln := range s.listeners {
		lns = append(lns, ln)
	}
	loops := make([]*green.Greenlet, 0, len(s.loops))
	for g := range s.loops {
		loops = append(loops, g)
	}
	fns := slices.Clone(s.onShutdown)
	h := s.h
	s.mu.Unlock()
	var err error
	for _, ln := range lns {
		if cerr := ln.Close(); cerr != nil && err == nil && !errors.Is(cerr, net.ErrClosed) {
			err = cerr
		}
	}
	for _, g := range loops {
		// An accept loop parked for room (MaxConns) does not see the
		// closed listener.
		g.KillWith(green.KillOptions{NoWait: true})
	}
	return h, fns, err
}

// Shutdown shuts the server down gracefully: it stops accepting (Serve
// returns http.ErrServerClosed), closes idle connections, lets the
// requests in flight finish (their connections close after the
// response) and returns when every connection is done, with the first
// error of closing a listener. If ctx ends first, the connections still
// active are killed (their handlers unwind at their current park, their
// request contexts are cancelled) and Shutdown returns an error matching
// both ErrShutdownKilled and ctx.Err().
//
// A connection that has not sent a byte of its first request is idle
// after 5 seconds (as in net/http). Hijacked connections are not waited
// for; see RegisterOnShutdown. Safe from any goroutine, but a handler
// that calls it waits for its own connection until ctx ends: call it from
// another greenlet.
func (s *Server) Shutdown(ctx context.Context) error {
	h, fns, lnerr := s.beginShutdown()
	if h == nil {
		return lnerr
	}
	for _, f := range fns {
		green.SpawnOn(h, f)
	}
	var err error
	s.onHub(h, func() { err = s.drain(ctx) })
	if err != nil {
		return err
	}
	return lnerr
}

// drain runs in a greenlet on the hub for Shutdown.
func (s *Server) drain(ctx context.Context) error {
	for {
		next := s.closeIdleConns(true)
		if len(s.conns) == 0 {
			return nil
		}
		if err := ctx.Err(); err != nil {
			n := s.killAll(err)
			return fmt.Errorf("%w (%d): %w", ErrShutdownKilled, n, err)
		}
		w := green.NewWaiter()
		s.quiesce = append(s.quiesce, w)
		stop := context.AfterFunc(ctx, w.Wake)
		res := w.Wait(next, nil)
		stop()
		w.Cancel()
		if res == hub.Interrupted {
			w.Raise()
		}
	}
}

// newConnGrace is how long a connection that has not sent a byte counts
// as busy during Shutdown (net/http's 5 seconds).
const newConnGrace = 5 * time.Second

// closeIdleConns closes the connections waiting for a request (and,
// during shutdown, new ones that stayed silent for newConnGrace). It
// returns how long until the next silent connection reaches that age
// (-1: none). Called on the hub.
func (s *Server) closeIdleConns(shutdown bool) time.Duration {
	next := time.Duration(-1)
	now := time.Now()
	for c := range s.conns {
		switch c.state {
		case http.StateIdle:
			c.closeSocket()
		case http.StateNew:
			if !shutdown {
				continue
			}
			if age := now.Sub(c.created); age >= newConnGrace {
				c.closeSocket()
			} else if left := newConnGrace - age; next < 0 || left < next {
				next = left
			}
		}
	}
	return next
}

// killAll cancels every connection's request and kills its greenlet,
// waiting until they are dead, and returns how many there were. Called
// in a greenlet on the hub.
func (s *Server) killAll(cause error) int {
	me := green.Current()
	gs := make([]*green.Greenlet, 0, len(s.conns))
	for c := range s.conns {
		c.abort(cause)
		if c.gl != me {
			gs = append(gs, c.gl)
		}
	}
	green.KillAll(gs...)
	return len(gs)
}

// Close stops the server at once: it closes the listeners (Serve returns
// http.ErrServerClosed) and every connection, cancels the requests in
// flight and kills their greenlets without waiting for them to unwind
// (gevent's stop with no timeout). It returns the first error of closing
// a listener. Hijacked connections are left alone. For a graceful stop,
// use Shutdown.
func (s *Server) Close() error {
	h, _, lnerr := s.beginShutdown()
	if h == nil {
		return lnerr
	}
	s.onHub(h, func() {
		me := green.Current()
		for c := range s.conns {
			c.abort(http.ErrServerClosed)
			if c.gl != me {
				c.gl.KillWith(green.KillOptions{NoWait: true})
			}
		}
	})
	return lnerr
}
