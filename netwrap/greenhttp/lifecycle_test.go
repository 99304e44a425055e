//go:build unix

package greenhttp_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/netwrap/greenhttp"
)

// Shutdown: it stops accepting, closes idle connections at once, lets the
// request in flight finish (answered, then its connection closes) and
// returns after it; Serve returns http.ErrServerClosed.
func TestShutdownGraceful(t *testing.T) {
	const nap = 200 * time.Millisecond
	inHandler := make(chan struct{})
	ts := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			close(inHandler)
			green.Sleep(nap)
		}
		fmt.Fprint(w, "done")
	}))
	idle := stdClient(t, nil)
	get(t, idle, ts.url+"/fast") // leaves an idle connection
	busy := stdClient(t, nil)
	resc := make(chan string, 1)
	go func() {
		_, body := get(t, busy, ts.url+"/slow")
		resc <- body
	}()
	<-inHandler
	start := time.Now()
	err := ts.Shutdown(context.Background())
	took := time.Since(start)
	if err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if body := <-resc; body != "done" {
		t.Errorf("in-flight request got %q", body)
	}
	if took < nap/2 {
		t.Errorf("Shutdown returned after %v, before the %v request in flight ended", took, nap)
	}
	if err := <-ts.done; !errors.Is(err, http.ErrServerClosed) {
		t.Errorf("Serve: %v", err)
	}
	ts.done <- http.ErrServerClosed // for the cleanup's check
	if _, err := net.Dial("tcp", ts.addr); err == nil {
		t.Error("still accepting after Shutdown")
	}
}

// stuckRequest is a request whose handler sleeps for an hour, sent by a
// plain goroutine.
type stuckRequest struct {
	ts        *testServer
	unwound   chan error // the handler's context error, once its deferred calls run
	clientErr chan error // what the client got
}

// startStuckRequest serves the sleeping handler, sends it the request and
// returns once the handler runs.
func startStuckRequest(t *testing.T) *stuckRequest {
	inHandler := make(chan struct{})
	sr := &stuckRequest{unwound: make(chan error, 1), clientErr: make(chan error, 1)}
	sr.ts = startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { sr.unwound <- r.Context().Err() }()
		close(inHandler)
		green.Sleep(time.Hour)
	}))
	c := stdClient(t, nil)
	go func() {
		resp, err := c.Get(sr.ts.url)
		if err == nil {
			resp.Body.Close()
		}
		sr.clientErr <- err
	}()
	<-inHandler
	return sr
}

// Shutdown whose context ends first kills the handlers still running
// (their deferred calls run, their contexts are cancelled) and says so.
func TestShutdownKillsOnDeadline(t *testing.T) {
	sr := startStuckRequest(t)
	ts := sr.ts
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := ts.Shutdown(ctx)
	if !errors.Is(err, greenhttp.ErrShutdownKilled) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown: %v, want ErrShutdownKilled and DeadlineExceeded", err)
	}
	if cerr := <-sr.unwound; cerr == nil {
		t.Error("the killed handler's context was not cancelled")
	}
	if err := <-sr.clientErr; err == nil {
		t.Error("client got an answer from a killed handler")
	}
	<-ts.done
	ts.done <- http.ErrServerClosed
}

// Close stops everything at once: the handler in flight is killed and its
// client gets an error; Serve returns http.ErrServerClosed.
func TestClose(t *testing.T) {
	sr := startStuckRequest(t)
	ts := sr.ts
	if err := ts.Close(); err != nil {
		t.Fatal(err)
	}
	<-sr.unwound
	if err := <-sr.clientErr; err == nil {
		t.Error("client got an answer")
	}
	if err := <-ts.done; !errors.Is(err, http.ErrServerClosed) {
		t.Errorf("Serve: %v", err)
	}
	ts.done <- http.ErrServerClosed
	if err := ts.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		t.Errorf("ListenAndServe after Close: %v", err)
	}
}

// A handler panic goes to the hub's error handler with its stack and
// closes only its connection; http.ErrAbortHandler is silent.
func TestHandlerPanicReported(t *testing.T) {
	ts := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/panic":
			panic("kaboom")
		case "/abort":
			panic(http.ErrAbortHandler)
		}
		fmt.Fprint(w, "fine")
	}))
	c := stdClient(t, nil)
	if _, err := c.Get(ts.url + "/panic"); err == nil {
		t.Error("panicking handler: no error for the client")
	}
	if _, err := c.Get(ts.url + "/abort"); err == nil {
		t.Error("aborted handler: no error for the client")
	}
	if code, body := get(t, c, ts.url+"/"); code != 200 || body != "fine" {
		t.Errorf("after the panics: %d %q", code, body)
	}
	reps := ts.hub.Reported()
	if len(reps) != 1 {
		t.Fatalf("%d errors reported, want 1: %v", len(reps), reps)
	}
	var pe *green.PanicError
	msg := reps[0].Error()
	if !errors.As(reps[0], &pe) || !strings.Contains(msg, "kaboom") || !strings.Contains(msg, "TestHandlerPanicReported") {
		t.Errorf("report %q: want a PanicError with the value and the handler's stack", msg)
	}
}

// Slow clients cannot pin the server: with ReadHeaderTimeout set, 500
// connections that send half a header and stop do not keep normal
// clients from being served, and are closed when their time is up.
func TestSlowlorisDoesNotStarve(t *testing.T) {
	const slow = 500
	const timeout = 2 * time.Second
	ts := startServer(t, http.HandlerFunc(wireHandler), func(s *greenhttp.Server) {
		s.ReadHeaderTimeout = timeout
		s.IdleTimeout = timeout
	})
	conns := make([]net.Conn, slow)
	for i := range conns {
		c, err := net.Dial("tcp", ts.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		io.WriteString(c, "GET /hello HTTP/1.1\r\nHost: x\r\nX-Slow: ")
		conns[i] = c
	}
	start := time.Now()
	c := stdClient(t, nil)
	for i := range 50 {
		if code, _ := get(t, c, ts.url+"/hello"); code != 200 {
			t.Fatalf("request %d: %d", i, code)
		}
		if i%10 == 0 {
			c.CloseIdleConnections() // new connections too
		}
	}
	served := time.Since(start)
	if served > timeout/2 {
		t.Errorf("50 normal requests took %v beside %d slow connections (timeout %v)", served, slow, timeout)
	}
	// The slow connections end at their deadline without an answer.
	for i, sc := range conns {
		sc.SetReadDeadline(time.Now().Add(10 * timeout))
		b, err := io.ReadAll(sc)
		if err != nil || len(b) != 0 {
			t.Fatalf("slow connection %d: read %q, %v; want a close", i, b, err)
		}
	}
	checkGap(t, ts.maxGap(), timeout)
}

// IdleTimeout closes a kept-alive connection that sends nothing; a
// WriteTimeout ends a response that the client does not read.
func TestIdleAndWriteTimeouts(t *testing.T) {
	const idle = 100 * time.Millisecond
	ts := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/flood" {
			chunk := []byte(strings.Repeat("x", 64<<10))
			for {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}
		fmt.Fprint(w, "hi")
	}), func(s *greenhttp.Server) {
		s.IdleTimeout = idle
		s.WriteTimeout = 300 * time.Millisecond
	})
	c := dialRaw(t, ts.addr)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.ReadAll(resp.Body)
	start := time.Now()
	if _, err := br.ReadByte(); err != io.EOF {
		t.Fatalf("idle connection: %v, want EOF", err)
	}
	if waited := time.Since(start); waited < idle/2 {
		t.Errorf("idle connection closed after %v, IdleTimeout is %v", waited, idle)
	}

	f := dialRaw(t, ts.addr)
	io.WriteString(f, "GET /flood HTTP/1.1\r\nHost: x\r\n\r\n")
	time.Sleep(500 * time.Millisecond) // not reading: the server's write blocks, then times out
	n, err := io.Copy(io.Discard, f)
	if err != nil && !isReset(err) {
		t.Fatalf("flood: %v", err)
	}
	if n > 100<<20 {
		t.Errorf("flood went on (%d bytes) despite WriteTimeout", n)
	}
}
