//go:build unix

package netwrap

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"testing"
	"time"

	"github.com/greenrt/green/green"
	"golang.org/x/sys/unix"
)

func TestDialResolvesNames(t *testing.T) {
	checkLeaks(t)
	h := newHub(t)
	ln, err := Listen("tcp4", "localhost:0")
	if err != nil {
		t.Skip("no localhost:", err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	inGreenlet(t, h, func() error {
		acc := green.Spawn(func() (any, error) { return ln.Accept() })
		// "localhost" goes through the resolver, on a plain goroutine.
		c, err := Dial("tcp4", net.JoinHostPort("localhost", port))
		if err != nil {
			return err
		}
		defer c.Close()
		v, err := acc.Get()
		if err != nil {
			return err
		}
		v.(net.Conn).Close()
		// Listen resolves too, in a greenlet.
		l2, err := Listen("tcp4", "localhost:0")
		if err != nil {
			return err
		}
		return l2.Close()
	})
}

// fullListener returns a listener with backlog 1 whose accept queue has
// been filled, so that further connects hang in SYN_SENT.
func fullListener(t *testing.T) (*Listener, []net.Conn) {
	l, err := listenBacklog("tcp", "127.0.0.1:0", 1)
	if err != nil {
		t.Fatal(err)
	}
	var cs []net.Conn
	for range 16 {
		c, err := net.DialTimeout("tcp", l.Addr().String(), 50*time.Millisecond)
		if err != nil {
			return l, cs // the queue is full
		}
		cs = append(cs, c)
	}
	l.Close()
	for _, c := range cs {
		c.Close()
	}
	t.Skip("could not fill the accept queue")
	return nil, nil
}

func TestDialTimeoutAndCancel(t *testing.T) {
	checkLeaks(t)
	h := newHub(t)
	l, cs := fullListener(t)
	defer l.Close()
	for _, c := range cs {
		defer c.Close()
	}
	addr := l.Addr().String()
	inGreenlet(t, h, func() error {
		_, err := DialTimeout("tcp", addr, 10*time.Millisecond)
		if !isTimeout(err) {
			return fmt.Errorf("DialTimeout: %v", err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		green.Spawn(func() { green.Sleep(5 * time.Millisecond); cancel() })
		var d Dialer
		_, err = d.DialContext(ctx, "tcp", addr)
		if !errors.Is(err, context.Canceled) {
			return fmt.Errorf("cancelled dial: %v", err)
		}
		// A kill interrupts a dial.
		g := green.Spawn(func() error { _, err := Dial("tcp", addr); return err })
		green.Sleep(time.Millisecond)
		g.Kill()
		if !g.Killed() {
			return fmt.Errorf("dialer not killed: %v", g)
		}
		if _, err := Dial("sctp", addr); !errors.Is(err, ErrUnknownNetwork) {
			return fmt.Errorf("sctp dial: %v", err)
		}
		return nil
	})
}

func TestDialRefused(t *testing.T) {
	checkLeaks(t)
	h := newHub(t)
	l, err := Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	inGreenlet(t, h, func() error {
		_, err := Dial("tcp", addr)
		var oe *net.OpError
		if !errors.Is(err, unix.ECONNREFUSED) || !errors.As(err, &oe) || oe.Op != "dial" {
			return fmt.Errorf("dial closed port: %v", err)
		}
		return nil
	})
}

func TestDialFromHubCallback(t *testing.T) {
	h := newHub(t)
	got := make(chan error, 1)
	h.Post(func() {
		_, err := Dial("tcp", "127.0.0.1:1")
		got <- err
	})
	if err := <-got; err == nil {
		t.Fatal("dial in a hub callback succeeded")
	}
}

func TestWaitReadWrite(t *testing.T) {
	checkLeaks(t)
	h := newHub(t)
	fds, err := streamSocketpair()
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fds[0])
	defer unix.Close(fds[1])
	check := func() error {
		if err := WaitRead(fds[0], 2*time.Millisecond); !errors.Is(err, os.ErrDeadlineExceeded) {
			return fmt.Errorf("WaitRead on empty socket: %v", err)
		}
		if err := WaitWrite(fds[0], time.Second); err != nil {
			return fmt.Errorf("WaitWrite: %v", err)
		}
		unix.Write(fds[1], []byte("x"))
		if err := WaitRead(fds[0], -1); err != nil {
			return fmt.Errorf("WaitRead: %v", err)
		}
		unix.Read(fds[0], make([]byte, 1))
		return nil
	}
	inGreenlet(t, h, func() error {
		if err := check(); err != nil {
			return err
		}
		// Readiness arriving while parked.
		g := green.Spawn(func() error { return WaitRead(fds[0], -1) })
		green.Sleep(time.Millisecond)
		unix.Write(fds[1], []byte("y"))
		if err := g.Join(); err != nil {
			return err
		}
		unix.Read(fds[0], make([]byte, 1))
		return nil
	})
	if err := check(); err != nil { // plain goroutine: poll(2)
		t.Fatal(err)
	}
}
