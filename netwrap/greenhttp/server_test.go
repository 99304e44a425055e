//go:build unix

package greenhttp_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/internal/testutil"
	"github.com/greenrt/green/netwrap"
	"github.com/greenrt/green/netwrap/greenhttp"
	"github.com/greenrt/green/netwrap/greensignal"
)

// waitDone parks the calling greenlet until ctx is done. (A handler must
// not write <-ctx.Done(): a channel receive blocks the whole hub.)
func waitDone(ctx context.Context) { greensignal.WaitContext(ctx) }

// Handlers are greenlets: 20 requests whose handlers sleep (blockStep)
// with green.Sleep overlap on one hub (the wall time is far below the
// n*nap they would take one after another), the hub never stalls
// meanwhile, and a counter they share without a lock is exact (the race
// detector would object to plain goroutines).
func TestHandlersAreGreenlets(t *testing.T) {
	const n, nap = 20, blockStep
	count := 0
	ts := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if green.Current() == nil {
			t.Error("handler is not a greenlet")
		}
		v := count
		green.Sleep(nap)
		count = v + 1 // another handler may have run meanwhile...
		green.Yield()
		fmt.Fprint(w, "ok")
	}))
	c := stdClient(t, nil)
	start := time.Now()
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			if code, body := get(t, c, ts.url); code != 200 || body != "ok" {
				t.Errorf("got %d %q", code, body)
			}
		})
	}
	wg.Wait()
	wall := time.Since(start)
	if wall > n*nap/4 {
		t.Errorf("%d requests sleeping %v each took %v: handlers did not overlap", n, nap, wall)
	}
	checkGap(t, ts.maxGap(), nap)
	stop := green.SpawnOn(ts.hub.Hub, func() int { return count })
	v, _ := stop.Get()
	if v.(int) < 1 || v.(int) > n {
		t.Errorf("count %v", v)
	}
}

// Keep-alive: sequential requests from one client use one connection,
// going New, Active, Idle, Active, Idle..., Closed.
func TestKeepAliveAndConnState(t *testing.T) {
	var mu sync.Mutex
	var states []http.ConnState
	ts := startServer(t, http.HandlerFunc(wireHandler), func(s *greenhttp.Server) {
		s.ConnState = func(c net.Conn, st http.ConnState) {
			mu.Lock()
			states = append(states, st)
			mu.Unlock()
		}
	})
	c := stdClient(t, nil)
	for range 5 {
		if code, body := get(t, c, ts.url+"/hello"); code != 200 || body != "Hello, World!" {
			t.Fatalf("got %d %q", code, body)
		}
	}
	c.CloseIdleConnections()
	ts.stop(t)
	want := "new active idle active idle active idle active idle active idle closed"
	mu.Lock()
	got := strings.ToLower(strings.TrimSpace(strings.ReplaceAll(fmt.Sprint(states), "[", "")))
	mu.Unlock()
	got = strings.TrimSuffix(got, "]")
	if got != want {
		t.Errorf("states %s, want %s", got, want)
	}
}

// Serve works from a greenlet (parking it) as from a plain goroutine, and
// with a listener netwrap cannot wrap (its Accept runs on a goroutine;
// its connections, sockets, are made cooperative).
func TestServeFromGreenletAndForeignListener(t *testing.T) {
	th := testutil.NewHub(t)
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := struct{ net.Listener }{inner} // hides SyscallConn
	srv := &greenhttp.Server{Handler: http.HandlerFunc(wireHandler)}
	served := green.SpawnOn(th.Hub, func() error { return srv.Serve(ln) })
	gt := testutil.StartGapTicker(th.Hub, time.Millisecond)
	// Nothing connects for a while: an Accept that blocked the hub would
	// stop the ticker for all of it.
	const idle = 300 * time.Millisecond
	time.Sleep(idle)
	c := stdClient(t, nil)
	for range 3 {
		if code, body := get(t, c, "http://"+inner.Addr().String()+"/hello"); code != 200 || body != "Hello, World!" {
			t.Fatalf("got %d %q", code, body)
		}
	}
	c.CloseIdleConnections()
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := served.Join(); !errors.Is(err, http.ErrServerClosed) {
		t.Fatalf("Serve returned %v", err)
	}
	checkGap(t, gt.Stop(), idle)
}

// A listener whose connections are not sockets (tls.NewListener's) is
// served too: their I/O runs on goroutines while the greenlet parks.
func TestServeTLSListener(t *testing.T) {
	th := testutil.NewHub(t)
	cert, pool := selfSignedCert(t)
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := tls.NewListener(inner, &tls.Config{Certificates: []tls.Certificate{cert}})
	srv := &greenhttp.Server{Hub: th.Hub, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "tls=%v", r.TLS != nil)
	})}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	c := stdClient(t, pool)
	if code, body := get(t, c, "https://"+inner.Addr().String()+"/"); code != 200 || body != "tls=true" {
		t.Fatalf("got %d %q", code, body)
	}
	c.CloseIdleConnections()
	srv.Shutdown(context.Background())
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		t.Fatal(err)
	}
}

// ServeTLS with a certificate made in the test: requests see their TLS
// state, ALPN says http/1.1, keep-alive works over TLS, and a plain HTTP
// request to the TLS port gets net/http's plain 400. The client waits
// blockStep between connecting and its ClientHello: the server's
// handshake must park meanwhile.
func TestServeTLS(t *testing.T) {
	cert, pool := selfSignedCert(t)
	ts := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %s %v", r.TLS.NegotiatedProtocol, tls.VersionName(r.TLS.Version), r.TLS.HandshakeComplete)
	}), func(s *greenhttp.Server) { s.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}} })
	c := stdClient(t, pool)
	c.Transport.(*http.Transport).TLSClientConfig.NextProtos = []string{"h2", "http/1.1"}
	c.Transport.(*http.Transport).DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		time.Sleep(blockStep)
		return conn, err
	}
	for range 3 {
		code, body := get(t, c, ts.url+"/")
		if code != 200 || body != "http/1.1 TLS 1.3 true" {
			t.Fatalf("got %d %q", code, body)
		}
	}
	plain := exchange(t, ts.addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if want := "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n"; plain != want {
		t.Errorf("plain HTTP to the TLS port: %q, want %q", plain, want)
	}
	checkGap(t, ts.maxGap(), blockStep)
}

// The request's context is cancelled when the client goes away (the
// handler, parked waiting for it, returns), and after the handler
// returns; neither blocks the hub, though the handler waits blockStep
// before the client goes.
func TestRequestContextCancelledWhenClientGoes(t *testing.T) {
	for _, tlsOn := range []bool{false, true} {
		t.Run(fmt.Sprintf("tls=%v", tlsOn), func(t *testing.T) {
			started := make(chan struct{}, 1)
			ended := make(chan error, 1)
			kept := make(chan context.Context, 1)
			cert, pool := selfSignedCert(t)
			ts := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/keep" {
					kept <- r.Context()
					return
				}
				started <- struct{}{}
				waitDone(r.Context())
				ended <- context.Cause(r.Context())
			}), func(s *greenhttp.Server) {
				if tlsOn {
					s.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
				}
			})
			c := stdClient(t, pool)
			ctx, cancel := context.WithCancel(context.Background())
			req, _ := http.NewRequestWithContext(ctx, "GET", ts.url+"/wait", nil)
			errc := make(chan error, 1)
			go func() {
				resp, err := c.Do(req)
				if err == nil {
					resp.Body.Close()
				}
				errc <- err
			}()
			<-started
			time.Sleep(blockStep)
			cancel() // the client closes its connection
			if err := <-ended; err == nil {
				t.Fatal("handler's context not cancelled")
			}
			if err := <-errc; !errors.Is(err, context.Canceled) {
				t.Errorf("client: %v", err)
			}
			get(t, c, ts.url+"/keep")
			if (<-kept).Err() == nil {
				t.Error("context still live after the handler returned")
			}
			checkGap(t, ts.maxGap(), blockStep)
		})
	}
}

// MaxConns bounds the connections served at once: the next one waits in
// the backlog and is served when one ends.
func TestMaxConns(t *testing.T) {
	var active, peak atomic.Int32
	ts := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := active.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		green.Sleep(50 * time.Millisecond)
		active.Add(-1)
		fmt.Fprint(w, "ok")
	}), func(s *greenhttp.Server) { s.MaxConns = 2 })
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			c := stdClient(t, nil)
			c.Transport.(*http.Transport).DisableKeepAlives = true
			if code, _ := get(t, c, ts.url); code != 200 {
				t.Errorf("status %d", code)
			}
		})
	}
	wg.Wait()
	if p := peak.Load(); p != 2 {
		t.Errorf("peak of %d handlers at once with MaxConns 2", p)
	}
}

// Flush streams: the client reads the first part while the handler
// still waits; http.NewResponseController works on greenhttp's writer.
func TestFlushStreamsAndResponseController(t *testing.T) {
	var ev green.Event
	ts := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if err := rc.SetWriteDeadline(time.Now().Add(10 * time.Second)); err != nil {
			t.Errorf("SetWriteDeadline: %v", err)
		}
		if err := rc.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
			t.Errorf("SetReadDeadline: %v", err)
		}
		if err := rc.EnableFullDuplex(); err != nil {
			t.Errorf("EnableFullDuplex: %v", err)
		}
		io.WriteString(w, "part one;")
		if err := rc.Flush(); err != nil {
			t.Errorf("Flush: %v", err)
		}
		ev.Wait()
		io.WriteString(w, "part two")
	}))
	ev.BindHub(ts.hub.Hub)
	c := stdClient(t, nil)
	resp, err := c.Get(ts.url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf := make([]byte, len("part one;"))
	if _, err := io.ReadFull(resp.Body, buf); err != nil || string(buf) != "part one;" {
		t.Fatalf("first part %q, %v", buf, err)
	}
	if len(resp.TransferEncoding) != 1 || resp.TransferEncoding[0] != "chunked" {
		t.Errorf("transfer encoding %v", resp.TransferEncoding)
	}
	ev.Set()
	rest, _ := io.ReadAll(resp.Body)
	if string(rest) != "part two" {
		t.Errorf("rest %q", rest)
	}
}

// Hijack through the ResponseController hands over a cooperative conn:
// the handler speaks its own protocol on it, parking on reads.
func TestHijackCooperativeConn(t *testing.T) {
	ts := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close()
		if _, ok := c.(*netwrap.Conn); !ok {
			t.Errorf("hijacked %T, want *netwrap.Conn", c)
		}
		shout(brw, "echo")
	}))
	c := dialRaw(t, ts.addr)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nhello\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 101 {
		t.Fatalf("%v %v", resp, err)
	}
	if line, _ := br.ReadString('\n'); line != "HELLO\n" {
		t.Errorf("first echo %q", line)
	}
	io.WriteString(c, "again\n")
	if line, _ := br.ReadString('\n'); line != "AGAIN\n" {
		t.Errorf("second echo %q", line)
	}
}

// BaseContext and ConnContext values reach the request's context, with
// the server and the local address; RemoteAddr is the client's.
func TestContextsAndAddrs(t *testing.T) {
	type key struct{}
	gotc := make(chan []string, 1)
	ts := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		gotc <- []string{fmt.Sprint(ctx.Value(key{})), fmt.Sprint(ctx.Value(greenhttp.ServerContextKey) != nil),
			fmt.Sprint(ctx.Value(http.LocalAddrContextKey)), r.RemoteAddr}
	}), func(s *greenhttp.Server) {
		s.BaseContext = func(net.Listener) context.Context { return context.WithValue(context.Background(), key{}, "base") }
		s.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
			return context.WithValue(ctx, key{}, ctx.Value(key{}).(string)+"+conn")
		}
	})
	c := dialRaw(t, ts.addr)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	io.ReadAll(c)
	want := []string{"base+conn", "true", ts.addr, c.LocalAddr().String()}
	if got := <-gotc; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// SetKeepAlivesEnabled(false) answers with Connection: close.
func TestSetKeepAlivesEnabled(t *testing.T) {
	ts := startServer(t, http.HandlerFunc(wireHandler))
	ts.SetKeepAlivesEnabled(false)
	out := exchange(t, ts.addr, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
	if strings.Count(out, "HTTP/1.1 200") != 1 || !strings.Contains(out, "Connection: close") {
		t.Errorf("answer %q", out)
	}
}

// A handler may offload the body read to a plain goroutine (package
// package threadpool does); 100-continue and the response still work.
func TestBodyReadFromGoroutine(t *testing.T) {
	ts := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body []byte
		var err error
		done := green.NewWaiter()
		go func() {
			body, err = io.ReadAll(r.Body)
			done.Wake()
		}()
		done.Wait(-1, nil)
		fmt.Fprintf(w, "%d %v", len(body), err)
	}))
	c := stdClient(t, nil)
	req, _ := http.NewRequest("POST", ts.url, strings.NewReader(strings.Repeat("z", 300<<10)))
	req.Header.Set("Expect", "100-continue")
	c.Transport.(*http.Transport).ExpectContinueTimeout = time.Minute
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != fmt.Sprintf("%d <nil>", 300<<10) {
		t.Errorf("got %q", b)
	}
}

// Serve from a hub callback is refused the way every wait there is.
func TestServeFromCallbackPanics(t *testing.T) {
	th := testutil.NewHub(t)
	ln, _ := netwrap.Listen("tcp", "127.0.0.1:0")
	defer ln.Close()
	got := make(chan any, 1)
	th.Post(func() {
		defer func() { got <- recover() }()
		(&greenhttp.Server{Hub: th.Hub}).Serve(ln)
	})
	if r := <-got; r != hub.ErrNotCoroutine {
		t.Errorf("Serve in a callback: %v", r)
	}
}
