//go:build unix

package netwrap

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/greenrt/green/green"
)

// goWait runs fn on a plain goroutine and parks the calling greenlet
// until it returns (the hub is held meanwhile, so that a greenlet waiting
// for the goroutine is not taken for a deadlock).
func goWait(fn func() error) *green.Greenlet {
	return green.Spawn(func() error {
		release := green.Current().Hub().Hold()
		defer release()
		done := make(chan error, 1)
		go func() { done <- fn() }()
		for {
			select {
			case err := <-done:
				return err
			default:
				green.Sleep(time.Millisecond)
			}
		}
	})
}

// runs returns the bytes of b with each run of equal bytes reduced to one
// byte: "AAABBA" is "ABA".
func runs(b []byte) string {
	var out []byte
	for i, c := range b {
		if i == 0 || c != b[i-1] {
			out = append(out, c)
		}
	}
	return string(out)
}

// TestWritersDoNotInterleave is the bug of issue 12: a Write parked on a
// full socket buffer, then a second Write from a greenlet of the same hub
// and one from a plain goroutine. package net holds a write lock for a
// whole Write, so the peer must see the first Write's bytes in one piece,
// then the others, each in one piece. Before the fix the greenlet's Write
// failed with ErrConcurrentUse and the goroutine's landed inside the first
// one (the peer got A C A).
func TestWritersDoNotInterleave(t *testing.T) {
	forKinds(t, func(t *testing.T, c1, c2 net.Conn) error {
		const big = 8 << 20 // far more than the socket buffers hold
		a := green.Spawn(func() error {
			_, err := c1.Write(bytes.Repeat([]byte("A"), big))
			return err
		})
		green.Sleep(time.Millisecond) // a has filled the buffers and parked
		b := green.Spawn(func() error {
			_, err := c1.Write([]byte("BBBB"))
			return err
		})
		c := goWait(func() error {
			_, err := c1.Write([]byte("CCCC"))
			return err
		})
		green.Sleep(time.Millisecond) // both are queued now
		got := make([]byte, big+8)
		if _, err := io.ReadFull(c2, got); err != nil {
			return err
		}
		for _, w := range []*green.Greenlet{a, b, c} {
			if err := w.Join(); err != nil {
				return fmt.Errorf("writer: %v", err)
			}
		}
		if r := runs(got); r != "ABC" && r != "ACB" {
			return fmt.Errorf("the peer got the runs %q, want ABC or ACB", r)
		}
		return nil
	})
}

// TestReadersQueue: a second greenlet reader, and a plain goroutine
// reader, wait behind a parked reader instead of failing (they used to get
// ErrConcurrentUse); each gets its own byte.
func TestReadersQueue(t *testing.T) {
	forKinds(t, func(t *testing.T, c1, c2 net.Conn) error {
		read := func() (byte, error) {
			b := make([]byte, 1)
			_, err := c1.Read(b)
			return b[0], err
		}
		var got [3]byte
		r1 := green.Spawn(func() (err error) { got[0], err = read(); return })
		green.Sleep(time.Millisecond)
		r2 := green.Spawn(func() (err error) { got[1], err = read(); return })
		r3 := goWait(func() (err error) { got[2], err = read(); return })
		green.Sleep(time.Millisecond)
		// A queued reader can be killed; the others stay queued.
		r4 := green.Spawn(func() error { _, err := read(); return err })
		green.Sleep(time.Millisecond)
		r4.Kill()
		if !r4.Killed() {
			return fmt.Errorf("queued reader not killed: %v", r4)
		}
		if _, err := c2.Write([]byte("xyz")); err != nil {
			return err
		}
		for _, r := range []*green.Greenlet{r1, r2, r3} {
			if err := r.Join(); err != nil {
				return fmt.Errorf("reader: %v", err)
			}
		}
		s := got[:]
		slices.Sort(s)
		if string(s) != "xyz" {
			return fmt.Errorf("readers got %q, want x, y and z", got)
		}
		return nil
	})
}

// TestCloseFailsQueuedCallers: Close wakes the caller in the system call
// and every caller queued behind it, greenlets and goroutines alike, with
// net.ErrClosed in a *net.OpError, as package net does.
func TestCloseFailsQueuedCallers(t *testing.T) {
	forKinds(t, func(t *testing.T, c1, c2 net.Conn) error {
		read := func() error {
			_, err := c1.Read(make([]byte, 1))
			return err
		}
		var rs []*green.Greenlet
		rs = append(rs, green.Spawn(read))
		green.Sleep(time.Millisecond)
		rs = append(rs, green.Spawn(read), goWait(read))
		green.Sleep(time.Millisecond)
		c1.Close()
		for i, r := range rs {
			err := r.Join()
			var oe *net.OpError
			if !errors.Is(err, net.ErrClosed) || !errors.As(err, &oe) || oe.Op != "read" {
				return fmt.Errorf("reader %d after Close: %v", i, err)
			}
		}
		return nil
	})
}

// TestAcceptQueues: greenlets and a plain goroutine accepting on one
// listener at once each get a connection (the second greenlet used to get
// ErrConcurrentUse).
func TestAcceptQueues(t *testing.T) {
	checkLeaks(t)
	h := newHub(t)
	inGreenlet(t, h, func() error {
		l, err := Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		defer l.Close()
		accept := func() error {
			c, err := l.Accept()
			if err == nil {
				c.Close()
			}
			return err
		}
		as := []*green.Greenlet{green.Spawn(accept), green.Spawn(accept), goWait(accept)}
		green.Sleep(time.Millisecond)
		for range as {
			c, err := Dial("tcp", l.Addr().String())
			if err != nil {
				return err
			}
			defer c.Close()
		}
		for _, a := range as {
			if err := a.Join(); err != nil {
				return fmt.Errorf("accept: %v", err)
			}
		}
		return nil
	})
}

// TestPacketReadersQueue: two greenlets reading one PacketConn each get a
// datagram (the second used to get ErrConcurrentUse).
func TestPacketReadersQueue(t *testing.T) {
	checkLeaks(t)
	h := newHub(t)
	inGreenlet(t, h, func() error {
		a, err := ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		defer a.Close()
		b, err := ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		defer b.Close()
		read := func() error {
			_, _, err := a.ReadFrom(make([]byte, 10))
			return err
		}
		rs := []*green.Greenlet{green.Spawn(read), green.Spawn(read), goWait(read)}
		green.Sleep(time.Millisecond)
		for range rs {
			if _, err := b.WriteTo([]byte("d"), a.LocalAddr()); err != nil {
				return err
			}
		}
		for _, r := range rs {
			if err := r.Join(); err != nil {
				return fmt.Errorf("reader: %v", err)
			}
		}
		return nil
	})
}

// TestForeignHubWaitsInQueue: a greenlet of another hub queued behind a
// parked reader parks (its hub keeps running) instead of failing or
// blocking its hub.
func TestForeignHubWaitsInQueue(t *testing.T) {
	checkLeaks(t)
	h := newHub(t)
	h2 := newHub(t)
	c1, c2 := socketPair(t)
	defer c1.Close()
	defer c2.Close()
	r1 := green.SpawnOn(h, func() error { _, err := c1.Read(make([]byte, 1)); return err })
	green.SpawnOn(h, func() {}).Join() // r1 has run and parked
	green.SpawnOn(h, func() {}).Join()
	r2 := green.SpawnOn(h2, func() error { _, err := c1.Read(make([]byte, 1)); return err })
	// h2 keeps running greenlets while r2 waits for the conn.
	for range 3 {
		// JoinTimeout: a blocked h2 would never run it (hang guard).
		if err := green.SpawnOn(h2, func() { green.Sleep(time.Millisecond) }).JoinTimeout(5 * time.Second); err != nil {
			t.Fatalf("h2 blocked while its greenlet waits for the conn: %v", err)
		}
	}
	if r2.Dead() {
		t.Fatalf("the foreign reader did not wait: %v", r2.Err())
	}
	inGreenlet(t, h, func() error { _, err := c2.Write([]byte("pq")); return err })
	if err := r1.Join(); err != nil {
		t.Fatal(err)
	}
	if err := r2.Join(); err != nil {
		t.Fatal(err)
	}
}
