package green

import (
	"iter"
	"time"

	"github.com/greenrt/green/hub"
)

// Channel is a rendezvous between greenlets and goroutines (gevent's
// Channel): Put waits until a Get takes the item, and Get waits until a Put
// offers one. It holds no items. Blocked putters and getters are served in
// FIFO order, and a getter cancelled by a timeout or a kill never consumes
// an item (in the rare case where a getter is killed after a putter handed
// it an item but before it ran, the item goes to the next getter, ahead of
// the putters).
//
// The zero value is ready to use and bound to a hub at first use (see
// BindHub). Every method is safe from any goroutine, with the same rules,
// costs and timeout convention as for Queue.
type Channel[T any] struct {
	q queue[T, rendezvous]
}

// BindHub binds the channel to h before first use (see Event.BindHub).
func (c *Channel[T]) BindHub(h *hub.Hub) error { return c.q.BindHub(h) }

// Hub returns the hub the channel is bound to.
func (c *Channel[T]) Hub() *hub.Hub { return c.q.Hub() }

// Put offers v and waits until a getter takes it. Handing v to a getter
// of the channel's hub that was already waiting lets that getter run
// before Put returns (gevent's order: "sending", "hello", "sent hello"),
// at the cost of one more switch per item. It fails with
// ErrQueueShutDown after Shutdown (or when Shutdown ends the wait).
func (c *Channel[T]) Put(v T) error {
	g, _, local := c.q.where()
	handoff := local && g != nil && !c.q.getters.Empty()
	_, err := c.q.op(opPut, v, forever)
	if handoff && err == nil {
		// Handed to a parked getter: let it run before the putter goes
		// on, as gevent's put switches ("sending", "hello", "sent hello").
		g.Yield()
	}
	return err
}

// PutTimeout is Put waiting at most d (d <= 0: only try); it fails with
// ErrQueueFull when no getter took v.
func (c *Channel[T]) PutTimeout(v T, d time.Duration) error { return c.q.PutTimeout(v, d) }

// PutNowait hands v to a waiting getter, or fails with ErrQueueFull.
func (c *Channel[T]) PutNowait(v T) error { return c.q.PutNowait(v) }

// Get waits for a putter and takes its item. It fails with
// ErrQueueShutDown once the channel is shut down.
func (c *Channel[T]) Get() (T, error) {
	var zero T
	return c.q.op(opGet, zero, forever)
}

// GetTimeout is Get waiting at most d (d <= 0: only try); it fails with
// ErrQueueEmpty.
func (c *Channel[T]) GetTimeout(d time.Duration) (T, error) { return c.q.GetTimeout(d) }

// GetNowait takes the item of a waiting putter, or fails with
// ErrQueueEmpty.
func (c *Channel[T]) GetNowait() (T, error) { return c.q.GetNowait() }

// Waiting returns the number of callers blocked in Get and in Put
// (gevent's balance is putters - getters).
func (c *Channel[T]) Waiting() (getters, putters int) {
	c.q.now(false, func() error {
		getters, putters = c.q.getters.Waiting(), c.q.putters.Waiting()
		return nil
	})
	return
}

// Shutdown fails every blocked and future Put, and every blocked and future
// Get, with ErrQueueShutDown. Calling it again does nothing.
func (c *Channel[T]) Shutdown() error { return c.q.Shutdown() }

// All returns an iterator that gets items until the channel is shut down.
func (c *Channel[T]) All() iter.Seq[T] { return c.q.All() }
