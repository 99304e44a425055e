//go:build unix

package netwrap

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/greenrt/green/green"
)

// The read path trusts the hub's readiness state: a short read on a stream
// socket parks the next Read until the next edge (no read for EAGAIN).
// These cases would hang if that state were wrong, so each runs under the
// hang guard of within.

// peerFunc runs f on the other end of the pair: on a plain goroutine, while
// the greenlet goes on (its reads park meanwhile), or, through peer(nil),
// at once in the greenlet itself.
type peerFunc func(f func(b net.Conn)) func(func(b net.Conn))

// readinessCase runs fn in a greenlet with a connected pair of every kind
// (the greenlet reads a; peer writes b).
func readinessCase(t *testing.T, fn func(a net.Conn, peer peerFunc) error) {
	for _, k := range kinds() {
		t.Run(k.name, func(t *testing.T) {
			checkLeaks(t)
			h := startHub(t, true)
			l := k.listen(t)
			defer l.Close()
			acc := make(chan net.Conn, 1)
			go func() {
				c, err := l.Accept()
				if err != nil {
					acc <- nil
					return
				}
				acc <- c
			}()
			done := make(chan error, 1)
			go func() {
				gl := green.SpawnOn(h, func() error {
					a, err := k.dial(l)
					if err != nil {
						return err
					}
					defer a.Close()
					b := <-acc // a plain-goroutine value handed over before any park
					if b == nil {
						return errors.New("accept failed")
					}
					defer b.Close()
					return fn(a, func(f func(net.Conn)) func(func(net.Conn)) {
						if f == nil {
							return func(g func(net.Conn)) { g(b) }
						}
						go f(b)
						return nil
					})
				})
				done <- gl.Join()
			}()
			if err := within(t, done, k.name); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func readFull(c net.Conn, n int) ([]byte, error) {
	buf := make([]byte, n)
	_, err := io.ReadFull(c, buf)
	return buf, err
}

// TestReadinessWaitReadThenRead: the idiom of a server that holds no
// buffer while idle (WaitRead, then a buffer, Read) must not hang: the
// prototype of the short-read lever cleared the state in WaitRead and the
// Read after it parked for good.
func TestReadinessWaitReadThenRead(t *testing.T) {
	readinessCase(t, func(a net.Conn, peer peerFunc) error {
		c := a.(*Conn)
		for i := range 20 {
			msg := []byte(fmt.Sprintf("message %02d", i))
			peer(func(b net.Conn) { b.Write(msg) })
			if err := c.WaitRead(); err != nil {
				return err
			}
			buf := make([]byte, 64)
			n, err := c.Read(buf)
			if err != nil {
				return err
			}
			// One Write may arrive in pieces on a loopback: read the rest.
			for n < len(msg) {
				m, err := c.Read(buf[n:])
				if err != nil {
					return err
				}
				n += m
			}
			if !bytes.Equal(buf[:n], msg) {
				return fmt.Errorf("round %d: read %q, want %q", i, buf[:n], msg)
			}
		}
		return nil
	})
}

// TestReadinessHalfRead: a read that fills its buffer leaves the rest in
// the socket and no new edge will come for it: the next Read and the next
// WaitRead must return at once.
func TestReadinessHalfRead(t *testing.T) {
	readinessCase(t, func(a net.Conn, peer peerFunc) error {
		c := a.(*Conn)
		peer(nil)(func(b net.Conn) { b.Write([]byte("0123456789")) })
		// Wait until all ten bytes are there, then take them in halves.
		if err := c.WaitRead(); err != nil {
			return err
		}
		first, err := readFull(c, 5)
		if err != nil {
			return err
		}
		if err := c.WaitRead(); err != nil { // 5 bytes remain: no park
			return err
		}
		second, err := readFull(c, 5)
		if err != nil {
			return err
		}
		if got := string(first) + string(second); got != "0123456789" {
			return fmt.Errorf("read %q", got)
		}
		// Drained now (the last read was full, so the state says maybe):
		// a read with a larger buffer parks until the peer writes again.
		peer(func(b net.Conn) { time.Sleep(10 * time.Millisecond); b.Write([]byte("x")) })
		buf := make([]byte, 16)
		n, err := c.Read(buf)
		if err != nil || string(buf[:n]) != "x" {
			return fmt.Errorf("read %q, %v", buf[:n], err)
		}
		return nil
	})
}

// TestReadinessShortReadThenEOF: the end of stream is no data, so the
// short read before it does not consume it, and no edge comes after it:
// the Read after a short read must still see io.EOF (the hang-up state is
// sticky), and so must a WaitRead.
func TestReadinessShortReadThenEOF(t *testing.T) {
	readinessCase(t, func(a net.Conn, peer peerFunc) error {
		c := a.(*Conn)
		peer(nil)(func(b net.Conn) {
			b.Write([]byte("last words"))
			b.(interface{ CloseWrite() error }).CloseWrite()
		})
		// Make sure the hub has seen the edge of both before reading.
		for range 3 {
			green.Sleep(time.Millisecond)
		}
		buf := make([]byte, 64)
		n, err := c.Read(buf)
		if err != nil || string(buf[:n]) != "last words" {
			return fmt.Errorf("read %q, %v", buf[:n], err)
		}
		if err := c.WaitRead(); err != nil {
			return fmt.Errorf("WaitRead at EOF: %v", err)
		}
		if n, err := c.Read(buf); n != 0 || err != io.EOF {
			return fmt.Errorf("read at EOF: %d, %v", n, err)
		}
		return nil
	})
}

// TestReadinessShortReadThenMore: after a short read the next Read parks
// (no system call) and must be woken by the next write's edge, also when
// the write comes from a plain goroutine much later, and a deadline set
// meanwhile still ends it.
func TestReadinessShortReadThenMore(t *testing.T) {
	readinessCase(t, func(a net.Conn, peer peerFunc) error {
		c := a.(*Conn)
		buf := make([]byte, 64)
		for i := range 10 {
			peer(func(b net.Conn) { b.Write([]byte{byte('a' + i)}) })
			n, err := c.Read(buf)
			if err != nil || n != 1 || buf[0] != byte('a'+i) {
				return fmt.Errorf("round %d: read %q, %v", i, buf[:n], err)
			}
		}
		c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
		if _, err := c.Read(buf); !errors.Is(err, errDeadline) {
			return fmt.Errorf("read past the deadline: %v", err)
		}
		c.SetReadDeadline(time.Time{})
		peer(func(b net.Conn) { b.Write([]byte("z")) })
		if n, err := c.Read(buf); err != nil || string(buf[:n]) != "z" {
			return fmt.Errorf("read after the deadline: %q, %v", buf[:n], err)
		}
		return nil
	})
}
