//go:build unix

package netwrap

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/internal/testutil"
)

// wedgeHub starts a hub that is stopped at the end of the test only if
// the test passed: a test that finds the hub wedged for good (a greenlet
// blocked on crypto/tls's mutex) fails instead of hanging in Stop.
func wedgeHub(t *testing.T) *hub.Hub { return startHub(t, true) }

// slowPeer is how long the peers of these tests wait before reading, so
// that the writers under test park on full buffers meanwhile. A wedged hub
// stalls for all of it; a writer that encrypts a socket buffer's worth of
// records without parking (several MiB on loopback, 200 ms and more under
// the race detector on a loaded machine) holds the hub for a while too,
// which is cooperative scheduling, not the bug: the delay is long enough
// to tell the two apart.
const slowPeer = time.Second

// checkGap fails the test if the hub stalled for a good part of the slow
// peer's delay.
func checkGap(t *testing.T, gt *testutil.GapTicker) {
	t.Helper()
	if gap := gt.Stop(); gap > 3*slowPeer/4 {
		t.Errorf("the hub stalled for %v while writers waited for a peer that reads after %v", gap, slowPeer)
	}
}

// writeBoth has two greenlets write size bytes of 'A' and of 'B' to c and
// sends their errors to done (buffered: the sends never block the hub).
func writeBoth(c net.Conn, size int, done chan<- error) {
	var ws []*green.Greenlet
	for _, b := range []byte("AB") {
		ws = append(ws, green.Spawn(func() error {
			_, err := c.Write(bytes.Repeat([]byte{b}, size))
			return err
		}))
	}
	for _, w := range ws {
		done <- w.Join()
	}
}

// checkRuns reads 2*size bytes from r and checks that they are the two
// writes of writeBoth, each in one piece.
func checkRuns(r io.Reader, size int) error {
	got := make([]byte, 2*size)
	if _, err := io.ReadFull(r, got); err != nil {
		return err
	}
	if s := runs(got); s != "AB" && s != "BA" {
		return fmt.Errorf("the peer got the runs %q, want AB or BA", s)
	}
	return nil
}

const tlsSize = 4 << 20 // far more than the socket buffers hold

// TestTLSServerTwoWriters is the bug of issue 12: two greenlets writing one
// TLS conn of a StreamServer handler to a slow client. crypto/tls holds a
// sync.Mutex across the underlying Write, so with a *tls.Conn the second
// writer blocked the hub thread on it while the first was parked: the hub
// was wedged for good. The handler now gets a TLSConn, whose writers queue
// as greenlets.
func TestTLSServerTwoWriters(t *testing.T) {
	checkLeaks(t)
	h := wedgeHub(t)
	srvCfg, cliCfg := selfSigned(t)
	written := make(chan error, 2)
	srv := &StreamServer{Hub: h, TLSConfig: srvCfg, Handler: func(c net.Conn) {
		writeBoth(c, tlsSize, written)
	}}
	if err := srv.Start(nil); err != nil {
		t.Fatal(err)
	}
	defer srv.Stop(time.Second)
	gt := testutil.StartGapTicker(h, 0)
	raw, err := net.Dial("tcp", srv.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	c := tls.Client(raw, cliCfg)
	defer c.Close()
	if err := c.Handshake(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(slowPeer)
	read := make(chan error, 1)
	go func() { read <- checkRuns(c, tlsSize) }()
	if err := within(t, read, "client read"); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := within(t, written, "server writes"); err != nil {
			t.Fatal(err)
		}
	}
	checkGap(t, gt)
}

// TestTLSClientTwoWriters: the other direction, two greenlets writing one
// TLSClient conn to a slow server.
func TestTLSClientTwoWriters(t *testing.T) {
	checkLeaks(t)
	h := wedgeHub(t)
	srvCfg, cliCfg := selfSigned(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	read := make(chan error, 1)
	go func() {
		raw, err := ln.Accept()
		if err != nil {
			read <- err
			return
		}
		c := tls.Server(raw, srvCfg)
		defer c.Close()
		if err := c.Handshake(); err != nil {
			read <- err
			return
		}
		time.Sleep(slowPeer)
		read <- checkRuns(c, tlsSize)
	}()
	gt := testutil.StartGapTicker(h, 0)
	written := make(chan error, 2)
	green.SpawnOn(h, func() error {
		raw, err := Dial("tcp", ln.Addr().String())
		if err != nil {
			written <- err
			written <- err
			return err
		}
		c := TLSClient(raw, cliCfg)
		defer c.Close()
		// No Handshake first: the first writer does it, the second
		// waits for it.
		writeBoth(c, tlsSize, written)
		return nil
	})
	for range 2 {
		if err := within(t, written, "client writes"); err != nil {
			t.Fatal(err)
		}
	}
	if err := within(t, read, "server read"); err != nil {
		t.Fatal(err)
	}
	checkGap(t, gt)
}

// TestTLSFullDuplex: one greenlet reads while another writes, on both ends,
// each end's writer parked on a peer that reads late; every byte arrives.
func TestTLSFullDuplex(t *testing.T) {
	checkLeaks(t)
	h := wedgeHub(t)
	srvCfg, cliCfg := selfSigned(t)
	ln, err := Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	gt := testutil.StartGapTicker(h, 0)
	msg := bytes.Repeat([]byte("0123456789abcdef"), tlsSize/16)
	// duplex writes msg while a second greenlet reads the peer's msg
	// after the slow peer's delay.
	duplex := func(c net.Conn) error {
		r := green.Spawn(func() error {
			green.Sleep(slowPeer)
			got := make([]byte, len(msg))
			if _, err := io.ReadFull(c, got); err != nil {
				return err
			}
			if !bytes.Equal(got, msg) {
				return errors.New("TLS data corrupted")
			}
			return nil
		})
		if _, err := c.Write(msg); err != nil {
			return err
		}
		return r.Join()
	}
	done := make(chan error, 2)
	green.SpawnOn(h, func() {
		c, err := ln.Accept()
		if err != nil {
			done <- err
			return
		}
		s := TLSServer(c, srvCfg)
		defer s.Close()
		done <- duplex(s)
	})
	green.SpawnOn(h, func() {
		c, err := Dial("tcp", ln.Addr().String())
		if err != nil {
			done <- err
			return
		}
		cc := TLSClient(c, cliCfg)
		defer cc.Close()
		done <- duplex(cc)
	})
	for range 2 {
		if err := within(t, done, "duplex"); err != nil {
			t.Fatal(err)
		}
	}
	checkGap(t, gt)
}

// TestTLSAlertWhileWriterParked: a server handler's reader gets a bad
// record (and so sends an alert) while its writer is parked on a client
// that does not read. crypto/tls sends the alert under the mutex the
// parked writer holds: with a *tls.Conn the reader blocked the hub for
// good. The reader now fails at once and the writer fails once the client
// hangs up.
func TestTLSAlertWhileWriterParked(t *testing.T) {
	checkLeaks(t)
	h := wedgeHub(t)
	srvCfg, cliCfg := selfSigned(t)
	readErr := make(chan error, 1)
	writeErr := make(chan error, 1)
	srv := &StreamServer{Hub: h, TLSConfig: srvCfg, Handler: func(c net.Conn) {
		w := green.Spawn(func() error {
			_, err := c.Write(make([]byte, tlsSize))
			return err
		})
		_, err := c.Read(make([]byte, 100))
		readErr <- err
		writeErr <- w.Join()
	}}
	if err := srv.Start(nil); err != nil {
		t.Fatal(err)
	}
	defer srv.Stop(time.Second)
	gt := testutil.StartGapTicker(h, 0)
	raw, err := net.Dial("tcp", srv.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	c := tls.Client(raw, cliCfg)
	if err := c.Handshake(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(slowPeer / 4) // the server's writer fills the buffers
	// An application data record that does not decrypt.
	bogus := append([]byte{23, 3, 3, 0, 64}, bytes.Repeat([]byte{0x5a}, 64)...)
	if _, err := raw.Write(bogus); err != nil {
		t.Fatal(err)
	}
	if err := within(t, readErr, "server read"); err == nil {
		t.Fatal("the server read a bogus record without error")
	}
	time.Sleep(slowPeer)
	raw.Close()
	if err := within(t, writeErr, "server write"); err == nil {
		t.Fatal("the server wrote 4 MiB to a client that hung up")
	}
	checkGap(t, gt)
}

// TestTLSConnCloseAndState: ConnectionState, CloseWrite (the peer reads
// EOF) and Close (later calls fail with net.ErrClosed) on TLSConns.
func TestTLSConnCloseAndState(t *testing.T) {
	checkLeaks(t)
	h := newHub(t)
	srvCfg, cliCfg := selfSigned(t)
	inGreenlet(t, h, func() error {
		a, b := socketPair(t)
		s, c := TLSServer(a, srvCfg), TLSClient(b, cliCfg)
		defer s.Close()
		defer c.Close()
		hs := green.Spawn(s.Handshake)
		if err := c.Handshake(); err != nil {
			return err
		}
		if err := hs.Join(); err != nil {
			return err
		}
		if st := c.ConnectionState(); !st.HandshakeComplete || len(st.PeerCertificates) != 1 {
			return fmt.Errorf("client state: %+v", st)
		}
		if c.NetConn() != b {
			return errors.New("NetConn is not the conn underneath")
		}
		if _, err := c.Write([]byte("bye")); err != nil {
			return err
		}
		if err := c.CloseWrite(); err != nil {
			return err
		}
		got, err := io.ReadAll(s)
		if err != nil || string(got) != "bye" {
			return fmt.Errorf("server read %q, %v", got, err)
		}
		if err := s.Close(); err != nil {
			return err
		}
		if _, err := s.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
			return fmt.Errorf("write after Close: %v", err)
		}
		if _, err := s.Read(make([]byte, 1)); !errors.Is(err, net.ErrClosed) {
			return fmt.Errorf("read after Close: %v", err)
		}
		return nil
	})
}

// TestTLSBadArguments: a nil TLSConn, and ones made over a nil conn or
// (server side) without a config, fail with an error, never a panic.
func TestTLSBadArguments(t *testing.T) {
	checkLeaks(t)
	h := newHub(t)
	mustFail := failer(t)
	run := func() error {
		var tc *TLSConn
		for _, c := range []*TLSConn{tc, TLSServer(nil, &tls.Config{}), TLSClient(nil, nil)} {
			mustFail("TLSConn.Handshake", c.Handshake)
			mustFail("TLSConn.HandshakeContext", func() error { return c.HandshakeContext(context.Background()) })
			mustFail("TLSConn.Read", func() error { _, err := c.Read(make([]byte, 1)); return err })
			mustFail("TLSConn.Write", func() error { _, err := c.Write([]byte("x")); return err })
			mustFail("TLSConn.CloseWrite", c.CloseWrite)
			mustFail("TLSConn.Close", c.Close)
			mustFail("TLSConn.SetDeadline", func() error { return c.SetDeadline(time.Now()) })
			noPanic(t, "TLSConn.ConnectionState", func() error {
				c.ConnectionState()
				c.LocalAddr()
				c.RemoteAddr()
				c.NetConn()
				return nil
			})
		}
		a, b := socketPair(t)
		defer b.Close()
		s := TLSServer(a, nil) // no config: fails at the handshake
		defer s.Close()
		mustFail("TLSServer(c, nil).Handshake", s.Handshake)
		return nil
	}
	inGreenlet(t, h, run)
	if err := run(); err != nil {
		t.Fatal(err)
	}
}
