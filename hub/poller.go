package hub

// The poller contract.
//
// A poller is the hub's window on the kernel's readiness notifications. It is
// owned by the hub loop goroutine: every method but wake is called only from
// that goroutine.
//
//   - open creates the kernel object (an epoll instance on Linux) and the
//     wake-up channel (an eventfd), or fails with ErrUnsupported.
//   - add registers fd once, edge-triggered, for both read and write
//     readiness. The token travels in the kernel's event data and comes back
//     with each event. It is never a Go pointer: it is the fd number and a
//     generation counter, so an event for a descriptor that was closed and
//     whose number was reused is recognised as stale and dropped.
//   - del unregisters fd. Closing an fd unregisters it implicitly.
//   - wait blocks for at most timeoutNs nanoseconds (-1: forever, 0: poll)
//     and calls ready(token, readable, writable, hangup) for each event (hangup:
//     the peer shut down, or an error is pending: a read will not block again). A wake-up
//     returns early and reports no event.
//   - wake may be called from any goroutine; it makes a concurrent or the
//     next wait return. The hub coalesces calls so that at most one wake-up
//     is in flight.
//   - close releases the kernel objects.

// pollToken identifies one registration: the fd number and its generation.
type pollToken struct {
	fd  int32
	gen uint32
}

// wakeGen marks the wake-up channel's registration; real registrations
// never use it.
const wakeGen = 0
