//go:build unix

package netwrap

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
)

// connPair returns a connected pair of kind k, both ends cooperative;
// it must run in a greenlet.
func connPair(t testing.TB, k kind) (net.Conn, net.Conn, error) {
	l := k.listen(t)
	defer l.Close()
	acc := green.Spawn(func() (any, error) { return l.Accept() })
	c1, err := k.dial(l)
	if err != nil {
		return nil, nil, err
	}
	v, err := acc.Get()
	if err != nil {
		c1.Close()
		return nil, nil, err
	}
	return c1, v.(net.Conn), nil
}

// forKinds runs fn in a greenlet of a fresh hub for every kind of conn.
func forKinds(t *testing.T, fn func(t *testing.T, c1, c2 net.Conn) error) {
	checkLeaks(t)
	for _, k := range kinds() {
		t.Run(k.name, func(t *testing.T) {
			h := newHub(t)
			inGreenlet(t, h, func() error {
				c1, c2, err := connPair(t, k)
				if err != nil {
					return err
				}
				defer c1.Close()
				defer c2.Close()
				return fn(t, c1, c2)
			})
		})
	}
}

func TestPingPong(t *testing.T) {
	forKinds(t, func(t *testing.T, c1, c2 net.Conn) error {
		srv := green.Spawn(func() error {
			buf := make([]byte, 64)
			for {
				n, err := c2.Read(buf)
				if err == io.EOF {
					return nil
				}
				if err != nil {
					return err
				}
				if _, err := c2.Write(buf[:n]); err != nil {
					return err
				}
			}
		})
		buf := make([]byte, 64)
		for i := range 200 {
			msg := fmt.Appendf(nil, "ping %d", i)
			if _, err := c1.Write(msg); err != nil {
				return err
			}
			if _, err := io.ReadFull(c1, buf[:len(msg)]); err != nil {
				return err
			}
			if !bytes.Equal(buf[:len(msg)], msg) {
				return fmt.Errorf("got %q, want %q", buf[:len(msg)], msg)
			}
		}
		c1.(*Conn).CloseWrite()
		return srv.Join()
	})
}

func TestPartialReadsAndBigWrites(t *testing.T) {
	forKinds(t, func(t *testing.T, c1, c2 net.Conn) error {
		// 4 MiB each way at once: writes fill the socket buffers and
		// park, reads come in pieces.
		const size = 4 << 20
		src := make([]byte, size)
		for i := range src {
			src[i] = byte(i * 7)
		}
		w := green.Spawn(func() error {
			_, err := c1.Write(src)
			return err
		})
		got := make([]byte, 0, size)
		buf := make([]byte, 3000)
		reads := 0
		for len(got) < size {
			n, err := c2.Read(buf[:min(len(buf), 1+reads%3000)])
			if err != nil {
				return err
			}
			reads++
			got = append(got, buf[:n]...)
		}
		if err := w.Join(); err != nil {
			return err
		}
		if !bytes.Equal(got, src) {
			return errors.New("data corrupted")
		}
		return nil
	})
}

func isTimeout(err error) bool {
	var ne net.Error
	var oe *net.OpError
	return errors.Is(err, os.ErrDeadlineExceeded) && errors.As(err, &ne) && ne.Timeout() && errors.As(err, &oe)
}

func TestDeadlines(t *testing.T) {
	forKinds(t, func(t *testing.T, c1, c2 net.Conn) error {
		// Read deadline in the future expires while parked.
		c1.SetReadDeadline(time.Now().Add(5 * time.Millisecond))
		if _, err := c1.Read(make([]byte, 1)); !isTimeout(err) {
			return fmt.Errorf("read past deadline: %v", err)
		}
		// Already expired: fails without waiting, even with data there.
		c2.Write([]byte("x"))
		if _, err := c1.Read(make([]byte, 1)); !isTimeout(err) {
			return fmt.Errorf("read with expired deadline: %v", err)
		}
		// Cleared: the data is read.
		c1.SetReadDeadline(time.Time{})
		if _, err := c1.Read(make([]byte, 1)); err != nil {
			return err
		}
		// Write deadline: fill the buffers until it expires.
		c1.SetWriteDeadline(time.Now().Add(20 * time.Millisecond))
		big := make([]byte, 1<<20)
		var err error
		for err == nil {
			_, err = c1.Write(big)
		}
		if !isTimeout(err) {
			return fmt.Errorf("write past deadline: %v", err)
		}
		// A parked reader is woken by a deadline moved into the past,
		// from another greenlet and from a plain goroutine.
		for _, setter := range []string{"greenlet", "goroutine"} {
			c2.SetReadDeadline(time.Time{})
			r := green.Spawn(func() error {
				_, err := io.Copy(io.Discard, c2)
				return err
			})
			green.Sleep(time.Millisecond)
			if setter == "greenlet" {
				c2.SetReadDeadline(time.Unix(1, 0))
			} else {
				done := make(chan struct{})
				go func() { c2.SetReadDeadline(time.Unix(1, 0)); close(done) }()
				release := green.Current().Hub().Hold()
				for {
					select {
					case <-done:
					default:
						green.Sleep(time.Millisecond)
						continue
					}
					break
				}
				release()
			}
			if err := r.Join(); !isTimeout(err) {
				return fmt.Errorf("%s moving the deadline: %v", setter, err)
			}
		}
		return nil
	})
}

func TestCloseWakesReader(t *testing.T) {
	forKinds(t, func(t *testing.T, c1, c2 net.Conn) error {
		r := green.Spawn(func() error {
			_, err := c1.Read(make([]byte, 1))
			return err
		})
		green.Sleep(time.Millisecond)
		c1.Close()
		err := r.Join()
		if !errors.Is(err, net.ErrClosed) {
			return fmt.Errorf("read on closed: %v", err)
		}
		var oe *net.OpError
		if !errors.As(err, &oe) || oe.Op != "read" {
			return fmt.Errorf("not a read OpError: %#v", err)
		}
		if _, err := c1.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
			return fmt.Errorf("write on closed: %v", err)
		}
		if err := c1.Close(); !errors.Is(err, net.ErrClosed) {
			return fmt.Errorf("second close: %v", err)
		}
		// The peer sees EOF.
		if _, err := c2.Read(make([]byte, 1)); err != io.EOF {
			return fmt.Errorf("peer read: %v", err)
		}
		return nil
	})
}

func TestCloseFromGoroutineWakesReader(t *testing.T) {
	forKinds(t, func(t *testing.T, c1, c2 net.Conn) error {
		r := green.Spawn(func() error {
			_, err := c1.Read(make([]byte, 1))
			return err
		})
		green.Sleep(time.Millisecond)
		go c1.Close()
		if err := r.Join(); !errors.Is(err, net.ErrClosed) {
			return fmt.Errorf("read on closed: %v", err)
		}
		return nil
	})
}

func TestKillParkedReader(t *testing.T) {
	forKinds(t, func(t *testing.T, c1, c2 net.Conn) error {
		r := green.Spawn(func() error {
			_, err := c1.Read(make([]byte, 1))
			return err
		})
		green.Sleep(time.Millisecond)
		r.Kill()
		if !r.Killed() {
			return fmt.Errorf("reader not killed: %v", r)
		}
		// The conn is still usable and nobody waits on it any more.
		c2.Write([]byte("y"))
		b := make([]byte, 1)
		if _, err := c1.Read(b); err != nil || b[0] != 'y' {
			return fmt.Errorf("read after kill: %v %q", err, b)
		}
		// A green.Timeout interrupts a read too.
		err := green.WithTimeout(time.Millisecond, func() { c1.Read(b) })
		if !errors.Is(err, green.ErrTimeout) {
			return fmt.Errorf("timeout: %v", err)
		}
		return nil
	})
}

func TestPlainGoroutinePeer(t *testing.T) {
	forKinds(t, func(t *testing.T, c1, c2 net.Conn) error {
		// c2 is served by a plain goroutine while c1 is used here.
		release := green.Current().Hub().Hold()
		done := make(chan error, 1)
		go func() {
			_, err := io.Copy(c2, c2)
			done <- err
			release()
		}()
		for i := range 50 {
			msg := fmt.Appendf(nil, "m%d", i)
			c1.Write(msg)
			b := make([]byte, len(msg))
			if _, err := io.ReadFull(c1, b); err != nil || !bytes.Equal(b, msg) {
				return fmt.Errorf("echo %d: %v %q", i, err, b)
			}
		}
		c1.(*Conn).CloseWrite()
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

func TestForeignHub(t *testing.T) {
	forKinds(t, func(t *testing.T, c1, c2 net.Conn) error {
		// c1 is bound to this hub; a greenlet of another hub uses it in
		// blocking style.
		c1.Write([]byte("a"))
		h2, err := hub.New(hub.Config{})
		if err != nil {
			return err
		}
		h2.Start()
		defer h2.Stop()
		c2.Write([]byte("b"))
		gl := green.SpawnOn(h2, func() error {
			b := make([]byte, 1)
			if _, err := c1.Read(b); err != nil || b[0] != 'b' {
				return fmt.Errorf("foreign read: %v %q", err, b)
			}
			return nil
		})
		b := make([]byte, 1)
		if _, err := c2.Read(b); err != nil || b[0] != 'a' {
			return fmt.Errorf("read: %v %q", err, b)
		}
		if err := gl.Join(); err != nil {
			return err
		}
		// A greenlet of the other hub closes c1 while one of this hub
		// is parked reading it.
		r := green.Spawn(func() error { _, err := c1.Read(b); return err })
		green.Sleep(time.Millisecond)
		if err := green.SpawnOn(h2, func() error { return c1.Close() }).Join(); err != nil {
			return fmt.Errorf("foreign close: %v", err)
		}
		if err := r.Join(); !errors.Is(err, net.ErrClosed) {
			return fmt.Errorf("reader after foreign close: %v", err)
		}
		return nil
	})
}

func TestHubCallbackPanics(t *testing.T) {
	checkLeaks(t)
	h := newHub(t)
	a, b := socketPair(t)
	defer a.Close()
	defer b.Close()
	got := make(chan any, 1)
	h.Post(func() {
		defer func() { got <- recover() }()
		a.Read(make([]byte, 1))
	})
	if r := <-got; r != hub.ErrNotCoroutine {
		t.Fatalf("recovered %v", r)
	}
}
