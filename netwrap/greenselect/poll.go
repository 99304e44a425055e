//go:build unix

package greenselect

import (
	"os"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"golang.org/x/sys/unix"
)

// forever is the timeout of the waits without one.
const forever = time.Duration(-1)

// Poll is poll(2) for greenlets, gevent's select.poll: it waits until at
// least one of fds is ready for the events it asks for (unix.POLLIN,
// POLLOUT, POLLPRI, POLLRDHUP), fills in every Revents and returns how
// many entries have a non-zero Revents. As with poll(2), POLLERR, POLLHUP
// and POLLNVAL (a descriptor that is not open) are reported whatever was
// asked, a negative Fd is ignored, and regular files are always ready.
// With no descriptor to wait for it returns ErrNoFDs.
//
// In a greenlet it parks on the hub; from a plain goroutine it is poll(2);
// in a hub callback it returns hub.ErrNotCoroutine (PollTimeout with
// d <= 0, which does not wait, works there).
//
// Cost: one poll(2) when something is ready already. Otherwise a
// temporary epoll set of the descriptors (epoll_create, one epoll_ctl per
// descriptor, and its registration with the hub) and a second poll(2)
// once woken. A greenlet that polls the same descriptors in a loop should
// use a Selector.
func Poll(fds []unix.PollFd) (int, error) { return poll(fds, forever) }

// PollTimeout is Poll with a timeout: it returns 0 and no error once d has
// passed with nothing ready, and checks without waiting when d <= 0.
func PollTimeout(fds []unix.PollFd, d time.Duration) (int, error) {
	if d < 0 {
		d = 0
	}
	return poll(fds, d)
}

func poll(fds []unix.PollFd, d time.Duration) (int, error) {
	for i := range fds {
		fds[i].Revents = 0
	}
	n, err := pollNow(fds)
	if err != nil || n > 0 || d == 0 {
		return n, err
	}
	g, h := hub.Current()
	if g == nil && h != nil {
		return 0, hub.ErrNotCoroutine
	}
	valid := 0
	for _, p := range fds {
		if p.Fd >= 0 {
			valid++
		}
	}
	if valid == 0 {
		if d == forever {
			return 0, ErrNoFDs
		}
		green.Sleep(d)
		return 0, nil
	}
	if g == nil {
		return pollBlocking(fds, d)
	}
	return pollGreen(fds, d)
}

// pollNow is poll(2) without waiting.
func pollNow(fds []unix.PollFd) (int, error) {
	for {
		n, err := unix.Poll(fds, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0, os.NewSyscallError("poll", err)
		}
		return n, nil
	}
}

// pollBlocking is poll(2) for a plain goroutine, resumed after EINTR with
// what remains of the timeout.
func pollBlocking(fds []unix.PollFd, d time.Duration) (int, error) {
	var deadline time.Time
	if d != forever {
		deadline = time.Now().Add(d)
	}
	for {
		ms := -1
		if d != forever {
			left := time.Until(deadline)
			if left <= 0 {
				return 0, nil
			}
			ms = int((left + time.Millisecond - 1) / time.Millisecond)
		}
		n, err := unix.Poll(fds, ms)
		switch {
		case err == unix.EINTR:
		case err != nil:
			return 0, os.NewSyscallError("poll", err)
		default:
			return n, nil
		}
	}
}
