// Package gsem is a counting semaphore whose Acquire honours a context and
// parks a greenlet (or blocks a plain goroutine) through hub.Waiter: the
// guard the integrations put in front of connection pools that would
// otherwise wait on Go channels.
//
// It is green.Semaphore plus context cancellation (green.Semaphore has
// AcquireTimeout but no context, and waiting on a semaphore and an event
// at once wakes every waiter on each release). Waiters are served in FIFO
// order. Every method is safe from any goroutine and from greenlets of any
// hub; the state is guarded by a sync.Mutex that is held for a few
// instructions and never across a wait.
package gsem
