//go:build unix

package greenhttp

import (
	"context"
	"crypto/tls"
	"errors"
	"log"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/netwrap"
	"golang.org/x/sys/unix"
)

// Server serves HTTP/1.x on a hub, one greenlet per connection: gevent's
// pywsgi.WSGIServer for any http.Handler. Its fields mean what net/http's
// Server fields of the same names mean; set them before the first Serve
// and do not change them afterwards. The zero value serves
// http.DefaultServeMux on ":http".
//
// Handlers run in the connection's greenlet, so in a handler green.Sleep,
// green primitives and netwrap I/O park the greenlet and let the hub serve
// the other connections, and state shared by the handlers of one server
// needs no lock. A handler must not block on a Go channel, a sync.Mutex
// or time.Sleep (that stalls every connection of the hub); offload truly
// blocking calls (package threadpool).
//
// The wire behaviour is net/http's: requests are parsed by net/http's own
// parser, responses are framed by the same rules (keep-alive, HTTP/1.0,
// pipelining, chunked encoding, Expect: 100-continue, HEAD, 1xx/204/304,
// Content-Type sniffing, Date), and malformed requests get net/http's
// answers byte for byte. HTTP/2 is not served (see the package
// documentation).
//
// A Server runs on one hub: Hub, or else the hub of the greenlet that
// first calls Serve, or hub.Default() when a plain goroutine does.
// Methods are safe from any goroutine.
type Server struct {
	// Addr is the TCP address ListenAndServe listens on. Zero value:
	// ":http" (":https" for ListenAndServeTLS).
	Addr string

	// Handler answers requests. Zero value: http.DefaultServeMux.
	Handler http.Handler

	// DisableGeneralOptionsHandler, if true, passes "OPTIONS *"
	// requests to the Handler; otherwise (zero value) they are answered
	// with 200 and Content-Length: 0, as net/http does.
	DisableGeneralOptionsHandler bool

	// TLSConfig is used by ServeTLS and ListenAndServeTLS (cloned; its
	// NextProtos gets "http/1.1" when empty). Zero value: a default
	// configuration with the certificate files given to them.
	TLSConfig *tls.Config

	// ReadTimeout bounds the reading of a whole request, body included,
	// from its first byte. Zero or negative value: no bound.
	ReadTimeout time.Duration

	// ReadHeaderTimeout bounds the reading of a request's header. Zero
	// value: ReadTimeout's; zero and negative: no bound.
	ReadHeaderTimeout time.Duration

	// WriteTimeout bounds the writing of a response, from the end of
	// its request's header. Zero or negative value: no bound.
	WriteTimeout time.Duration

	// IdleTimeout bounds the wait for the next request on a kept-alive
	// connection. Zero value: ReadTimeout's; zero and negative: no
	// bound.
	IdleTimeout time.Duration

	// MaxHeaderBytes bounds the size of a request's header (request
	// line included); larger ones get 431. Zero value:
	// http.DefaultMaxHeaderBytes (1 MiB).
	MaxHeaderBytes int

	// ConnState, if set, is called (in the connection's greenlet) when a
	// connection changes state; see http.ConnState. Zero value: no
	// hook.
	ConnState func(net.Conn, http.ConnState)

	// ErrorLog receives the server's complaints (accept errors, TLS
	// handshake errors, a superfluous WriteHeader). Zero value: the log
	// package's standard logger. Handler panics go to the hub's error
	// handler instead (hub.Hub.ReportError), with their stack.
	ErrorLog *log.Logger

	// BaseContext returns the base context of the requests that arrive
	// on a listener given to Serve. It must not return nil. Zero value:
	// context.Background().
	BaseContext func(net.Listener) context.Context

	// ConnContext, if set, derives the context of a new connection from
	// the base context. It must not return nil. Zero value: the base
	// context as is.
	ConnContext func(ctx context.Context, c net.Conn) context.Context

	// Hub is the hub the server runs on. Zero value: the hub of the
	// greenlet that first calls Serve, or hub.Default() when that is a
	// plain goroutine.
	Hub *hub.Hub

	// MaxConns bounds the number of connections served at once; while
	// it is reached the server stops accepting (new connections wait in
	// the kernel's backlog), like netwrap.StreamServer. Zero or negative
	// value: no bound.
	MaxConns int

	mu         sync.Mutex
	h          *hub.Hub
	listeners  map[net.Listener]struct{}
	loops      map[*green.Greenlet]struct{} // accept loops
	onShutdown []func()
	inShutdown atomic.Bool
	noKeepAlve atomic.Bool

	// Owned by the hub from the first Serve on.
	conns    map[*conn]struct{}
	sem      *green.Semaphore // MaxConns
	quiesce  []*green.Waiter  // Shutdown waiting for conns to go
	date     dateCache
	freeBufs []*bufSet
}

// ServerContextKey is the context key under which the *Server that
// accepted a request is stored in the request's context (net/http's
// http.ServerContextKey holds an *http.Server, which this is not).
var ServerContextKey = &contextKey{"greenhttp-server"}

type contextKey struct{ name string }

func (k *contextKey) String() string { return "greenhttp context value " + k.name }

// ListenAndServe listens on the TCP address s.Addr and serves it; see
// Serve. It always returns a non-nil error: http.ErrServerClosed after
// Shutdown or Close.
func (s *Server) ListenAndServe() error {
	ln, err := s.listen(":http")
	if err != nil {
		return err
	}
	return s.Serve(ln)
}

// ListenAndServeTLS is ListenAndServe speaking TLS; see ServeTLS.
func (s *Server) ListenAndServeTLS(certFile, keyFile string) error {
	ln, err := s.listen(":https")
	if err != nil {
		return err
	}
	defer ln.Close()
	return s.ServeTLS(ln, certFile, keyFile)
}

// listen listens on the TCP address s.Addr (defaultAddr if it is empty),
// unless the server has been shut down or closed.
func (s *Server) listen(defaultAddr string) (*netwrap.Listener, error) {
	if s.shuttingDown() {
		return nil, http.ErrServerClosed
	}
	addr := s.Addr
	if addr == "" {
		addr = defaultAddr
	}
	return netwrap.Listen("tcp", addr)
}

// ServeTLS is Serve speaking TLS on every accepted connection, with
// s.TLSConfig (cloned) and, if given, the certificate in certFile and
// keyFile (PEM). The handshake runs in the connection's greenlet. Only
// HTTP/1.1 is offered through ALPN.
func (s *Server) ServeTLS(ln net.Listener, certFile, keyFile string) error {
	cfg := &tls.Config{}
	if s.TLSConfig != nil {
		cfg = s.TLSConfig.Clone()
	}
	if len(cfg.NextProtos) == 0 {
		cfg.NextProtos = []string{"http/1.1"}
	}
	if len(cfg.Certificates) == 0 && cfg.GetCertificate == nil && cfg.GetConfigForClient == nil {
		if certFile == "" || keyFile == "" {
			ln.Close()
			return ErrNoCertificate
		}
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			ln.Close()
			return err
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return s.serve(ln, cfg)
}

// Serve accepts connections on ln and serves each in its own greenlet,
// until Shutdown or Close, after which it returns http.ErrServerClosed;
// otherwise it returns the accept error that stopped it. It closes ln
// when it returns.
//
// Called from a greenlet, Serve parks it; from a plain goroutine, it
// blocks it; either way the server's hub does the serving. ln may be any
// net.Listener: a *netwrap.Listener, a package net listener (made
// cooperative with netwrap.WrapListener), or another one, whose Accept
// then runs on a plain goroutine while the accept greenlet waits (and
// whose connections, if they are not sockets, do their I/O the same way:
// correct but slower; prefer ServeTLS to a tls.Listener).
func (s *Server) Serve(ln net.Listener) error { return s.serve(ln, nil) }

func (s *Server) serve(ln net.Listener, tlsCfg *tls.Config) error {
	orig := ln
	var accept func() (net.Conn, error)
	if wl, err := netwrap.WrapListener(ln); err == nil {
		ln, accept = wl, wl.Accept
	} else {
		accept = func() (net.Conn, error) { return offload(ln.Accept, closeConn) }
	}
	defer ln.Close()
	h, err := s.track(ln)
	if err != nil {
		return err
	}
	defer s.untrack(ln)
	base := context.Background()
	if s.BaseContext != nil {
		if base = s.BaseContext(orig); base == nil {
			panic(ErrNilContext)
		}
	}
	ctx := context.WithValue(base, ServerContextKey, s)
	loop := green.NewOn(h, func() error { return s.acceptLoop(ctx, accept, tlsCfg) })
	s.mu.Lock()
	s.loops[loop] = struct{}{}
	s.mu.Unlock()
	loop.Start()
	err = loop.Join()
	s.mu.Lock()
	delete(s.loops, loop)
	s.mu.Unlock()
	if s.shuttingDown() {
		return http.ErrServerClosed
	}
	return err
}

// track registers a listener and binds the server to its hub on the
// first call.
func (s *Server) track(ln net.Listener) (*hub.Hub, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inShutdown.Load() {
		return nil, http.ErrServerClosed
	}
	if s.h == nil {
		h := s.Hub
		if h == nil {
			if _, cur := hub.Current(); cur != nil {
				h = cur
			} else {
				h = hub.Default()
			}
		}
		s.h = h
		s.conns = make(map[*conn]struct{})
		s.listeners = make(map[net.Listener]struct{})
		s.loops = make(map[*green.Greenlet]struct{})
		if s.MaxConns > 0 {
			s.sem = green.NewSemaphore(s.MaxConns)
			s.sem.BindHub(h)
		}
	}
	s.listeners[ln] = struct{}{}
	return s.h, nil
}

func (s *Server) untrack(ln net.Listener) {
	s.mu.Lock()
	delete(s.listeners, ln)
	s.mu.Unlock()
}

// acceptLoop runs in a greenlet on the server's hub.
func (s *Server) acceptLoop(ctx context.Context, accept func() (net.Conn, error), tlsCfg *tls.Config) error {
	var delay time.Duration
	for {
		if s.sem != nil {
			if err := s.sem.Acquire(); err != nil {
				return err
			}
		}
		rw, err := accept()
		if err != nil {
			if s.sem != nil {
				s.sem.Release()
			}
			if s.shuttingDown() {
				return http.ErrServerClosed
			}
			if !retryAccept(err) {
				return err
			}
			if delay == 0 {
				delay = 5 * time.Millisecond
			} else {
				delay = min(2*delay, time.Second)
			}
			s.logf("http: Accept error: %v; retrying in %v", err, delay)
			green.Sleep(delay)
			continue
		}
		delay = 0
		s.startConn(ctx, rw, tlsCfg)
	}
}

// retryAccept reports accept errors after which accepting again later
// may work: out of descriptors or memory, a connection aborted before it
// was accepted (net/http retries its "temporary" errors the same way).
func retryAccept(err error) bool {
	for _, e := range []error{unix.EMFILE, unix.ENFILE, unix.ENOBUFS, unix.ENOMEM, unix.ECONNABORTED, unix.EINTR, unix.EAGAIN} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// startConn starts serving rw in a new greenlet. Called on the hub.
func (s *Server) startConn(ctx context.Context, rw net.Conn, tlsCfg *tls.Config) {
	c := newConn(s, rw, tlsCfg)
	if s.ConnContext != nil {
		if ctx = s.ConnContext(ctx, c.rwc); ctx == nil {
			panic(ErrNilContext)
		}
	}
	s.conns[c] = struct{}{}
	c.gl = green.NewOn(s.h, func() { c.serve(ctx) })
	c.setState(http.StateNew)
	c.gl.Start()
}

// connDone forgets a finished connection. Called on the hub.
func (s *Server) connDone(c *conn) {
	if _, ok := s.conns[c]; !ok {
		return
	}
	delete(s.conns, c)
	if s.sem != nil {
		s.sem.Release()
	}
	if len(s.conns) == 0 {
		for _, w := range s.quiesce {
			w.Wake()
		}
		s.quiesce = s.quiesce[:0]
	}
}

func (s *Server) shuttingDown() bool { return s.inShutdown.Load() }

// doKeepAlives reports whether connections may be kept alive between
// requests (not during shutdown, not after SetKeepAlivesEnabled(false)).
func (s *Server) doKeepAlives() bool { return !s.noKeepAlve.Load() && !s.shuttingDown() }

func (s *Server) logf(format string, args ...any) {
	if s.ErrorLog != nil {
		s.ErrorLog.Printf(format, args...)
	} else {
		log.Printf(format, args...)
	}
}

// maxHeaderBytes returns the header size limit.
func (s *Server) maxHeaderBytes() int {
	if s.MaxHeaderBytes > 0 {
		return s.MaxHeaderBytes
	}
	return http.DefaultMaxHeaderBytes
}

// initialReadLimitSize is how many bytes may be read for a request's
// header (net/http's allowance for bufio's slop included).
func (s *Server) initialReadLimitSize() int64 { return int64(s.maxHeaderBytes()) + 4096 }

func (s *Server) readHeaderTimeout() time.Duration {
	if s.ReadHeaderTimeout != 0 {
		return s.ReadHeaderTimeout
	}
	return s.ReadTimeout
}

func (s *Server) idleTimeout() time.Duration {
	if s.IdleTimeout != 0 {
		return s.IdleTimeout
	}
	return s.ReadTimeout
}

// tlsHandshakeTimeout is the smallest positive of the read and write
// timeouts, as net/http uses.
func (s *Server) tlsHandshakeTimeout() time.Duration {
	var ret time.Duration
	for _, v := range [...]time.Duration{s.ReadHeaderTimeout, s.ReadTimeout, s.WriteTimeout} {
		if v > 0 && (ret == 0 || v < ret) {
			ret = v
		}
	}
	return ret
}

func (s *Server) handler() http.Handler {
	if s.Handler != nil {
		return s.Handler
	}
	return http.DefaultServeMux
}

// closeConn closes a connection an abandoned offloaded Accept returned.
func closeConn(c net.Conn) { c.Close() }
