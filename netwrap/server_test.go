//go:build unix

package netwrap

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"golang.org/x/sys/unix"
)

func echoHandler(c net.Conn) { io.Copy(c, c) }

// echoOnce dials addr, sends msg and checks the echo.
func echoOnce(addr, msg string) error {
	c, err := Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.Write([]byte(msg)); err != nil {
		return err
	}
	b := make([]byte, len(msg))
	if _, err := io.ReadFull(c, b); err != nil {
		return err
	}
	if string(b) != msg {
		return fmt.Errorf("echo %q, want %q", b, msg)
	}
	return nil
}

func TestStreamServerEcho(t *testing.T) {
	checkLeaks(t)
	h := newHub(t)
	srv := &StreamServer{Handler: echoHandler, Hub: h}
	if err := srv.Start(nil); err != nil {
		t.Fatal(err)
	}
	addr := srv.LocalAddr().String()
	inGreenlet(t, h, func() error {
		var gs []*green.Greenlet
		for i := range 50 {
			gs = append(gs, green.Spawn(echoOnce, addr, fmt.Sprintf("hello %d", i)))
		}
		for _, g := range green.JoinAll(gs...) {
			if err := g.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	// From a plain goroutine too.
	if err := echoOnce(addr, "plain"); err != nil {
		t.Fatal(err)
	}
	if err := srv.Stop(time.Second); err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(nil); err != ErrServerStarted {
		t.Fatal(err)
	}
}

func TestStreamServerServeReturnsClosed(t *testing.T) {
	checkLeaks(t)
	h := newHub(t)
	srv := &StreamServer{Handler: echoHandler, Hub: h, Backlog: 16}
	done := make(chan error, 1)
	ln, err := Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { done <- srv.Serve(ln) }()
	if err := echoOnce(ln.Addr().String(), "x"); err != nil {
		t.Fatal(err)
	}
	srv.Stop(time.Second)
	if err := <-done; err != ErrServerClosed {
		t.Fatal(err)
	}
}

func TestStreamServerMaxConns(t *testing.T) {
	checkLeaks(t)
	h := newHub(t)
	active, peak := 0, 0
	srv := &StreamServer{Hub: h, MaxConns: 2, Handler: func(c net.Conn) {
		active++
		peak = max(peak, active)
		defer func() { active-- }()
		io.Copy(c, c)
	}}
	if err := srv.Start(nil); err != nil {
		t.Fatal(err)
	}
	defer srv.Stop(time.Second)
	addr := srv.LocalAddr().String()
	inGreenlet(t, h, func() error {
		var cs []*Conn
		for range 3 {
			c, err := Dial("tcp", addr)
			if err != nil {
				return err
			}
			defer c.Close()
			c.Write([]byte("x"))
			cs = append(cs, c)
		}
		b := make([]byte, 1)
		for i := range 2 {
			if _, err := io.ReadFull(cs[i], b); err != nil {
				return err
			}
		}
		// The third one waits in the backlog: no handler is running
		// for it yet.
		green.Sleep(5 * time.Millisecond)
		if active != 2 {
			return fmt.Errorf("%d handlers active, want 2", active)
		}
		cs[0].Close()
		if _, err := io.ReadFull(cs[2], b); err != nil {
			return err
		}
		if peak != 2 {
			return fmt.Errorf("peak %d handlers, want 2", peak)
		}
		return nil
	})
}

func TestStreamServerStopKillsStragglers(t *testing.T) {
	checkLeaks(t)
	h := newHub(t)
	var killed bool
	srv := &StreamServer{Hub: h, Handler: func(c net.Conn) {
		defer func() {
			if green.Current() != nil {
				killed = true
			}
		}()
		c.Read(make([]byte, 1)) // the client never writes
	}}
	if err := srv.Start(nil); err != nil {
		t.Fatal(err)
	}
	c, err := Dial("tcp", srv.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Make sure the handler runs before stopping.
	c.Write([]byte{})
	inGreenlet(t, h, func() error {
		for srv.core.live() == 0 {
			green.Sleep(time.Millisecond)
		}
		return nil
	})
	if err := srv.Stop(10 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if !killed {
		t.Fatal("handler not killed")
	}
	// The server closed the conn as the handler unwound.
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("client read %v, want EOF", err)
	}
}

func TestStreamServerHandlerPanic(t *testing.T) {
	checkLeaks(t)
	var mu sync.Mutex
	var reported []error
	h, err := hub.New(hub.Config{ErrorHandler: func(err error) {
		mu.Lock()
		reported = append(reported, err)
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	h.Start()
	defer h.Stop()
	srv := &StreamServer{Hub: h, Handler: func(c net.Conn) {
		b := make([]byte, 5)
		io.ReadFull(c, b)
		if string(b) == "panic" {
			panic("handler boom")
		}
		c.Write(b)
		io.Copy(c, c)
	}}
	if err := srv.Start(nil); err != nil {
		t.Fatal(err)
	}
	defer srv.Stop(time.Second)
	addr := srv.LocalAddr().String()
	good, err := Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer good.Close()
	bad, err := Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	bad.Write([]byte("panic"))
	if _, err := bad.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("panicking handler's conn: %v, want EOF", err)
	}
	if err := echoOnce(addr, "hello"); err != nil {
		t.Fatal(err)
	}
	good.Write([]byte("fine!"))
	b := make([]byte, 5)
	if _, err := io.ReadFull(good, b); err != nil || string(b) != "fine!" {
		t.Fatal(err, b)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reported) != 1 || !strings.Contains(reported[0].Error(), "handler boom") {
		t.Fatalf("reported %v", reported)
	}
}

// flakyListener fails its first n accepts with EMFILE.
type flakyListener struct {
	net.Listener
	n int
}

func (l *flakyListener) Accept() (net.Conn, error) {
	if l.n > 0 {
		l.n--
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: fmt.Errorf("accept4: %w", unix.EMFILE)}
	}
	return l.Listener.Accept()
}

func TestStreamServerAcceptBackoff(t *testing.T) {
	checkLeaks(t)
	h, err := hub.New(hub.Config{ErrorHandler: func(error) {}})
	if err != nil {
		t.Fatal(err)
	}
	h.Start()
	defer h.Stop()
	ln, err := Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var delays []time.Duration
	srv := &StreamServer{Hub: h, Handler: echoHandler}
	srv.sleep = func(d time.Duration) { delays = append(delays, d); green.Sleep(0) }
	if err := srv.Start(&flakyListener{Listener: ln, n: 9}); err != nil {
		t.Fatal(err)
	}
	defer srv.Stop(time.Second)
	inGreenlet(t, h, func() error { return echoOnce(ln.Addr().String(), "after EMFILE") })
	want := []time.Duration{10, 20, 40, 80, 160, 320, 640, 1000, 1000}
	if len(delays) != len(want) {
		t.Fatalf("delays %v", delays)
	}
	for i, d := range want {
		if delays[i] != d*time.Millisecond {
			t.Fatalf("delays %v", delays)
		}
	}
}

func TestStreamServerRecoversFromEMFILE(t *testing.T) {
	// Real descriptor exhaustion needs a lower RLIMIT_NOFILE for the
	// whole process, which other tests would feel: long mode only.
	if testing.Short() {
		t.Skip("lowers the process's descriptor limit")
	}
	var lim unix.Rlimit
	unix.Getrlimit(unix.RLIMIT_NOFILE, &lim)
	defer unix.Setrlimit(unix.RLIMIT_NOFILE, &lim)
	h, err := hub.New(hub.Config{ErrorHandler: func(error) {}})
	if err != nil {
		t.Fatal(err)
	}
	h.Start()
	defer h.Stop()
	srv := &StreamServer{Hub: h, Handler: echoHandler}
	if err := srv.Start(nil); err != nil {
		t.Fatal(err)
	}
	defer srv.Stop(time.Second)
	addr := srv.LocalAddr().String()
	// The client connects before the limit drops; then the server cannot
	// accept it until descriptors are freed.
	client, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	var filler []int
	n := countFDs(t)
	low := lim
	setLimit(&low.Cur, n+8)
	unix.Setrlimit(unix.RLIMIT_NOFILE, &low)
	for {
		fd, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			break
		}
		filler = append(filler, fd)
	}
	client.Write([]byte("ping"))
	time.Sleep(30 * time.Millisecond) // the server backs off meanwhile
	for _, fd := range filler {
		unix.Close(fd)
	}
	unix.Setrlimit(unix.RLIMIT_NOFILE, &lim)
	b := make([]byte, 4)
	if _, err := io.ReadFull(client, b); err != nil || string(b) != "ping" {
		t.Fatal(err, b)
	}
}

// selfSigned returns a TLS server config with a fresh certificate for
// 127.0.0.1 and a client config trusting it.
func selfSigned(t testing.TB) (*tls.Config, *tls.Config) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "netwrap test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	srv := &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	cli := &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
	return srv, cli
}

func TestTLSInGreenlets(t *testing.T) {
	checkLeaks(t)
	h := newHub(t)
	srvCfg, cliCfg := selfSigned(t)
	srv := &StreamServer{Hub: h, TLSConfig: srvCfg, Handler: func(c net.Conn) {
		if _, ok := c.(*TLSConn); !ok {
			panic("not TLS")
		}
		io.Copy(c, c)
	}}
	if err := srv.Start(nil); err != nil {
		t.Fatal(err)
	}
	defer srv.Stop(time.Second)
	addr := srv.LocalAddr().String()
	inGreenlet(t, h, func() error {
		var gs []*green.Greenlet
		for i := range 5 {
			gs = append(gs, green.Spawn(func() error {
				raw, err := Dial("tcp", addr)
				if err != nil {
					return err
				}
				c := tls.Client(raw, cliCfg)
				defer c.Close()
				// crypto/tls guards the handshake with a sync.Mutex:
				// finish it before two greenlets use the conn at once
				// (see the package comment).
				if err := c.Handshake(); err != nil {
					return err
				}
				msg := bytes.Repeat([]byte{byte('a' + i)}, 100_000)
				w := green.Spawn(func() error { _, err := c.Write(msg); return err })
				got := make([]byte, len(msg))
				if _, err := io.ReadFull(c, got); err != nil {
					return err
				}
				if !bytes.Equal(got, msg) {
					return errors.New("TLS echo corrupted")
				}
				return w.Join()
			}))
		}
		for _, g := range green.JoinAll(gs...) {
			if err := g.Err(); err != nil {
				return err
			}
		}
		return nil
	})
}

func TestDatagramServer(t *testing.T) {
	checkLeaks(t)
	h := newHub(t)
	srv := &DatagramServer{Hub: h, Handler: func(pc *PacketConn, data []byte, addr net.Addr) {
		pc.WriteTo(bytes.ToUpper(data), addr)
	}}
	if err := srv.Start(nil); err != nil {
		t.Fatal(err)
	}
	defer srv.Stop(time.Second)
	inGreenlet(t, h, func() error {
		pc, err := ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		defer pc.Close()
		pc.SetReadDeadline(time.Now().Add(10 * time.Second))
		for i := range 20 {
			msg := fmt.Sprintf("dgram %d", i)
			if _, err := pc.WriteTo([]byte(msg), srv.LocalAddr()); err != nil {
				return err
			}
			b := make([]byte, 100)
			n, from, err := pc.ReadFrom(b)
			if err != nil {
				return err
			}
			if string(b[:n]) != strings.ToUpper(msg) || from.String() != srv.LocalAddr().String() {
				return fmt.Errorf("got %q from %v", b[:n], from)
			}
		}
		return nil
	})
}
