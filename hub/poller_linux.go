//go:build linux

package hub

import (
	"errors"
	"os"
	"runtime"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

type poller struct {
	epfd   int
	evfd   int
	noPW2  bool // the kernel lacks epoll_pwait2: use epoll_wait (ms)
	events [128]unix.EpollEvent

	// The epoll descriptor as an *os.File, registered with Go's own
	// netpoller when possible (rc != nil), so that a blocking wait parks
	// the loop goroutine in the Go scheduler instead of sitting in
	// epoll_wait while holding its P: a goroutine blocked in a system call
	// makes sysmon wake every 20 µs to retake the P and hand it off, which
	// on a busy one-core server doubled the context switches per request.
	// With rc nil, wait blocks in epoll_wait.
	file  *os.File
	rc    syscall.RawConn
	dl    int64 // read deadline set on file (UnixNano), 0 for none
	n     int   // results of tryWait
	werr  error
	tries int // tryWait calls in the current park
	tryFn func(uintptr) bool

	// lastSched is when the loop goroutine last went through the Go
	// scheduler (nanotime). Coroutine switches do not, so a hub that stays
	// busy would keep its P on one scheduler tick; after 10 ms sysmon then
	// treats it as a long-running goroutine and retakes the P from every
	// system call the greenlets make (handing it to another thread and
	// back), which cost a quarter of the throughput of a busy echo server
	// with 100 KiB messages. wait yields to the scheduler at least every
	// millisecond to prevent that.
	lastSched int64
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
	if unix.SetNonblock(epfd, true) == nil {
		// The File owns epfd from now on (close closes it through the
		// File); rc stays nil if the netpoller refuses it.
		p.file = os.NewFile(uintptr(epfd), "hub-epoll")
		if rc, err := p.file.SyscallConn(); err == nil && p.file.SetReadDeadline(time.Time{}) == nil {
			p.rc = rc
			p.tryFn = p.tryWait
		}
	}
	return nil
}

// tryWait is the netpoller callback: it collects the events that are
// ready, without blocking, and reports whether there were any.
func (p *poller) tryWait(uintptr) bool {
	p.tries++
	p.n, p.werr = unix.EpollWait(p.epfd, p.events[:], 0)
	return p.n != 0 || (p.werr != nil && p.werr != unix.EINTR)
}

// park waits for events in Go's netpoller (see poller.file), for at most
// timeoutNs (-1: no limit).
func (p *poller) park(timeoutNs int64) (int, error) {
	var dl int64
	if timeoutNs > 0 {
		dl = time.Now().UnixNano() + timeoutNs
	}
	if dl != p.dl {
		var t time.Time
		if dl != 0 {
			t = time.Unix(0, dl)
		}
		p.file.SetReadDeadline(t)
		p.dl = dl
	}
	p.tries = 0
	err := p.rc.Read(p.tryFn)
	if p.tries > 1 {
		p.lastSched = nanotime() // parked: went through the scheduler
	}
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return 0, nil // timed out
		}
		return 0, err
	}
	return p.n, p.werr
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

func (p *poller) wait(timeoutNs int64, ready func(tok pollToken, r, w, hup bool)) error {
	if now := nanotime(); now-p.lastSched > 1e6 {
		p.lastSched = now
		runtime.Gosched()
	}
	var n int
	var err error
	if p.rc != nil && timeoutNs != 0 {
		// park polls once without blocking before it parks.
		n, err = p.park(timeoutNs)
	} else {
		n, err = p.epollWait(timeoutNs)
	}
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
		hup := e&(unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) != 0
		ready(pollToken{fd: ev.Fd, gen: uint32(ev.Pad)}, r, w, hup)
	}
	return nil
}

// epollWait is the fallback when the netpoller refused the epoll
// descriptor (and the zero-timeout poll): it waits with nanosecond precision
// through epoll_pwait2 (Linux 5.11+), so that a 100 µs Sleep is not rounded
// up to a millisecond, or through epoll_wait, rounding up to whole
// milliseconds, on older kernels.
func (p *poller) epollWait(timeoutNs int64) (int, error) {
	if !p.noPW2 && timeoutNs != 0 {
		var ts *unix.Timespec
		var t unix.Timespec
		if timeoutNs > 0 {
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
	if p.file != nil {
		p.file.Close()
		return
	}
	unix.Close(p.epfd)
}
