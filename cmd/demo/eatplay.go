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
		name:    "eatplay",
		summary: "gevent's classic: eat (3s) and play (5s) on one thread finish in about 5s, not 8s",
		run:     runEatPlay,
	})
}

func runEatPlay(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("eatplay", "Two greenlets sleep 3 and 5 units concurrently on one hub.", out)
	scale := fs.Float64("scale", 1, "multiply every sleep by this factor (0.01 makes the demo take 50 ms)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *scale < 0 {
		return fmt.Errorf("-scale must not be negative")
	}
	unit := time.Duration(float64(time.Second) * *scale)
	start := time.Now()
	say := func(format string, a ...any) {
		fmt.Fprintf(out, "%7.3fs  %s\n", time.Since(start).Seconds(), fmt.Sprintf(format, a...))
	}
	eat := func(name string) {
		say("%s eat start", name)
		green.Sleep(3 * unit)
		say("%s eat end", name)
	}
	play := func(name string) {
		say("%s play start", name)
		green.Sleep(5 * unit)
		say("%s play end", name)
	}
	// The main greenlet spawns and joins them; Ctrl-C (the end of ctx)
	// kills them.
	return green.Main(func() {
		green.JoinAll(green.SpawnContext(ctx, eat, "egon"), green.SpawnContext(ctx, play, "alex"))
		if ctx.Err() != nil {
			say("interrupted")
			return
		}
		say("all done: 3+5 units of sleeping took %.2f units on one hub", time.Since(start).Seconds()/unit.Seconds())
	})
}
