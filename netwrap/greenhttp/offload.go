//go:build unix

package greenhttp

import (
	"net"
	"sync/atomic"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
)

// offload runs fn on a new goroutine while the calling greenlet parks, for
// calls that would block a thread: Accept on a listener that is not a
// socket, I/O on a connection that is not one. From a plain goroutine it
// just calls fn. If the greenlet is interrupted (killed, timed out) while
// it waits, the interrupt goes on at once and, when fn returns later,
// discard gets its value (to close an accepted connection nobody will
// serve). A goroutine per call, not package threadpool's bounded pool:
// these calls can wait indefinitely, and a handful of them must not
// starve the others.
func offload[T any](fn func() (T, error), discard func(T)) (T, error) {
	g, h := hub.Current()
	if g == nil {
		return fn()
	}
	// The wake-up comes from outside the hub: hold it, or its deadlock
	// detection could give up on the greenlet meanwhile.
	defer h.Hold()()
	var (
		v     T
		err   error
		state atomic.Int32 // offloadRunning, offloadDone, offloadAbandoned
	)
	w := green.NewWaiter()
	go func() {
		v, err = fn()
		if state.CompareAndSwap(offloadRunning, offloadDone) {
			w.Wake()
		} else if err == nil && discard != nil {
			discard(v) // the greenlet gave up waiting
		}
	}()
	if w.Wait(-1, nil) == hub.Interrupted {
		if !state.CompareAndSwap(offloadRunning, offloadAbandoned) && err == nil && discard != nil {
			discard(v) // done, but the greenlet is going away
		}
		w.Raise()
	}
	return v, err
}

const (
	offloadRunning = iota
	offloadDone
	offloadAbandoned
)

// blockingConn makes a connection that is not a socket (it does not
// implement syscall.Conn: a *tls.Conn from a tls.Listener, one end of
// net.Pipe, a library's wrapper) usable from a greenlet: each Read and
// Write runs on its own goroutine while the greenlet parks. It costs a
// goroutine start per call; serve sockets where speed matters.
type blockingConn struct {
	net.Conn
}

func (c *blockingConn) Read(p []byte) (int, error) {
	return offload(func() (int, error) { return c.Conn.Read(p) }, nil)
}

func (c *blockingConn) Write(p []byte) (int, error) {
	return offload(func() (int, error) { return c.Conn.Write(p) }, nil)
}

// Close closes the connection; a call still running on its goroutine
// fails then.
func (c *blockingConn) Close() error { return c.Conn.Close() }
