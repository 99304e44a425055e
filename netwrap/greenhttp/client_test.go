//go:build unix

package greenhttp_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/internal/testutil"
	"github.com/greenrt/green/netwrap/greenhttp"
)

// newTransport returns a fresh Transport whose idle connections are
// closed when the test ends (before the leak check).
func newTransport(t testing.TB, configure ...func(*greenhttp.Transport)) *greenhttp.Transport {
	tr := &greenhttp.Transport{}
	for _, f := range configure {
		f(tr)
	}
	t.Cleanup(tr.CloseIdleConnections)
	return tr
}

// inGreenlet runs fn in a greenlet of h and waits for it.
func inGreenlet(t testing.TB, h *hub.Hub, fn func()) {
	t.Helper()
	if err := green.SpawnOn(h, fn).Join(); err != nil {
		t.Fatalf("greenlet: %v", err)
	}
}

// joinAll waits for the greenlets and fails the test with the error of
// each that failed.
func joinAll(t testing.TB, gs ...*green.Greenlet) {
	t.Helper()
	green.JoinAll(gs...)
	for _, g := range gs {
		if err := g.Err(); err != nil {
			t.Error(err)
		}
	}
}

// greenGet does a GET with c and returns status and body.
func greenGet(c *http.Client, url string) (int, string, error) {
	resp, err := c.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// slowStd is a net/http server whose answers come after a delay, and
// which counts the connections it got.
type slowStd struct {
	*stdServer
	conns   atomic.Int32
	active  atomic.Int32
	peak    atomic.Int32
	closed  atomic.Int32
	latency time.Duration
}

func startSlowStd(t testing.TB, latency time.Duration, configure ...func(*http.Server)) *slowStd {
	s := &slowStd{latency: latency}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := s.active.Add(1)
		for p := s.peak.Load(); n > p && !s.peak.CompareAndSwap(p, n); p = s.peak.Load() {
		}
		defer s.active.Add(-1)
		if d := r.URL.Query().Get("sleep"); d != "" {
			dd, _ := time.ParseDuration(d)
			time.Sleep(dd)
		} else {
			time.Sleep(s.latency)
		}
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %s %d", r.Method, r.URL.Path, len(b))
	})
	s.stdServer = startStdServer(t, h, append([]func(*http.Server){func(srv *http.Server) {
		srv.ConnState = func(c net.Conn, st http.ConnState) {
			switch st {
			case http.StateNew:
				s.conns.Add(1)
			case http.StateClosed:
				s.closed.Add(1)
			}
		}
	}}, configure...)...)
	return s
}

func (s *slowStd) url(path string) string { return "http://" + s.addr + path }

// The first complaint: http.Client from 20 greenlets against a
// server answering in 100 ms took 2 s and stalled the hub. With
// greenhttp's Transport the requests overlap (wall time far below the
// n*latency of one after another) and the hub keeps running (its largest
// gap is far below the latency each request waits).
func TestClientGreenletsOverlap(t *testing.T) {
	const n, latency = 20, blockStep
	srv := startSlowStd(t, latency)
	th := testutil.NewHub(t)
	gt := testutil.StartGapTicker(th.Hub, time.Millisecond)
	c := &http.Client{Transport: newTransport(t)}
	var wall time.Duration
	inGreenlet(t, th.Hub, func() {
		start := time.Now()
		gs := make([]*green.Greenlet, n)
		for i := range gs {
			gs[i] = green.Spawn(func() error {
				code, body, err := greenGet(c, srv.url(fmt.Sprintf("/p%d", i)))
				if err == nil && (code != 200 || body != fmt.Sprintf("GET /p%d 0", i)) {
					err = fmt.Errorf("got %d %q", code, body)
				}
				return err
			})
		}
		joinAll(t, gs...)
		wall = time.Since(start)
	})
	if wall > n*latency/4 {
		t.Errorf("%d requests of %v from greenlets took %v: they did not overlap", n, latency, wall)
	}
	checkGap(t, gt.Stop(), latency)
}

// From a plain goroutine the Transport works too, blocking it.
func TestClientFromGoroutine(t *testing.T) {
	srv := startSlowStd(t, 0)
	testutil.CheckLeaks(t)
	c := &http.Client{Transport: newTransport(t)}
	for i := range 3 {
		code, body, err := greenGet(c, srv.url("/g"))
		if err != nil || code != 200 || body != "GET /g 0" {
			t.Fatalf("request %d: %d %q %v", i, code, body, err)
		}
	}
	if n := srv.conns.Load(); n != 1 {
		t.Errorf("%d connections for 3 sequential requests, want 1 (keep-alive)", n)
	}
}

// Keep-alive per host: sequential requests from greenlets reuse one
// connection; a body closed before its end closes its connection, one
// read to the end returns it.
func TestClientKeepAlive(t *testing.T) {
	srv := startSlowStd(t, 0)
	th := testutil.NewHub(t)
	tr := newTransport(t)
	c := &http.Client{Transport: tr}
	inGreenlet(t, th.Hub, func() {
		for range 5 {
			if _, _, err := greenGet(c, srv.url("/k")); err != nil {
				t.Error(err)
			}
		}
		if n := srv.conns.Load(); n != 1 {
			t.Errorf("%d connections for 5 requests, want 1", n)
		}
		resp, err := c.Get(srv.url("/early"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close() // unread: the connection closes
		if _, _, err := greenGet(c, srv.url("/k")); err != nil {
			t.Error(err)
		}
		if n := srv.conns.Load(); n != 2 {
			t.Errorf("%d connections after an early Close, want 2", n)
		}
	})
}

// MaxConnsPerHost: greenlets beyond the bound park until a connection is
// free; at most that many reach the server at once, the hub keeps
// running, and all are served.
func TestClientMaxConnsPerHost(t *testing.T) {
	const latency = blockStep
	srv := startSlowStd(t, latency)
	th := testutil.NewHub(t)
	gt := testutil.StartGapTicker(th.Hub, time.Millisecond)
	c := &http.Client{Transport: newTransport(t, func(tr *greenhttp.Transport) { tr.MaxConnsPerHost = 2 })}
	inGreenlet(t, th.Hub, func() {
		gs := make([]*green.Greenlet, 6)
		for i := range gs {
			gs[i] = green.Spawn(func() error { _, _, err := greenGet(c, srv.url("/m")); return err })
		}
		joinAll(t, gs...)
	})
	if p := srv.peak.Load(); p > 2 {
		t.Errorf("%d requests at once with MaxConnsPerHost 2", p)
	}
	if n := srv.conns.Load(); n > 2 {
		t.Errorf("%d connections with MaxConnsPerHost 2", n)
	}
	checkGap(t, gt.Stop(), latency)
}

// A greenlet waiting for a connection slot gives up when its context
// ends.
func TestClientSlotWaitCancelled(t *testing.T) {
	srv := startSlowStd(t, 300*time.Millisecond)
	th := testutil.NewHub(t)
	c := &http.Client{Transport: newTransport(t, func(tr *greenhttp.Transport) { tr.MaxConnsPerHost = 1 })}
	inGreenlet(t, th.Hub, func() {
		busy := green.Spawn(func() error { _, _, err := greenGet(c, srv.url("/busy")); return err })
		green.Sleep(20 * time.Millisecond)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.url("/waits"), nil)
		_, err := c.Do(req)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("slot wait: %v, want DeadlineExceeded", err)
		}
		if err := busy.Join(); err != nil {
			t.Error(err)
		}
	})
}

// Idle connections beyond MaxIdleConnsPerHost are closed, and so are
// those idle longer than IdleConnTimeout.
func TestClientIdleLimits(t *testing.T) {
	srv := startSlowStd(t, 20*time.Millisecond)
	th := testutil.NewHub(t)
	c := &http.Client{Transport: newTransport(t, func(tr *greenhttp.Transport) {
		tr.MaxIdleConnsPerHost = 1
		tr.IdleConnTimeout = 100 * time.Millisecond
	})}
	inGreenlet(t, th.Hub, func() {
		gs := make([]*green.Greenlet, 3)
		for i := range gs {
			gs[i] = green.Spawn(func() error { _, _, err := greenGet(c, srv.url("/i")); return err })
		}
		green.JoinAll(gs...)
	})
	waitFor(t, "two of three connections closed at once", func() bool { return srv.closed.Load() >= 2 })
	waitFor(t, "the idle one closed after IdleConnTimeout", func() bool { return srv.closed.Load() == 3 })
}

// MaxIdleConns bounds the idle connections across hosts: the least
// recently used goes.
func TestClientMaxIdleConns(t *testing.T) {
	a, b := startSlowStd(t, 0), startSlowStd(t, 0)
	th := testutil.NewHub(t)
	c := &http.Client{Transport: newTransport(t, func(tr *greenhttp.Transport) { tr.MaxIdleConns = 1 })}
	inGreenlet(t, th.Hub, func() {
		for _, u := range []string{a.url("/1"), b.url("/2"), a.url("/3")} {
			if _, _, err := greenGet(c, u); err != nil {
				t.Error(err)
			}
		}
	})
	// a's connection was evicted by b's, so /3 needed a new one.
	if na, nb := a.conns.Load(), b.conns.Load(); na != 2 || nb != 1 {
		t.Errorf("connections: %d to a, %d to b; want 2 and 1", na, nb)
	}
	waitFor(t, "the evicted connections closed", func() bool { return a.closed.Load() == 1 && b.closed.Load() == 1 })
}

// waitFor polls cond (each 5 ms, up to 10 s) and fails the test with what
// if it does not become true.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for i := 0; i < 2000; i++ {
		if cond() {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("timed out waiting until %s", what)
}

// startTLSStd serves h with net/http over TLS (preferring h2 in ALPN,
// which greenhttp must decline), reporting each ClientHello's SNI, and
// answering each ClientHello after helloDelay.
func startTLSStd(t testing.TB, cert tls.Certificate, helloDelay time.Duration, h http.Handler) (addr string, sni chan string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sni = make(chan string, 100)
	srv := &http.Server{Handler: h, TLSConfig: &tls.Config{
		Certificates: []tls.Certificate{cert},
		NextProtos:   []string{"h2", "http/1.1"},
		GetConfigForClient: func(h *tls.ClientHelloInfo) (*tls.Config, error) {
			sni <- h.ServerName
			time.Sleep(helloDelay)
			return nil, nil
		},
	}, ErrorLog: log.New(io.Discard, "", 0)}
	done := make(chan struct{})
	go func() { defer close(done); srv.ServeTLS(ln, "", "") }()
	t.Cleanup(func() { srv.Close(); <-done })
	return ln.Addr().String(), sni
}

// HTTPS: crypto/tls over netwrap, the certificate checked against the
// test's pool, SNI sent, ALPN settled on http/1.1 even when the server
// prefers h2 and the client config offers it, TLS state in the response,
// the connection kept alive. The server takes blockStep to answer each
// ClientHello: the client's handshake must park meanwhile.
func TestClientHTTPS(t *testing.T) {
	cert, pool := selfSignedCert(t)
	addr, sni := startTLSStd(t, cert, blockStep, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %s", r.Proto, r.TLS.NegotiatedProtocol)
	}))
	_, port, _ := net.SplitHostPort(addr)
	th := testutil.NewHub(t)
	gt := testutil.StartGapTicker(th.Hub, time.Millisecond)
	tr := newTransport(t, func(tr *greenhttp.Transport) {
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, NextProtos: []string{"h2", "http/1.1"}}
		tr.TLSHandshakeTimeout = 10 * time.Second
	})
	c := &http.Client{Transport: tr}
	inGreenlet(t, th.Hub, func() {
		for range 3 {
			resp, err := c.Get("https://localhost:" + port + "/")
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(b) != "HTTP/1.1 http/1.1" || resp.TLS == nil || resp.TLS.NegotiatedProtocol != "http/1.1" {
				t.Errorf("got %q, TLS %v", b, resp.TLS)
			}
		}
		if _, err := c.Get("https://127.0.0.2:" + port + "/"); err == nil {
			t.Error("a certificate without 127.0.0.2 was accepted for it")
		}
	})
	if got := <-sni; got != "localhost" {
		t.Errorf("SNI %q", got)
	}
	if len(sni) != 0 && <-sni != "" {
		t.Errorf("more than one handshake for localhost: keep-alive over TLS failed")
	}
	checkGap(t, gt.Stop(), blockStep)
}
