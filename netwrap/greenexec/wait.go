//go:build unix

package greenexec

import (
	"time"

	"github.com/greenrt/green/hub"
	"golang.org/x/sys/unix"
)

// Wait waits for the command to exit and for the copying of its I/O to
// finish, and releases its resources, like exec.Cmd.Wait: the error is nil
// for a zero exit with no copying problem, an *ExitError for an
// unsuccessful exit, the context's error if Cancel interrupted an
// otherwise successful run, or ErrWaitDelay.
//
// In a greenlet it parks: the child's exit is awaited on a pidfd
// registered with the hub (Linux 5.3 and later), or, where pidfd_open is
// refused (older kernels, seccomp filters), through SIGCHLD: one plain
// goroutine, running while some greenlet waits this way, receives the
// signal and checks the awaited children without blocking (waitid with
// WNOHANG|WNOWAIT), as gevent's child watchers do; the waiting greenlet's
// hub is held meanwhile. Once the child has exited it is reaped at once,
// so no zombie is left.
//
// A greenlet killed (or interrupted by a green.Timeout) while it waits
// kills the process (SIGKILL), closes the command's pipes and lets a plain
// goroutine reap it, so that neither a running child nor a zombie
// outlives the wait. To let a child outlive the greenlet, Start it and
// leave the Wait to a greenlet or goroutine that is not killed.
//
// From a plain goroutine it blocks like exec.Cmd.Wait. In a hub callback
// it fails with hub.ErrNotCoroutine (and may be called again elsewhere).
// A second call fails with ErrWaitCalled, one before Start with
// ErrNotStarted.
func (c *Cmd) Wait() error {
	if c.Process == nil {
		return ErrNotStarted
	}
	if c.waited || c.ProcessState != nil {
		return ErrWaitCalled
	}
	g, h := hub.Current()
	if g == nil && h != nil {
		return hub.ErrNotCoroutine
	}
	c.waited = true
	finished := false
	defer func() {
		if !finished {
			c.abandon()
		}
	}()
	if g != nil {
		if err := c.waitExit(h); err != nil {
			return err // the hub is stopping: the deferred abandon kills and reaps
		}
	}
	err := c.inner.Wait() // the child has exited: this reaps it at once
	c.reaped = true
	c.ProcessState = c.inner.ProcessState
	var firedAt time.Time
	if c.watch != nil {
		var werr error
		firedAt, werr = c.watch.finish()
		if err == nil && werr != nil {
			err = werr
		}
	}
	if cerr := c.awaitCopiers(firedAt); err == nil {
		err = cerr
	}
	closeAll(c.parentPipes)
	c.parentPipes = nil
	finished = true
	return err
}

// waitExit parks the calling greenlet of h until the child has exited,
// without reaping it.
func (c *Cmd) waitExit(h *hub.Hub) error {
	pid := c.Process.Pid
	pidfd, err := pidfdOpen(pid)
	if err != nil {
		return children.wait(pid, h)
	}
	defer unix.Close(pidfd)
	hfd, err := h.Register(pidfd)
	if err != nil {
		return children.wait(pid, h)
	}
	defer hfd.Close()
	hfd.WaitRead(0) // a new registration counts as ready: consume that
	for !exited(pidfd) {
		if err := hfd.WaitRead(-1); err != nil {
			return err
		}
	}
	return nil
}

// exited reports whether the pidfd is readable: the process has exited.
func exited(pidfd int) bool {
	p := []unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}
	for {
		n, err := unix.Poll(p, 0)
		if err == unix.EINTR {
			continue
		}
		return err != nil || n > 0
	}
}

// awaitCopiers waits for the copying greenlets or goroutines, at most
// WaitDelay (from when the context was done, or from now) if it is set;
// then it closes the pipes, waits for the copiers to notice and returns
// ErrWaitDelay.
func (c *Cmd) awaitCopiers(firedAt time.Time) error {
	grp := c.io
	if grp == nil {
		return nil
	}
	if c.WaitDelay <= 0 {
		grp.l.wait(true, 0)
		return grp.err()
	}
	start := firedAt
	if start.IsZero() {
		start = time.Now()
	}
	if grp.l.wait(false, time.Until(start.Add(c.WaitDelay))) {
		return grp.err()
	}
	closeAll(c.parentPipes)
	grp.l.wait(true, 0)
	return ErrWaitDelay
}

// abandon runs when a Wait ends early (its greenlet was killed, or the hub
// stopped under it): kill the process, close its pipes so the copiers end,
// stop the context watch and reap the child on a plain goroutine.
func (c *Cmd) abandon() {
	c.Process.Kill()
	closeAll(c.parentPipes)
	c.parentPipes = nil
	if c.watch != nil {
		c.watch.abandon()
	}
	if !c.reaped {
		c.reaped = true
		go c.inner.Wait() // returns as soon as the killed child is gone
	}
}
