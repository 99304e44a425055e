//go:build unix

package greenhttp_test

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/internal/testutil"
	"github.com/greenrt/green/netwrap/greenhttp"
)

// startProxy runs a small HTTP proxy (net/http): absolute-form requests
// are forwarded, CONNECT opens a tunnel. It records what it saw.
func startProxy(t testing.TB) (addr string, seen func() []string) {
	var mu sync.Mutex
	var log []string
	fwd := &http.Transport{}
	t.Cleanup(fwd.CloseIdleConnections)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		log = append(log, r.Method+" "+r.RequestURI+" auth="+r.Header.Get("Proxy-Authorization"))
		mu.Unlock()
		if r.Method == "CONNECT" {
			up, err := net.Dial("tcp", r.Host)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			w.WriteHeader(200)
			c, brw, err := http.NewResponseController(w).Hijack()
			if err != nil {
				up.Close()
				return
			}
			brw.Flush()
			// Plain copies: between two TCP conns io.Copy would splice
			// through a pipe that package poll caches (two descriptors
			// the leak check would count).
			go func() { io.Copy(struct{ io.Writer }{up}, brw); up.(*net.TCPConn).CloseWrite() }()
			io.Copy(struct{ io.Writer }{c}, struct{ io.Reader }{up})
			c.Close()
			up.Close()
			return
		}
		r.RequestURI = ""
		r.Header.Del("Proxy-Authorization")
		resp, err := fwd.RoundTrip(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	})
	ps := startStdServer(t, h)
	return ps.addr, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), log...)
	}
}

// Proxies: an http target goes as an absolute-form request to the proxy,
// an https one through CONNECT and TLS over the tunnel; the proxy URL's
// user becomes Proxy-Authorization.
func TestClientProxy(t *testing.T) {
	th := testutil.NewHub(t) // first: the proxy's tunnels end before the leak check
	cert, pool := selfSignedCert(t)
	target := startSlowStd(t, 0)
	tlsAddr, _ := startTLSStd(t, cert, 0, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "secret")
	}))
	paddr, seen := startProxy(t)
	pu, _ := url.Parse("http://user:pw@" + paddr)
	c := &http.Client{Transport: newTransport(t, func(tr *greenhttp.Transport) {
		tr.Proxy = http.ProxyURL(pu)
		tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	})}
	inGreenlet(t, th.Hub, func() {
		if code, body, err := greenGet(c, target.url("/via")); err != nil || code != 200 || body != "GET /via 0" {
			t.Errorf("http through the proxy: %d %q %v", code, body, err)
		}
		if code, body, err := greenGet(c, "https://"+tlsAddr+"/tunnel"); err != nil || code != 200 || body != "secret" {
			t.Errorf("https through CONNECT: %d %q %v", code, body, err)
		}
	})
	got := seen()
	auth := "auth=Basic dXNlcjpwdw=="
	if len(got) != 2 || got[0] != "GET "+target.url("/via")+" "+auth || got[1] != "CONNECT "+tlsAddr+" "+auth {
		t.Errorf("proxy saw %q", got)
	}
}

// gzip: asked for and undone transparently, unless DisableCompression.
func TestClientGzip(t *testing.T) {
	srv := startStdServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept-Encoding") != "gzip" {
			fmt.Fprintf(w, "plain, asked %q", r.Header.Get("Accept-Encoding"))
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		io.WriteString(zw, strings.Repeat("squeeze me ", 1000))
		zw.Close()
	}))
	th := testutil.NewHub(t)
	inGreenlet(t, th.Hub, func() {
		c := &http.Client{Transport: newTransport(t)}
		resp, err := c.Get("http://" + srv.addr)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != strings.Repeat("squeeze me ", 1000) || !resp.Uncompressed || resp.Header.Get("Content-Encoding") != "" {
			t.Errorf("gzip: %d bytes, uncompressed %v", len(b), resp.Uncompressed)
		}
		c2 := &http.Client{Transport: newTransport(t, func(tr *greenhttp.Transport) { tr.DisableCompression = true })}
		if _, body, _ := greenGet(c2, "http://"+srv.addr); body != `plain, asked ""` {
			t.Errorf("DisableCompression: %q", body)
		}
	})
}

// queueReader is a request body fed by another greenlet through a green
// queue: reading it parks the writer of the request.
type queueReader struct {
	q   *green.Queue[[]byte]
	buf []byte
}

func (r *queueReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		b, err := r.q.Get()
		if err != nil || b == nil {
			return 0, io.EOF
		}
		r.buf = b
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// A streamed request body (of unknown length, produced by another
// greenlet while the request is written) goes chunked; a GET with a body
// of unknown length is probed in the greenlet.
func TestClientStreamedBody(t *testing.T) {
	srv := startSlowStd(t, 0)
	th := testutil.NewHub(t)
	c := &http.Client{Transport: newTransport(t)}
	inGreenlet(t, th.Hub, func() {
		q := green.NewQueue[[]byte](1)
		green.Spawn(func() {
			for range 100 {
				q.Put([]byte(strings.Repeat("s", 1000)))
				green.Sleep(time.Millisecond / 10)
			}
			q.Put(nil)
		})
		req, _ := http.NewRequest("POST", srv.url("/stream"), &queueReader{q: q})
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != "POST /stream 100000" {
			t.Errorf("streamed: %q", b)
		}
		req, _ = http.NewRequest("GET", srv.url("/probe"), io.NopCloser(strings.NewReader("")))
		req.ContentLength = 0
		if code, body, err := doString(c, req); err != nil || code != 200 || body != "GET /probe 0" {
			t.Errorf("probed empty GET body: %d %q %v", code, body, err)
		}
	})
}

func doString(c *http.Client, req *http.Request) (int, string, error) {
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// Expect: 100-continue: the body goes after the server's 100 (net/http's
// server sends it when the handler reads); a server that answers without
// reading gets no body. The handler takes blockStep before either: the
// client's wait for the answer must park.
func TestClientExpectContinue(t *testing.T) {
	bodies := make(chan int, 10)
	srv := startStdServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(blockStep)
		if r.URL.Path == "/reject" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		b, _ := io.ReadAll(r.Body)
		bodies <- len(b)
	}))
	th := testutil.NewHub(t)
	gt := testutil.StartGapTicker(th.Hub, time.Millisecond)
	c := &http.Client{Transport: newTransport(t, func(tr *greenhttp.Transport) { tr.ExpectContinueTimeout = time.Minute })}
	inGreenlet(t, th.Hub, func() {
		for _, path := range []string{"/accept", "/reject"} {
			sent := false
			body := readerFunc(func(p []byte) (int, error) {
				if sent {
					return 0, io.EOF
				}
				sent = true
				return copy(p, "payload"), nil
			})
			req, _ := http.NewRequest("PUT", "http://"+srv.addr+path, body)
			req.ContentLength = 7
			req.Header.Set("Expect", "100-continue")
			code, _, err := doString(c, req)
			switch {
			case err != nil:
				t.Errorf("%s: %v", path, err)
			case path == "/accept" && (code != 200 || <-bodies != 7):
				t.Errorf("accept: %d", code)
			case path == "/reject" && (code != 401 || sent):
				t.Errorf("reject: %d, body sent %v", code, sent)
			}
		}
	})
	checkGap(t, gt.Stop(), blockStep)
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

// Timeouts and cancellation: ResponseHeaderTimeout, a context cancelled
// while the response is awaited and while the body is read, a killed
// greenlet, and http.Client.Timeout: each ends the request promptly and
// none stalls the hub. Each waits blockStep before it ends the request.
func TestClientTimeoutsAndCancel(t *testing.T) {
	const step, slow = blockStep, 10 * blockStep
	srv := startStdServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/body" {
			w.(http.Flusher).Flush()
		}
		select {
		case <-time.After(slow):
		case <-r.Context().Done():
		}
	}))
	u := "http://" + srv.addr
	th := testutil.NewHub(t)
	gt := testutil.StartGapTicker(th.Hub, time.Millisecond)
	measure := func(name string, want func(error) bool, fn func() error) {
		start := time.Now()
		err := fn()
		if took := time.Since(start); took > slow/2 {
			t.Errorf("%s took %v, the server's answer %v", name, took, slow)
		}
		if !want(err) {
			t.Errorf("%s: %v", name, err)
		}
	}
	isTimeout := func(err error) bool {
		var ne net.Error
		return errors.As(err, &ne) && ne.Timeout()
	}
	inGreenlet(t, th.Hub, func() {
		rht := &http.Client{Transport: newTransport(t, func(tr *greenhttp.Transport) { tr.ResponseHeaderTimeout = step })}
		measure("ResponseHeaderTimeout", isTimeout, func() error { _, _, err := greenGet(rht, u); return err })

		c := &http.Client{Transport: newTransport(t)}
		ctx, cancel := context.WithCancel(context.Background())
		green.Spawn(func() { green.Sleep(step); cancel() })
		req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
		measure("cancel awaiting the header", func(err error) bool { return errors.Is(err, context.Canceled) }, func() error { _, _, err := doString(c, req); return err })

		ctx, cancel = context.WithCancel(context.Background())
		req, _ = http.NewRequestWithContext(ctx, "GET", u+"/body", nil)
		measure("cancel reading the body", func(err error) bool { return errors.Is(err, context.Canceled) }, func() error {
			resp, err := c.Do(req)
			if err != nil {
				return fmt.Errorf("no response: %w", err)
			}
			defer resp.Body.Close()
			green.Spawn(func() { green.Sleep(step); cancel() })
			_, err = io.ReadAll(resp.Body)
			return err
		})

		measure("kill", func(err error) bool { return err == nil }, func() error {
			g := green.Spawn(func() { greenGet(c, u) })
			green.Sleep(step)
			if err := g.Kill(); err != nil {
				return err
			}
			if !g.Killed() {
				return errors.New("not killed")
			}
			return nil
		})

		timed := &http.Client{Transport: newTransport(t), Timeout: step}
		measure("Client.Timeout", func(err error) bool { return isTimeout(err) && strings.Contains(err.Error(), "Client.Timeout") }, func() error {
			_, _, err := greenGet(timed, u)
			return err
		})
		measure("Client.Timeout reading the body", isTimeout, func() error {
			_, _, err := greenGet(timed, u+"/body")
			return err
		})
	})
	checkGap(t, gt.Stop(), step)
}

// DefaultClient from greenlets, with and without Client.Timeout: the
// shape users write (http.Get's). The hub keeps running while each
// request waits blockStep for its answer.
func TestDefaultClientFromGreenlets(t *testing.T) {
	srv := startSlowStd(t, blockStep)
	th := testutil.NewHub(t)
	t.Cleanup(greenhttp.DefaultTransport.CloseIdleConnections)
	gt := testutil.StartGapTicker(th.Hub, time.Millisecond)
	timed := *greenhttp.DefaultClient
	timed.Timeout = 10 * time.Second
	inGreenlet(t, th.Hub, func() {
		var gs []*green.Greenlet
		for i := range 10 {
			c := greenhttp.DefaultClient
			if i%2 == 1 {
				c = &timed
			}
			gs = append(gs, green.Spawn(func() error {
				_, body, err := greenGet(c, srv.url("/d"))
				if err == nil && body != "GET /d 0" {
					err = fmt.Errorf("body %q", body)
				}
				return err
			}))
		}
		gs = append(gs, green.Spawn(func() error {
			resp, err := greenhttp.Get(srv.url("/pkg"))
			if err != nil {
				return err
			}
			return resp.Body.Close()
		}))
		joinAll(t, gs...)
	})
	checkGap(t, gt.Stop(), blockStep)
}

// 101 Switching Protocols hands back the connection as a ReadWriteCloser
// body (what websocket libraries use).
func TestClientSwitchingProtocols(t *testing.T) {
	srv := startStdServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer c.Close()
		shout(brw, "shout")
	}))
	th := testutil.NewHub(t)
	c := &http.Client{Transport: newTransport(t)}
	inGreenlet(t, th.Hub, func() {
		req, _ := http.NewRequest("GET", "http://"+srv.addr, nil)
		req.Header.Set("Upgrade", "shout")
		req.Header.Set("Connection", "Upgrade")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		rwc, ok := resp.Body.(io.ReadWriteCloser)
		if resp.StatusCode != 101 || !ok {
			t.Fatalf("status %d, body %T", resp.StatusCode, resp.Body)
		}
		defer rwc.Close()
		br := bufio.NewReader(rwc)
		for _, w := range []string{"hey\n", "you\n"} {
			io.WriteString(rwc, w)
			if got, _ := br.ReadString('\n'); got != strings.ToUpper(w) {
				t.Errorf("got %q", got)
			}
		}
	})
}

// A kept-alive connection the server closed meanwhile is not used: the
// request goes on a new one.
func TestClientStaleConnection(t *testing.T) {
	srv := startSlowStd(t, 0, func(s *http.Server) { s.IdleTimeout = 30 * time.Millisecond })
	th := testutil.NewHub(t)
	c := &http.Client{Transport: newTransport(t)}
	inGreenlet(t, th.Hub, func() {
		for i := range 3 {
			if _, _, err := greenGet(c, srv.url("/s")); err != nil {
				t.Errorf("request %d: %v", i, err)
			}
			green.Sleep(100 * time.Millisecond)
		}
	})
	if n := srv.conns.Load(); n != 3 {
		t.Errorf("%d connections, want 3 (each idle one closed by the server)", n)
	}
}

// What http.Client adds runs in the greenlet too: redirects and a cookie
// jar.
func TestClientRedirectsAndCookies(t *testing.T) {
	srv := startStdServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/start":
			http.SetCookie(w, &http.Cookie{Name: "k", Value: "v"})
			http.Redirect(w, r, "/next", http.StatusFound)
		case "/next":
			ck, _ := r.Cookie("k")
			fmt.Fprintf(w, "cookie=%v", ck)
		}
	}))
	th := testutil.NewHub(t)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Transport: newTransport(t), Jar: jar}
	inGreenlet(t, th.Hub, func() {
		if _, body, err := greenGet(c, "http://"+srv.addr+"/start"); err != nil || body != "cookie=k=v" {
			t.Errorf("%q %v", body, err)
		}
	})
}

// Errors are net/http's: a bad scheme, no host, a refused connection (a
// *net.OpError), a call from a hub callback (which must not wait).
func TestClientErrors(t *testing.T) {
	th := testutil.NewHub(t)
	tr := newTransport(t)
	c := &http.Client{Transport: tr}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	refused := "http://" + ln.Addr().String()
	ln.Close()
	inGreenlet(t, th.Hub, func() {
		if _, err := c.Get("ftp://x/"); err == nil || !strings.Contains(err.Error(), "unsupported protocol scheme") {
			t.Errorf("ftp: %v", err)
		}
		if _, err := c.Get("http:///path"); err == nil || !strings.Contains(err.Error(), "no Host") {
			t.Errorf("no host: %v", err)
		}
		_, err := c.Get(refused)
		var oe *net.OpError
		if !errors.As(err, &oe) || oe.Op != "dial" {
			t.Errorf("refused: %v", err)
		}
	})
	got := make(chan error, 1)
	th.Post(func() {
		req, _ := http.NewRequest("GET", "http://127.0.0.1:1/", nil)
		_, err := tr.RoundTrip(req)
		got <- err
	})
	if err := <-got; !errors.Is(err, hub.ErrNotCoroutine) {
		t.Errorf("RoundTrip in a hub callback: %v", err)
	}
}

// The greenhttp client and server on one hub: every wait parks. The 50
// handlers sleep blockStep at once: one sleep that blocked the hub would
// show as a gap that long.
func TestClientAndServerOnOneHub(t *testing.T) {
	th := testutil.NewHub(t)
	ts := startServerOn(t, th, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		green.Sleep(blockStep)
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %d", r.URL.Path, len(b))
	}))
	c := &http.Client{Transport: newTransport(t)}
	inGreenlet(t, th.Hub, func() {
		var gs []*green.Greenlet
		for i := range 50 {
			gs = append(gs, green.Spawn(func() error {
				req, _ := http.NewRequest("POST", fmt.Sprintf("%s/%d", ts.url, i), strings.NewReader(strings.Repeat("b", i*1000)))
				code, body, err := doString(c, req)
				if err == nil && (code != 200 || body != fmt.Sprintf("/%d %d", i, i*1000)) {
					err = fmt.Errorf("%d %q", code, body)
				}
				return err
			}))
		}
		joinAll(t, gs...)
	})
	checkGap(t, ts.maxGap(), blockStep)
}
