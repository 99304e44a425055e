//go:build unix

package netwrap_test

import (
	"context"
	"errors"
	"net"
	"testing"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/internal/testutil"
	"github.com/greenrt/green/netwrap"
)

// hookUser stands for a library that takes a dial hook.
type hookUser struct {
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// DialContext and Dialer.DialConn plug into a hook field; in a greenlet
// the conn they return is a cooperative *Conn; a failed dial returns a nil
// interface.
func TestDialHook(t *testing.T) {
	h := testutil.NewHub(t)
	ln, err := netwrap.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("hi"))
			c.Close()
		}
	}()
	// A port with nobody listening: dial it after the listener is closed.
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadAddr := dead.Addr().String()
	dead.Close()

	d := &netwrap.Dialer{}
	var nilDialer *netwrap.Dialer
	for name, hook := range map[string]netwrap.DialFunc{
		"DialContext": netwrap.DialContext,
		"DialConn":    d.DialConn,
		"nil Dialer":  nilDialer.DialConn,
	} {
		t.Run(name, func(t *testing.T) {
			u := hookUser{Dial: hook}
			err := green.SpawnOn(h.Hub, func() error {
				c, err := u.Dial(context.Background(), "tcp", ln.Addr().String())
				if err != nil {
					return err
				}
				defer c.Close()
				if _, ok := c.(*netwrap.Conn); !ok {
					return errors.New("not a *netwrap.Conn")
				}
				buf := make([]byte, 2)
				if _, err := c.Read(buf); err != nil || string(buf) != "hi" {
					return errors.New("bad read")
				}
				c, err = u.Dial(context.Background(), "tcp", deadAddr)
				if err == nil || c != nil {
					return errors.New("a failed dial must return a nil net.Conn and an error")
				}
				var oe *net.OpError
				if !errors.As(err, &oe) {
					return err
				}
				return nil
			}).Join()
			if err != nil {
				t.Fatal(err)
			}
			// From a plain goroutine: net.Dialer underneath.
			c, err := u.Dial(context.Background(), "tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			c.Close()
		})
	}
	// In a hub callback: an error, not a panic or a hang.
	var cbErr error
	var cbConn net.Conn
	h.Call(func() { cbConn, cbErr = netwrap.DialContext(context.Background(), "tcp", ln.Addr().String()) })
	if !errors.Is(cbErr, hub.ErrNotCoroutine) || cbConn != nil {
		t.Fatalf("dial in a hub callback: %v, %v", cbConn, cbErr)
	}
	// A nil context is the background context.
	//lint:ignore SA1012 a nil context is the bad input under test
	c, err := netwrap.DialContext(nil, "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
}
