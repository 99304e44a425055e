package green

import (
	"iter"
	"time"
)

// Channel is a rendezvous between greenlets (gevent's Channel): Put waits
// until a Get takes the item, and Get waits until a Put offers one. It
// holds no items. Blocked putters and getters are served in FIFO order,
// and a getter cancelled by a timeout or a kill never consumes an item (in
// the rare case where a getter is killed after a putter handed it an item
// but before it ran, the item goes to the next getter, ahead of the
// putters).
//
// The zero value is ready to use and bound to a hub at first use (see
// BindHub). Every method is safe from any goroutine, with the same rules
// and costs as for Queue. Timeouts: d < 0 waits without limit, d == 0 does
// not wait, d > 0 waits at most d.
type Channel[T any] struct {
	queue[T]
}

// Put offers v and waits until a getter takes it. It fails with
// ErrQueueShutDown after Shutdown (or when Shutdown ends the wait).
func (c *Channel[T]) Put(v T) error { return c.doPut(kindChannel, v, forever) }

// PutTimeout is Put waiting at most d; it fails with ErrQueueFull when no
// getter took v.
func (c *Channel[T]) PutTimeout(v T, d time.Duration) error { return c.doPut(kindChannel, v, d) }

// PutNowait hands v to a waiting getter, or fails with ErrQueueFull.
func (c *Channel[T]) PutNowait(v T) error { return c.doPut(kindChannel, v, 0) }

// Get waits for a putter and takes its item. It fails with
// ErrQueueShutDown once the channel is shut down.
func (c *Channel[T]) Get() (T, error) { return c.doGet(kindChannel, forever) }

// GetTimeout is Get waiting at most d; it fails with ErrQueueEmpty.
func (c *Channel[T]) GetTimeout(d time.Duration) (T, error) { return c.doGet(kindChannel, d) }

// GetNowait takes the item of a waiting putter, or fails with
// ErrQueueEmpty.
func (c *Channel[T]) GetNowait() (T, error) { return c.doGet(kindChannel, 0) }

// Waiting returns the number of greenlets blocked in Get and in Put
// (gevent's balance is putters - getters).
func (c *Channel[T]) Waiting() (getters, putters int) {
	c.doNow(func() error { getters, putters = c.waiters(); return nil })
	return
}

// Shutdown fails every blocked and future Put, and every blocked and future
// Get, with ErrQueueShutDown. Calling it again does nothing.
func (c *Channel[T]) Shutdown() error { return c.doShutdown() }

// All returns an iterator that gets items until the channel is shut down.
func (c *Channel[T]) All() iter.Seq[T] { return c.all(kindChannel) }
