//go:build unix

// Package greenselect is gevent's select, poll, selectors and
// wait_readwrite for greenlets: waiting for readiness on many descriptors
// at once, parking the greenlet on the hub instead of blocking it in
// poll(2).
//
//	fds := []unix.PollFd{{Fd: a, Events: unix.POLLIN}, {Fd: b, Events: unix.POLLIN}}
//	n, err := greenselect.PollTimeout(fds, time.Second) // the greenlet parks
//
//	r, w, x, err := greenselect.Select([]int{a, b}, []int{c}, nil)
//
//	sel, _ := greenselect.NewSelector()          // a persistent set, as Python's selectors
//	sel.Register(a, greenselect.EventRead, "a")
//	ready, err := sel.Select()
//
// Poll and Select work on any descriptor, including ones a netwrap Conn
// or greenos File has registered with the hub already: they wait through
// an epoll set of their own (which the hub watches), so they never disturb
// those registrations. The descriptors are not read or written: after a
// wait, read them with their cooperative wrappers (netwrap, greenos).
//
// # Timeouts
//
// Each wait comes in two forms: X waits until something is ready; XTimeout
// takes a duration d, returns "nothing ready" (Poll: 0; Select: empty
// lists; WaitReadWrite: os.ErrDeadlineExceeded) once d has passed, and
// checks without waiting when d <= 0. A wait without a timeout over no
// descriptor at all fails with ErrNoFDs instead of hanging; with a
// timeout it is a sleep, as poll(2) with no descriptors is.
//
// # Who may call what
//
// Every function and method is safe from any goroutine. In a greenlet,
// waits park on the hub; kills and green.Timeout interrupts unwind them
// (the temporary epoll set is closed on the way). From a plain goroutine
// they are poll(2) (Selector: epoll_wait in Go's netpoller). In a hub
// callback the checks that do not wait (XTimeout with d <= 0) work and the
// waits fail with hub.ErrNotCoroutine.
//
// # Errors
//
// System call failures are *os.SyscallError values; a descriptor that is
// not open is POLLNVAL in Poll's results (as poll(2)) and a
// *os.SyscallError wrapping syscall.EBADF from Select and WaitReadWrite
// (as select(2)). Selector errors are this package's sentinels
// (errors.go) and os.ErrClosed after Close. Off Linux, where no hub runs
// and there is no epoll, Poll and Select are poll(2) and NewSelector fails
// with hub.ErrUnsupported.
//
// # Cost
//
// A wait that finds something ready at once is one poll(2) (Selector: one
// epoll_wait). A Poll or Select that must wait builds a temporary epoll
// set: epoll_create, one epoll_ctl per descriptor, its registration with
// the hub and Go's netpoller, and a second poll(2) when woken; so for a
// set waited on repeatedly, use a Selector, which pays its epoll_ctl calls
// once at Register.
package greenselect
