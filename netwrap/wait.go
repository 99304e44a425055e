package netwrap

import (
	"time"

	"github.com/greenrt/green/hub"
	"golang.org/x/sys/unix"
)

// WaitRead waits until the descriptor fd is readable (or at end of file or
// in error), or timeout passes (timeout < 0: no limit), gevent's
// wait_read. It returns nil, os.ErrDeadlineExceeded on timeout,
// ErrConcurrentUse if another greenlet waits to read fd, or a system
// error.
//
// In a greenlet it parks on the hub: fd is registered for the duration of
// the wait (two epoll_ctl calls), so it must not be registered with that
// hub otherwise (for instance be the descriptor of a Conn already used by
// one of its greenlets: use the Conn's methods instead). From a plain
// goroutine it blocks in poll(2). In a hub callback it panics with
// hub.ErrNotCoroutine.
func WaitRead(fd int, timeout time.Duration) error { return waitFD(fd, timeout, false) }

// WaitWrite is WaitRead for writability (gevent's wait_write).
func WaitWrite(fd int, timeout time.Duration) error { return waitFD(fd, timeout, true) }

func waitFD(fd int, timeout time.Duration, write bool) error {
	g, h := hub.Current()
	if g == nil {
		if h != nil {
			panic(hub.ErrNotCoroutine)
		}
		return pollFD(fd, timeout, write)
	}
	hfd, err := h.Register(fd)
	if err != nil {
		if err == hub.ErrFDBusy {
			return ErrConcurrentUse
		}
		return err
	}
	defer hfd.Close()
	wait := hfd.WaitRead
	if write {
		wait = hfd.WaitWrite
	}
	// A new registration is assumed ready; consume that so that the wait
	// below ends on the kernel's report (epoll reports the current state
	// of a descriptor when it is added).
	wait(0)
	switch err := wait(timeout); err {
	case nil:
		return nil
	case hub.ErrTimeout:
		return errDeadline
	default:
		return err
	}
}

func pollFD(fd int, timeout time.Duration, write bool) error {
	ev := int16(unix.POLLIN)
	if write {
		ev = unix.POLLOUT
	}
	var deadline time.Time
	if timeout >= 0 {
		deadline = time.Now().Add(timeout)
	}
	for {
		ms := -1
		if timeout >= 0 {
			left := time.Until(deadline)
			if left < 0 {
				left = 0
			}
			ms = int((left + time.Millisecond - 1) / time.Millisecond)
		}
		fds := []unix.PollFd{{Fd: int32(fd), Events: ev}}
		n, err := unix.Poll(fds, ms)
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return err
		case n > 0:
			return nil
		case timeout >= 0 && !time.Now().Before(deadline):
			return errDeadline
		}
	}
}
