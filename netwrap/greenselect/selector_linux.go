package greenselect

import (
	"os"

	"golang.org/x/sys/unix"
)

// epollEvent is one entry of an epoll_wait result.
type epollEvent = unix.EpollEvent

// The epoll_ctl operations of Selector.ctl.
const (
	ctlAdd = unix.EPOLL_CTL_ADD
	ctlMod = unix.EPOLL_CTL_MOD
)

func epollEvents(ev Events) uint32 {
	var m uint32
	if ev&EventRead != 0 {
		m |= unix.EPOLLIN | unix.EPOLLRDHUP
	}
	if ev&EventWrite != 0 {
		m |= unix.EPOLLOUT
	}
	return m
}

func (s *Selector) ctl(op, fd int, ev Events) error {
	e := unix.EpollEvent{Events: epollEvents(ev), Fd: int32(fd)}
	if err := unix.EpollCtl(s.epfd, op, fd, &e); err != nil {
		return os.NewSyscallError("epoll_ctl", err)
	}
	return nil
}

// del takes fd out of the epoll set; a descriptor closed meanwhile has
// left it already.
func (s *Selector) del(fd int) error {
	if err := unix.EpollCtl(s.epfd, unix.EPOLL_CTL_DEL, fd, nil); err != nil && err != unix.EBADF && err != unix.ENOENT {
		return os.NewSyscallError("epoll_ctl", err)
	}
	return nil
}

// collect takes what the epoll set reports now, without waiting.
func (s *Selector) collect() ([]Ready, error) {
	var n int
	var err error
	// Through the raw file, whose reference count keeps the descriptor
	// open during the call even if Close runs meanwhile.
	cerr := s.rc.Control(func(fd uintptr) {
		for {
			n, err = unix.EpollWait(int(fd), s.evs, 0)
			if err != unix.EINTR {
				return
			}
		}
	})
	if cerr != nil {
		return nil, os.ErrClosed
	}
	if err != nil {
		if s.closed() {
			return nil, os.ErrClosed
		}
		return nil, os.NewSyscallError("epoll_wait", err)
	}
	if n == 0 {
		return nil, nil
	}
	out := make([]Ready, 0, n)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.evs[:n] {
		k, ok := s.keys[int(e.Fd)]
		if !ok {
			continue // unregistered meanwhile
		}
		var ev Events
		if e.Events&(unix.EPOLLIN|unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR|unix.EPOLLPRI) != 0 {
			ev |= EventRead
		}
		if e.Events&(unix.EPOLLOUT|unix.EPOLLHUP|unix.EPOLLERR) != 0 {
			ev |= EventWrite
		}
		if ev &= k.Events; ev != 0 {
			out = append(out, Ready{Key: k, Events: ev})
		}
	}
	return out, nil
}
