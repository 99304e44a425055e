//go:build unix

package greenselect

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// Select is gevent's select.select for greenlets: it waits until at least
// one descriptor of r is readable (or at end of file, hung up or in
// error), one of w writable, or one of x has an exceptional condition
// (POLLPRI: TCP urgent data, a tty packet-mode change), and returns those
// descriptors, in the order given. A descriptor may appear in several
// lists. A negative or closed descriptor fails the whole call with an
// *os.SyscallError wrapping syscall.EBADF, as select(2) does. With no
// descriptors at all it returns ErrNoFDs.
//
// It is Poll underneath: see there for who may call it and the cost. There
// is no FD_SETSIZE limit.
func Select(r, w, x []int) (rr, wr, xr []int, err error) { return selectFDs(r, w, x, forever) }

// SelectTimeout is Select with a timeout: three empty lists and no error
// once d has passed with nothing ready; d <= 0 checks without waiting.
func SelectTimeout(r, w, x []int, d time.Duration) (rr, wr, xr []int, err error) {
	if d < 0 {
		d = 0
	}
	return selectFDs(r, w, x, d)
}

func selectFDs(r, w, x []int, d time.Duration) (rr, wr, xr []int, err error) {
	idx := make(map[int]int)
	var fds []unix.PollFd
	add := func(list []int, ev int16) error {
		for _, fd := range list {
			if fd < 0 || fd > 1<<31-1 {
				return os.NewSyscallError("select", unix.EBADF)
			}
			i, ok := idx[fd]
			if !ok {
				i = len(fds)
				idx[fd] = i
				fds = append(fds, unix.PollFd{Fd: int32(fd)})
			}
			fds[i].Events |= ev
		}
		return nil
	}
	if err := add(r, unix.POLLIN); err != nil {
		return nil, nil, nil, err
	}
	if err := add(w, unix.POLLOUT); err != nil {
		return nil, nil, nil, err
	}
	if err := add(x, unix.POLLPRI); err != nil {
		return nil, nil, nil, err
	}
	if _, err := poll(fds, d); err != nil {
		return nil, nil, nil, err
	}
	for _, p := range fds {
		if p.Revents&unix.POLLNVAL != 0 {
			return nil, nil, nil, os.NewSyscallError("select", unix.EBADF)
		}
	}
	pick := func(list []int, ready int16) []int {
		var out []int
		for _, fd := range list {
			if fds[idx[fd]].Revents&ready != 0 {
				out = append(out, fd)
			}
		}
		return out
	}
	// The sets of Linux's select(2): POLLIN_SET, POLLOUT_SET, POLLEX_SET.
	rr = pick(r, unix.POLLIN|unix.POLLHUP|unix.POLLERR|pollRDHUP)
	wr = pick(w, unix.POLLOUT|unix.POLLERR)
	xr = pick(x, unix.POLLPRI)
	return rr, wr, xr, nil
}

// WaitReadWrite waits until fd is readable or writable (or hung up, or in
// error), gevent's wait_readwrite, and tells which. A descriptor that is
// not open fails with an *os.SyscallError wrapping syscall.EBADF. It is
// Poll on one descriptor: see there for who may call it and the cost.
func WaitReadWrite(fd int) (readable, writable bool, err error) {
	return waitReadWrite(fd, forever)
}

// WaitReadWriteTimeout is WaitReadWrite with a timeout: it fails with
// os.ErrDeadlineExceeded once d has passed with fd neither readable nor
// writable; d <= 0 checks without waiting.
func WaitReadWriteTimeout(fd int, d time.Duration) (readable, writable bool, err error) {
	if d < 0 {
		d = 0
	}
	return waitReadWrite(fd, d)
}

func waitReadWrite(fd int, d time.Duration) (readable, writable bool, err error) {
	if fd < 0 || fd > 1<<31-1 {
		return false, false, os.NewSyscallError("poll", unix.EBADF)
	}
	p := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN | unix.POLLOUT}}
	n, err := poll(p, d)
	if err != nil {
		return false, false, err
	}
	if n == 0 {
		return false, false, os.ErrDeadlineExceeded
	}
	ev := p[0].Revents
	if ev&unix.POLLNVAL != 0 {
		return false, false, os.NewSyscallError("poll", unix.EBADF)
	}
	readable = ev&(unix.POLLIN|unix.POLLHUP|unix.POLLERR|pollRDHUP) != 0
	writable = ev&(unix.POLLOUT|unix.POLLERR) != 0
	return readable, writable, nil
}
