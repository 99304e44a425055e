package greenselect

import (
	"errors"
	"os"
	"time"

	"github.com/greenrt/green/netwrap/greenos"
	"golang.org/x/sys/unix"
)

// pollGreen parks the calling greenlet on a temporary epoll set of fds
// until one is ready or d passes.
func pollGreen(fds []unix.PollFd, d time.Duration) (int, error) {
	epfd, err := newEpoll()
	if err != nil {
		return 0, err
	}
	masks := make(map[int32]uint32, len(fds))
	for _, p := range fds {
		if p.Fd < 0 {
			continue
		}
		m := epollMask(p.Events)
		op := unix.EPOLL_CTL_ADD
		if old, ok := masks[p.Fd]; ok {
			m |= old
			op = unix.EPOLL_CTL_MOD
		}
		masks[p.Fd] = m
		ev := unix.EpollEvent{Events: m, Fd: p.Fd}
		if err := unix.EpollCtl(epfd, op, int(p.Fd), &ev); err != nil && err != unix.EPERM {
			// EPERM: a regular file, which poll(2) reports ready for
			// what was asked, and asked nothing here (or pollNow
			// would have returned it).
			unix.Close(epfd)
			return 0, os.NewSyscallError("epoll_ctl", err)
		}
	}
	f := greenos.NewFile(uintptr(epfd), "poll")
	if f == nil {
		unix.Close(epfd)
		return 0, os.NewSyscallError("epoll_create1", unix.EBADF)
	}
	defer f.Close()
	if d != forever {
		f.SetReadDeadline(time.Now().Add(d))
	}
	for {
		if err := f.WaitRead(); err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return 0, nil
			}
			return 0, err
		}
		n, err := pollNow(fds)
		if err != nil || n > 0 {
			return n, err
		}
		// Gone again before we looked (another reader took the data):
		// drain the set's report and wait for the next one.
		var evs [8]unix.EpollEvent
		unix.EpollWait(epfd, evs[:], 0)
	}
}

// epollMask turns poll(2) events into epoll's (level-triggered).
func epollMask(ev int16) uint32 {
	var m uint32
	if ev&unix.POLLIN != 0 {
		m |= unix.EPOLLIN
	}
	if ev&unix.POLLOUT != 0 {
		m |= unix.EPOLLOUT
	}
	if ev&unix.POLLPRI != 0 {
		m |= unix.EPOLLPRI
	}
	if ev&unix.POLLRDHUP != 0 {
		m |= unix.EPOLLRDHUP
	}
	return m
}

// newEpoll returns a non-blocking epoll descriptor, which Go's netpoller
// and the hub can both wait on.
func newEpoll() (int, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return -1, os.NewSyscallError("epoll_create1", err)
	}
	if err := unix.SetNonblock(epfd, true); err != nil {
		unix.Close(epfd)
		return -1, os.NewSyscallError("fcntl", err)
	}
	return epfd, nil
}

// pollRDHUP is Linux's POLLRDHUP: the peer closed its end (or shut down
// writing).
const pollRDHUP = unix.POLLRDHUP
