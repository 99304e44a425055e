//go:build unix

package netwrap

import (
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"github.com/greenrt/green/green"
)

// lazyPair is greenletPipe for tests: two TCP conns made in greenlets of a
// new hub, closed when the test ends.
func lazyPair(t *testing.T) (*Conn, *Conn, *Listener) {
	t.Helper()
	h := newHub(t)
	l, err := Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	c1, c2, err := greenletPipe(h, l)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c1.Close(); c2.Close() })
	a, b := c1.(*Conn), c2.(*Conn)
	if a.lazy == nil || b.lazy == nil {
		t.Fatal("conns made in greenlets are not lazy")
	}
	return a, b, l
}

// TestLazyConnAddrs: the addresses of conns made in greenlets, from accept
// and connect, match what package net reports once it has adopted them.
func TestLazyConnAddrs(t *testing.T) {
	checkLeaks(t)
	a, b, l := lazyPair(t)
	if a.RemoteAddr().String() != l.Addr().String() || b.LocalAddr().String() != l.Addr().String() {
		t.Fatalf("dialed remote %v, accepted local %v; listener %v", a.RemoteAddr(), b.LocalAddr(), l.Addr())
	}
	if a.LocalAddr().String() != b.RemoteAddr().String() {
		t.Fatalf("dialed local %v, accepted remote %v", a.LocalAddr(), b.RemoteAddr())
	}
	if a.std.Load() != nil {
		t.Fatal("adopted before anyone asked")
	}
	nc := a.NetConn()
	if nc == nil || nc.LocalAddr().String() != a.LocalAddr().String() || nc.RemoteAddr().String() != a.RemoteAddr().String() {
		t.Fatalf("package net says %v -> %v, the lazy conn %v -> %v", nc.LocalAddr(), nc.RemoteAddr(), a.LocalAddr(), a.RemoteAddr())
	}
	if _, ok := a.LocalAddr().(*net.TCPAddr); !ok {
		t.Fatalf("LocalAddr is a %T", a.LocalAddr())
	}
}

// TestLazyConnMixed: a greenlet and plain goroutines take turns on conns
// made in greenlets; the bytes arrive in order whoever reads them, and
// deadlines set before the adoption apply to the goroutine after it.
func TestLazyConnMixed(t *testing.T) {
	checkLeaks(t)
	a, b, _ := lazyPair(t)
	h := newHub(t)
	// A greenlet writes and reads first (a binds to h).
	inGreenlet(t, h, func() error {
		_, err := a.Write([]byte("one"))
		return err
	})
	buf := make([]byte, 3)
	if _, err := io.ReadFull(b, buf); err != nil || string(buf) != "one" { // a goroutine: adopts b
		t.Fatalf("goroutine read %q, %v", buf, err)
	}
	if _, err := a.Write([]byte("two")); err != nil { // a goroutine: adopts a
		t.Fatal(err)
	}
	inGreenlet(t, h, func() error { // b is bound to the dialer's hub: blocking style here
		_, err := io.ReadFull(b, buf)
		if err == nil && string(buf) != "two" {
			err = errors.New("greenlet read " + string(buf))
		}
		return err
	})
	// A deadline set before adoption, on a fresh lazy pair.
	c, d, _ := lazyPair(t)
	if err := c.SetReadDeadline(time.Now().Add(20 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Read(buf); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("goroutine read past a deadline set before adoption: %v", err)
	}
	c.SetReadDeadline(time.Time{})
	d.Write([]byte("end"))
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "end" {
		t.Fatalf("read %q, %v", buf, err)
	}
}

// TestLazyConnCloseFromGoroutine: a plain goroutine closes a lazy conn
// while a greenlet is parked reading it (and another goroutine is blocked
// reading it through package net): both fail with net.ErrClosed, a second
// Close fails too, and no descriptor is left behind.
func TestLazyConnCloseFromGoroutine(t *testing.T) {
	checkLeaks(t)
	a, _, _ := lazyPair(t)
	h := newHub(t)
	parked := make(chan struct{}, 1) // a buffered send never blocks the hub
	res := make(chan error, 2)
	gl := green.SpawnOn(h, func() error {
		a.SetReadDeadline(time.Time{}) // binds nothing; Read binds
		parked <- struct{}{}
		_, err := a.Read(make([]byte, 8))
		return err
	})
	<-parked
	go func() {
		_, err := a.NetConn().Read(make([]byte, 8)) // package net's own read
		res <- err
	}()
	time.Sleep(20 * time.Millisecond) // let both get parked (not a bound: either order works)
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gl.Join(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("greenlet read: %v", err)
	}
	if err := within(t, res, "goroutine read"); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("goroutine read: %v", err)
	}
	if err := a.Close(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("second Close: %v", err)
	}
}

// TestLazyConnAcceptAllocs counts the heap objects of one accepted conn in
// a greenlet (Go net: 8 for an Accept; the adoption alone made 20 here).
func TestLazyConnAcceptAllocs(t *testing.T) {
	checkLeaks(t)
	h := newHub(t)
	l, err := Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	const n = 50
	peers := make([]net.Conn, 0, n+1)
	defer func() {
		for _, p := range peers {
			p.Close()
		}
	}()
	var allocs float64
	inGreenlet(t, h, func() error {
		for range n + 1 { // AllocsPerRun runs once more to warm up
			c, err := net.Dial("tcp", l.Addr().String()) // the backlog holds it
			if err != nil {
				return err
			}
			peers = append(peers, c)
		}
		cs := make([]*Conn, 0, n+1)
		allocs = testing.AllocsPerRun(n, func() {
			c, err := l.AcceptConn()
			if err != nil {
				panic(err)
			}
			cs = append(cs, c)
		})
		for _, c := range cs {
			c.Close()
		}
		return nil
	})
	t.Logf("%.1f heap objects per accepted conn", allocs)
	if allocs > 4 {
		t.Errorf("%.1f heap objects per accepted conn, want at most 4", allocs)
	}
}
