//go:build unix

package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/greenrt/green/green"
)

func init() {
	register(command{
		name:    "produce",
		summary: "producers and consumers over a bounded green Queue",
		run:     runProduce,
	})
}

func runProduce(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("produce", "Producers put numbered items into a bounded green.Queue; consumers take\nthem out and take longer per item, so producers wait whenever the queue is\nfull. When every producer is done the queue is shut down and the consumers\nfinish the items left, all on one hub and with no lock.", out)
	producers := fs.Int("producers", 2, "number of producer greenlets")
	consumers := fs.Int("consumers", 3, "number of consumer greenlets")
	items := fs.Int("items", 5, "items per producer")
	size := fs.Int("size", 2, "queue capacity")
	unit := fs.Duration("unit", 50*time.Millisecond, "time to produce an item; consuming takes 3 units")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *producers < 1 || *consumers < 1 || *items < 0 || *size < 1 || *unit < 0 ||
		*producers > 100 || *consumers > 100 || *items > 10000 {
		return fmt.Errorf("need 1..100 producers and consumers, 0..10000 items, -size >= 1, -unit >= 0")
	}
	start := time.Now()
	say := func(format string, a ...any) {
		fmt.Fprintf(out, "%7.3fs  %s\n", time.Since(start).Seconds(), fmt.Sprintf(format, a...))
	}
	q := green.NewQueue[string](*size)

	produce := func(id int) {
		for i := 1; i <= *items; i++ {
			green.Sleep(*unit) // making the item
			item := fmt.Sprintf("p%d-item%d", id, i)
			if q.Full() {
				say("producer %d waits: queue full", id)
			}
			if err := q.Put(item); err != nil { // parks while the queue is full
				return
			}
			say("producer %d put %s (queue %d/%d)", id, item, q.Len(), q.Cap())
		}
	}
	consumed := 0 // shared by the consumers: one hub, so no lock is needed
	consume := func(id int) {
		for item := range q.All() { // parks while empty; ends after Shutdown once drained
			green.Sleep(3 * *unit) // using the item
			consumed++
			say("consumer %d used %s", id, item)
		}
	}

	// The main greenlet spawns them (Ctrl-C, the end of ctx, kills them)
	// and coordinates the end of the run: once the producers are done, the
	// consumers may all be parked on the empty queue until Shutdown, and
	// only the hub's own work can be relied on to wake them (a plain
	// goroutine doing it would race with deadlock detection).
	return green.Main(func() {
		var ps, cs []*green.Greenlet
		for i := range *producers {
			ps = append(ps, green.SpawnContext(ctx, produce, i+1))
		}
		for i := range *consumers {
			cs = append(cs, green.SpawnContext(ctx, consume, i+1))
		}
		green.JoinAll(ps...)
		q.Shutdown() // no more items: consumers drain the rest and stop
		green.JoinAll(cs...)
		if ctx.Err() != nil {
			say("interrupted")
			return
		}
		say("done: %d items produced and consumed", consumed)
	})
}
