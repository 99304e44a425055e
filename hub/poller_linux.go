//go:build linux

package hub

import (
	"errors"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

type poller struct {
	epfd   int
	evfd   int
	noPW2  bool // the kernel lacks epoll_pwait2: use epoll_wait (ms)
	events [128]unix.EpollEvent
}

func (p *poller) open() error {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return os.NewSyscallError("epoll_create1", err)
	}
	evfd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		unix.Close(epfd)
		return os.NewSyscallError("eventfd", err)
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(evfd), Pad: wakeGen}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, evfd, &ev); err != nil {
		unix.Close(epfd)
		unix.Close(evfd)
		return os.NewSyscallError("epoll_ctl", err)
	}
	p.epfd, p.evfd = epfd, evfd
	return nil
}

func (p *poller) add(fd int, tok pollToken) error {
	ev := unix.EpollEvent{
		Events: unix.EPOLLIN | unix.EPOLLOUT | unix.EPOLLRDHUP | unix.EPOLLET,
		Fd:     tok.fd,
		Pad:    int32(tok.gen),
	}
	err := unix.EpollCtl(p.epfd, unix.EPOLL_CTL_ADD, fd, &ev)
	if err == unix.EEXIST {
		// Registered before and never unregistered: take it over.
		err = unix.EpollCtl(p.epfd, unix.EPOLL_CTL_MOD, fd, &ev)
	}
	if err != nil {
		return os.NewSyscallError("epoll_ctl", err)
	}
	return nil
}

func (p *poller) del(fd int) error {
	err := unix.EpollCtl(p.epfd, unix.EPOLL_CTL_DEL, fd, nil)
	if err != nil && !errors.Is(err, unix.EBADF) && !errors.Is(err, unix.ENOENT) {
		return os.NewSyscallError("epoll_ctl", err)
	}
	return nil
}

func (p *poller) wait(timeoutNs int64, ready func(tok pollToken, r, w bool)) error {
	n, err := p.epollWait(timeoutNs)
	if err != nil {
		if err == unix.EINTR {
			return nil
		}
		return os.NewSyscallError("epoll_wait", err)
	}
	for i := 0; i < n; i++ {
		ev := &p.events[i]
		if ev.Fd == int32(p.evfd) && ev.Pad == wakeGen {
			var buf [8]byte
			unix.Read(p.evfd, buf[:])
			continue
		}
		e := ev.Events
		r := e&(unix.EPOLLIN|unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR|unix.EPOLLPRI) != 0
		w := e&(unix.EPOLLOUT|unix.EPOLLHUP|unix.EPOLLERR) != 0
		ready(pollToken{fd: ev.Fd, gen: uint32(ev.Pad)}, r, w)
	}
	return nil
}

// epollWait waits with nanosecond precision through epoll_pwait2 (Linux
// 5.11+), so that a 100 µs Sleep is not rounded up to a millisecond, and
// falls back to epoll_wait, rounding up to whole milliseconds, elsewhere.
func (p *poller) epollWait(timeoutNs int64) (int, error) {
	if !p.noPW2 {
		var ts *unix.Timespec
		var t unix.Timespec
		if timeoutNs >= 0 {
			t = unix.NsecToTimespec(timeoutNs)
			ts = &t
		}
		r, _, e := unix.Syscall6(unix.SYS_EPOLL_PWAIT2, uintptr(p.epfd),
			uintptr(unsafe.Pointer(&p.events[0])), uintptr(len(p.events)),
			uintptr(unsafe.Pointer(ts)), 0, 0)
		if e == 0 {
			return int(r), nil
		}
		if e != unix.ENOSYS && e != unix.EPERM {
			return 0, e
		}
		p.noPW2 = true
	}
	ms := -1
	if timeoutNs >= 0 {
		// Round up so that a timer due in 0.3 ms does not spin.
		ms = int((timeoutNs + 999_999) / 1_000_000)
	}
	return unix.EpollWait(p.epfd, p.events[:], ms)
}

func (p *poller) wake() {
	one := [8]byte{1, 0, 0, 0, 0, 0, 0, 0}
	for {
		_, err := unix.Write(p.evfd, one[:])
		if err != unix.EINTR {
			return
		}
	}
}

func (p *poller) close() {
	unix.Close(p.evfd)
	unix.Close(p.epfd)
}
