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
		name:    "countdown",
		summary: "three countdowns with different delays interleaving on one hub",
		run:     runCountdown,
	})
}

func runCountdown(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("countdown", "Three greenlets count down from -from, sleeping 1, 2 and 3 units between\nsteps; their lines interleave because they share one hub, which wakes each\nwhen its timer is due (the SleepingLoop example of coroutine tutorials).", out)
	from := fs.Int("from", 5, "where each countdown starts")
	unit := fs.Duration("unit", 100*time.Millisecond, "time unit of the delays")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from < 0 || *from > 1000 || *unit < 0 {
		return fmt.Errorf("need 0 <= -from <= 1000 and -unit >= 0")
	}
	start := time.Now()
	// countdown prints its steps; Sleep parks this greenlet only, so the
	// other countdowns run meanwhile.
	countdown := func(label string, n int, delay time.Duration) {
		for ; n > 0; n-- {
			fmt.Fprintf(out, "%7.3fs  %s: T-minus %d\n", time.Since(start).Seconds(), label, n)
			green.Sleep(delay)
		}
		fmt.Fprintf(out, "%7.3fs  %s: liftoff\n", time.Since(start).Seconds(), label)
	}
	// The main greenlet spawns and joins them; Ctrl-C (the end of ctx)
	// kills them.
	return green.Main(func() {
		green.JoinAll(
			green.SpawnContext(ctx, countdown, "A", *from, 1**unit),
			green.SpawnContext(ctx, countdown, "B", *from, 2**unit),
			green.SpawnContext(ctx, countdown, "C", *from, 3**unit),
		)
		if ctx.Err() != nil {
			fmt.Fprintln(out, "interrupted")
			return
		}
		sum := time.Duration(*from) * 6 * *unit
		fmt.Fprintf(out, "total %.2fs for %.2fs of sleeping: the countdowns overlapped\n", time.Since(start).Seconds(), sum.Seconds())
	})
}
