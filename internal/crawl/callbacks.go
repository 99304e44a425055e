//go:build linux

package crawl

import (
	"context"
	"errors"
	"time"

	"github.com/greenrt/green/hub"
	"golang.org/x/sys/unix"
)

// Callbacks fetches all pages at once with non-blocking sockets registered
// with a hub's epoll poller, driving each fetch as a chain of readiness
// callbacks (FD.OnWrite, FD.OnRead) and a timer (Hub.AfterFunc): the
// classic path's "epoll with callbacks" step, written against the hub's
// low-level API with no greenlets. It is as fast as the goroutines, but
// the logic of one fetch is cut into callbacks that hand each other
// their state (callback hell). h nil: a new hub, stopped afterwards.
func Callbacks(ctx context.Context, ts []Target, timeout time.Duration, h *hub.Hub) []Page {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	if h == nil {
		nh, err := hub.New(hub.Config{})
		if err != nil {
			return fail(len(ts), err)
		}
		if err := nh.Start(); err != nil {
			return fail(len(ts), err)
		}
		defer nh.Stop()
		h = nh
	}
	pages := make([]Page, len(ts))
	if len(ts) == 0 {
		return pages
	}
	done := make(chan struct{})
	var fetches []*cbFetch
	left := len(ts) // owned by the hub loop, like everything below
	start := func() {
		for i, t := range ts {
			f := &cbFetch{h: h, t: t, page: &pages[i], buf: make([]byte, 32<<10)}
			f.finished = func() {
				if left--; left == 0 {
					close(done)
				}
			}
			fetches = append(fetches, f)
			f.start(timeout)
		}
	}
	if err := h.Post(start); err != nil {
		return fail(len(ts), err)
	}
	select {
	case <-done:
	case <-ctx.Done():
		// Cancel the fetches still running; each one then finishes.
		h.Post(func() {
			for _, f := range fetches {
				f.abort(ctx.Err())
			}
		})
		<-done
	}
	return pages
}

// cbFetch is the state of one fetch, carried from callback to callback:
// what a greenlet would keep in local variables on its stack.
type cbFetch struct {
	h        *hub.Hub
	t        Target
	page     *Page
	fd       int
	hfd      *hub.FD
	timer    *hub.Timer
	sent     int
	buf      []byte
	resp     []byte
	over     bool
	finished func()
}

// start opens the socket, begins the connect and registers the socket
// with the hub, then waits for writability to send the request.
func (f *cbFetch) start(timeout time.Duration) {
	fd, err := dialNonblock(f.t)
	if err != nil {
		f.fd = -1
		f.finish(err)
		return
	}
	f.fd = fd
	hfd, err := f.h.Register(fd)
	if err != nil {
		f.finish(err)
		return
	}
	f.hfd = hfd
	f.timer = f.h.AfterFunc(timeout, func() { f.abort(ErrTimeout) })
	f.send(nil)
}

// send writes what is left of the request; when the socket would block
// (still connecting, or its buffer is full) it asks to be called again
// when the socket is writable, and once the request is out it waits for
// the answer.
func (f *cbFetch) send(err error) {
	if f.over {
		return
	}
	if err != nil {
		f.finish(err)
		return
	}
	for f.sent < len(f.t.Request) {
		n, err := unix.Write(f.fd, f.t.Request[f.sent:])
		switch {
		case err == nil:
			f.sent += n
		case errors.Is(err, unix.EAGAIN):
			if err := f.hfd.OnWrite(f.send); err != nil {
				f.finish(err)
			}
			return
		case errors.Is(err, unix.EINTR):
		default:
			f.finish(err)
			return
		}
	}
	f.receive(nil)
}

// receive reads what has arrived; when nothing more is there it asks to
// be called again when the socket is readable, and at end of stream it
// parses the response.
func (f *cbFetch) receive(err error) {
	if f.over {
		return
	}
	if err != nil {
		f.finish(err)
		return
	}
	for {
		n, err := unix.Read(f.fd, f.buf)
		switch {
		case err == nil && n == 0:
			f.finish(nil)
			return
		case err == nil:
			f.resp = append(f.resp, f.buf[:n]...)
		case errors.Is(err, unix.EAGAIN):
			if err := f.hfd.OnRead(f.receive); err != nil {
				f.finish(err)
			}
			return
		case errors.Is(err, unix.EINTR):
		default:
			f.finish(err)
			return
		}
	}
}

// abort ends the fetch early with err (timeout or cancellation).
func (f *cbFetch) abort(err error) {
	if !f.over {
		f.finish(err)
	}
}

// finish records the outcome, releases the timer, the registration and
// the socket, and tells Callbacks that one more fetch is over. The FD is
// unregistered before the socket is closed; a callback still pending on
// it then runs with ErrFDClosed and returns at once (f.over is set).
func (f *cbFetch) finish(err error) {
	f.over = true
	if err != nil {
		f.page.Err = err
	} else {
		*f.page = parsePage(f.resp)
	}
	if f.timer != nil {
		f.h.StopTimer(f.timer)
	}
	if f.hfd != nil {
		f.hfd.Close()
	}
	if f.fd >= 0 {
		unix.Close(f.fd)
	}
	f.finished()
}
