//go:build unix

package netwrap

import (
	"os"
	"time"

	"github.com/greenrt/green/netwrap/greenselect"
	"golang.org/x/sys/unix"
)

// WaitRead waits until the descriptor fd is readable (or at end of file or
// in error), or timeout passes (timeout < 0: no limit; 0: only check),
// gevent's wait_read. It returns nil, os.ErrDeadlineExceeded on timeout,
// or an *os.SyscallError (wrapping syscall.EBADF for a descriptor that is
// not open).
//
// Any descriptor will do, including one that a Conn or a greenos File has
// registered with the hub already, and any number of greenlets may wait on
// the same one: the wait goes through an epoll set of its own (as
// greenselect.Poll does), which never touches the hub's registrations.
// Nothing is read or written.
//
// In a greenlet it parks on the hub; from a plain goroutine it blocks in
// poll(2). In a hub callback the check without waiting (timeout 0) works
// and a wait fails with hub.ErrNotCoroutine.
//
// Cost: one poll(2) when fd is ready already. Otherwise the temporary
// epoll set costs an epoll_create, two epoll_ctl calls and its
// registration with the hub, and a second poll(2) once woken: for a
// socket of this package, its own WaitRead method is cheaper.
func WaitRead(fd int, timeout time.Duration) error { return waitFD(fd, timeout, unix.POLLIN) }

// WaitWrite is WaitRead for writability (gevent's wait_write).
func WaitWrite(fd int, timeout time.Duration) error { return waitFD(fd, timeout, unix.POLLOUT) }

func waitFD(fd int, timeout time.Duration, events int16) error {
	if fd < 0 || fd > 1<<31-1 {
		return os.NewSyscallError("poll", unix.EBADF)
	}
	p := []unix.PollFd{{Fd: int32(fd), Events: events}}
	var n int
	var err error
	if timeout < 0 {
		n, err = greenselect.Poll(p)
	} else {
		n, err = greenselect.PollTimeout(p, timeout)
	}
	switch {
	case err != nil:
		return err
	case n == 0:
		return errDeadline
	case p[0].Revents&unix.POLLNVAL != 0:
		return os.NewSyscallError("poll", unix.EBADF)
	}
	return nil
}
