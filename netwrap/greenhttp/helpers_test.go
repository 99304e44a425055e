//go:build unix

package greenhttp_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/greenrt/green/internal/testutil"
	"github.com/greenrt/green/netwrap"
	"github.com/greenrt/green/netwrap/greenhttp"
)

// testServer is a greenhttp.Server serving on a private test hub, with
// the hub's gap ticker running.
type testServer struct {
	*greenhttp.Server
	hub   *testutil.Hub
	addr  string
	url   string
	gap   *testutil.GapTicker
	done  chan error
	once  sync.Once
	tlsOn bool
}

// startServer serves h on a new hub and 127.0.0.1; configure may set
// fields of the server before it starts. The server is shut down (and
// leaks checked) when the test ends.
func startServer(t testing.TB, h http.Handler, configure ...func(*greenhttp.Server)) *testServer {
	t.Helper()
	th := testutil.NewHub(t)
	return startServerOn(t, th, h, configure...)
}

func startServerOn(t testing.TB, th *testutil.Hub, h http.Handler, configure ...func(*greenhttp.Server)) *testServer {
	t.Helper()
	srv := &greenhttp.Server{Handler: h, Hub: th.Hub, ErrorLog: log.New(testWriter{t}, "server: ", 0)}
	for _, f := range configure {
		f(srv)
	}
	ln, err := netwrap.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{Server: srv, hub: th, addr: ln.Addr().String(), done: make(chan error, 1)}
	ts.url = "http://" + ts.addr
	ts.gap = testutil.StartGapTicker(th.Hub, time.Millisecond)
	go func() {
		if srv.TLSConfig != nil {
			ts.done <- srv.ServeTLS(ln, "", "")
		} else {
			ts.done <- srv.Serve(ln)
		}
	}()
	if srv.TLSConfig != nil {
		ts.url = "https://" + ts.addr
		ts.tlsOn = true
	}
	t.Cleanup(func() { ts.stop(t) })
	return ts
}

// stop shuts the server down and checks that Serve returned
// http.ErrServerClosed.
func (ts *testServer) stop(t testing.TB) {
	ts.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := ts.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-ts.done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve returned %v, want http.ErrServerClosed", err)
		}
		ts.gap.Stop()
	})
}

// maxGap returns the hub's largest gap so far.
func (ts *testServer) maxGap() time.Duration { return ts.gap.Max() }

// blockStep is how long the tests' blocking steps last (a handler's
// sleep, a server's latency, a client that stays idle): a hub that blocks
// in such a step goes that long without turning, while a loaded machine
// (other packages' tests run in parallel) delays turns by 60-80 ms.
const blockStep = 300 * time.Millisecond

// checkGap fails the test if the hub's largest gap reached half of step,
// the longest blocking step the test made: the hub blocked in it. It logs
// the gap either way, so that -v shows the margin.
func checkGap(t testing.TB, gap, step time.Duration) {
	t.Helper()
	t.Logf("largest gap of the hub %v (blocking step %v)", gap, step)
	if gap > step/2 {
		t.Errorf("hub blocked for %v (the blocking step lasts %v)", gap, step)
	}
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Logf("%s", bytes.TrimRight(p, "\n"))
	return len(p), nil
}

// lingerDelay is how long a server lingers after a half-close before it
// closes a connection with unread input (net/http's rstAvoidanceDelay).
const lingerDelay = 500 * time.Millisecond

// dialRaw connects to addr with a plain socket closed at the end of the
// test.
func dialRaw(t testing.TB, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(20 * time.Second))
	t.Cleanup(func() { c.Close() })
	return c
}

// shout speaks the tests' upgraded protocol on a hijacked connection: it
// answers 101 Switching Protocols to proto, then echoes each line in
// upper case until the peer closes.
func shout(brw *bufio.ReadWriter, proto string) {
	brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: " + proto + "\r\nConnection: Upgrade\r\n\r\n")
	brw.Flush()
	for {
		line, err := brw.ReadString('\n')
		if err != nil {
			return
		}
		brw.WriteString(strings.ToUpper(line))
		brw.Flush()
	}
}

// stdServer serves h with net/http on plain goroutines, the reference
// the wire tests compare with.
type stdServer struct {
	*http.Server
	addr string
	done chan struct{}
}

func startStdServer(t testing.TB, h http.Handler, configure ...func(*http.Server)) *stdServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ErrorLog: log.New(io.Discard, "", 0)}
	for _, f := range configure {
		f(srv)
	}
	ss := &stdServer{Server: srv, addr: ln.Addr().String(), done: make(chan struct{})}
	go func() {
		defer close(ss.done)
		srv.Serve(ln)
	}()
	t.Cleanup(func() {
		srv.Close()
		<-ss.done
	})
	return ss
}

// exchange sends raw request bytes, half-closes, and returns everything
// the server sent until it closed the connection.
func exchange(t testing.TB, addr string, req string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second)) // a hang fails the test instead of the run
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	c.(*net.TCPConn).CloseWrite()
	out, err := io.ReadAll(c)
	if err != nil && !isReset(err) {
		t.Fatalf("reading the answer: %v (after %q)", err, out)
	}
	return string(out)
}

func isReset(err error) bool {
	var oe *net.OpError
	return errors.As(err, &oe) && oe.Op == "read"
}

var dateRE = regexp.MustCompile(`(?m)^Date: [^\r\n]*\r$`)

// normalize replaces what legitimately differs between two runs (the
// Date header's value).
func normalize(s string) string { return dateRE.ReplaceAllString(s, "Date: X\r") }

// selfSignedCert makes a certificate for 127.0.0.1 and localhost, and a
// pool that trusts it.
func selfSignedCert(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{Organization: []string{"greenhttp test"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost", "example.com"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// stdClient returns a net/http client (plain goroutines) for ts, trusting
// its certificate if it speaks TLS, with its idle connections closed at
// the end of the test.
func stdClient(t testing.TB, pool *x509.CertPool) *http.Client {
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: false}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

func get(t testing.TB, c *http.Client, url string) (int, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading body: %v", url, err)
	}
	return resp.StatusCode, string(b)
}
