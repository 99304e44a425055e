//go:build unix

package greenhttp

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/greenrt/green/green"
	"golang.org/x/sys/unix"
)

// reqCtx is a request's context: a cancelable context that is cancelled
// when the handler returns, when the client goes away, when a read or
// write on the connection fails, and by Close (or a Shutdown whose
// context ended).
//
// Noticing that the client went away takes a watcher greenlet parked on
// the socket once the request body has been read (net/http runs a
// goroutine reading one byte, for every request). A handler that never
// looks at its context does not need it, so the watcher starts only when
// somebody asks for Done (context.WithCancel, WithTimeout, AfterFunc and
// select all do) or for CloseNotify.
//
// For the same reason the context package's cancelCtx (two allocations
// and its setup) is made only when Done is first asked for, or at once
// when the parent itself can be cancelled (then Value must find it from
// the start, for context.Cause). Until then Err and Value answer from
// here and from the parent.
type reqCtx struct {
	parent context.Context
	c      *conn
	w      *response
	asked  atomic.Bool // Done was called

	mu         sync.Mutex
	inner      atomic.Pointer[innerCtx]
	err, cause error // set by cancel before inner exists
	clientGone bool  // hub-owned
}

type innerCtx struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
}

func newReqCtx(parent context.Context, c *conn, w *response) *reqCtx {
	x := &reqCtx{parent: parent, c: c, w: w}
	if parent.Done() != nil {
		x.makeInner()
	}
	return x
}

// makeInner makes the cancelCtx, cancelled already if x is.
func (x *reqCtx) makeInner() *innerCtx {
	x.mu.Lock()
	defer x.mu.Unlock()
	if in := x.inner.Load(); in != nil {
		return in
	}
	ctx, cancel := context.WithCancelCause(x.parent)
	in := &innerCtx{ctx, cancel}
	if x.err != nil {
		cancel(x.cause)
	}
	x.inner.Store(in)
	return in
}

// Deadline is the parent's.
func (x *reqCtx) Deadline() (time.Time, bool) { return x.parent.Deadline() }

// Done returns the context's channel; the first call starts watching the
// connection for the client's departure.
func (x *reqCtx) Done() <-chan struct{} {
	if !x.asked.Load() && x.asked.CompareAndSwap(false, true) {
		if x.c.h.OnHub() {
			x.c.wantWatch(x.w)
		} else {
			x.c.h.Post(func() { x.c.wantWatch(x.w) })
		}
	}
	in := x.inner.Load()
	if in == nil {
		in = x.makeInner()
	}
	return in.ctx.Done()
}

// Err returns context.Canceled once the request is cancelled, or the
// parent's error.
func (x *reqCtx) Err() error {
	if in := x.inner.Load(); in != nil {
		return in.ctx.Err()
	}
	x.mu.Lock()
	err := x.err
	x.mu.Unlock()
	if err != nil {
		return err
	}
	return x.parent.Err()
}

// Value looks key up in the cancelCtx, if made (so that context.Cause
// finds it), or in the parent.
func (x *reqCtx) Value(key any) any {
	if in := x.inner.Load(); in != nil {
		return in.ctx.Value(key)
	}
	return x.parent.Value(key)
}

func (x *reqCtx) String() string { return "greenhttp request context" }

func (x *reqCtx) cancel(cause error) {
	x.mu.Lock()
	if x.err == nil {
		x.err, x.cause = context.Canceled, cause
	}
	in := x.inner.Load()
	x.mu.Unlock()
	if in != nil {
		in.cancel(cause)
	}
}

// wantWatch starts the watcher for w now, or when its body has been read.
// Called on the hub.
func (c *conn) wantWatch(w *response) {
	if c.cur != w || c.watcher != nil || c.raw == nil || c.hijackedv || w.handlerDone.Load() {
		return
	}
	if !w.body.sawEOF {
		return // bodyEOF starts it
	}
	c.startWatcher(w)
}

// bodyEOF is called when the request body has been read to its end.
func (w *response) bodyEOF() {
	c := w.c
	if !w.ctx.asked.Load() {
		return
	}
	if c.h.OnHub() {
		c.wantWatch(w)
	} else {
		c.h.Post(func() { c.wantWatch(w) })
	}
}

func (c *conn) startWatcher(w *response) {
	// The read deadline is for the request; the watcher waits as long
	// as the handler runs (net/http clears it for its background read
	// too).
	c.setReadDeadline(time.Time{})
	c.watcher = green.NewOn(c.h, func() { c.watch(w) }).SetName("greenhttp-watcher")
	c.watcher.Start()
}

// stopWatcher ends the watcher, if any, before the connection is read
// again or closed. Called in the connection's greenlet.
func (c *conn) stopWatcher() {
	g := c.watcher
	if g == nil {
		return
	}
	c.watcher = nil
	if !g.Dead() {
		g.Kill() // it is parked in WaitRead: it dies on its next turn
	}
}

// watch waits for the socket to become readable while the handler runs.
// End of stream, a reset or an error means the client went away: the
// request's context is cancelled. Bytes mean a pipelined request (over
// TLS they may also be a close_notify alert, which cannot be told apart
// without reading): then the watch ends, as net/http's does, except that
// over TLS it keeps an eye on the socket a little longer for the end of
// stream that follows an alert.
func (c *conn) watch(w *response) {
	tries := 0
	for {
		if err := c.raw.WaitRead(); err != nil {
			if c.cur == w && !isTimeout(err) {
				c.clientGone(w, err)
			}
			return
		}
		gone, data := c.peek()
		if gone {
			c.clientGone(w, context.Canceled)
			return
		}
		if !data || c.tc == nil || tries >= 6 {
			return
		}
		tries++
		green.Sleep(time.Millisecond << tries) // 2 ms ... 64 ms
	}
}

// peek looks at the socket without reading: gone is true after the
// peer's end of stream (even with unread bytes before it) or an error;
// data is true when bytes are waiting.
func (c *conn) peek() (gone, data bool) {
	rc, err := c.raw.SyscallConn()
	if err != nil {
		return true, false
	}
	cerr := rc.Control(func(fd uintptr) {
		p := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN | pollRDHUP}}
		for {
			n, err := unix.Poll(p, 0)
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				gone = true
				return
			}
			if n == 0 {
				return
			}
			break
		}
		re := p[0].Revents
		gone = re&(pollRDHUP|unix.POLLHUP|unix.POLLERR) != 0
		if !gone && re&unix.POLLIN != 0 {
			var b [1]byte
			n, _, err := unix.Recvfrom(int(fd), b[:], unix.MSG_PEEK|unix.MSG_DONTWAIT)
			switch {
			case err == unix.EAGAIN:
			case err != nil || n == 0:
				gone = true
			default:
				data = true
			}
		}
		if gone && c.tc == nil {
			// Without TLS, bytes before the end of stream are a
			// pipelined request, which net/http does not cancel for.
			var b [1]byte
			if n, _, _ := unix.Recvfrom(int(fd), b[:], unix.MSG_PEEK|unix.MSG_DONTWAIT); n > 0 {
				gone, data = false, true
			}
		}
	})
	if cerr != nil {
		return true, false
	}
	return gone, data
}

// clientGone cancels w's context and tells CloseNotify. Called on the
// hub.
func (c *conn) clientGone(w *response, cause error) {
	w.ctx.clientGone = true
	w.ctx.cancel(cause)
	w.closeNotify()
}

func isTimeout(err error) bool {
	te, ok := err.(interface{ Timeout() bool })
	return ok && te.Timeout()
}
