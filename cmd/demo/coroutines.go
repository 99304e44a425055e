//go:build unix

package main

import (
	"context"
	"fmt"
	"io"
	"iter"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/greenlet"
)

func init() {
	register(command{
		name:    "coroutines",
		summary: "from generators to greenlet's switch to gevent: the three steps in Go",
		run:     runCoroutines,
	})
}

func runCoroutines(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("coroutines", "The path gevent grew from, in three steps: a generator driven by its\nconsumer (Go's iter.Pull), raw greenlets switching explicitly (package\ngreenlet: greenlet's test1/test2), and gevent's spawn/join, where the hub\ndecides who runs next (package green).", out)
	if err := fs.Parse(args); err != nil {
		return err
	}

	fmt.Fprintln(out, "1. a generator: the consumer pulls, the producer runs up to its next yield")
	produce := func(yield func(int) bool) {
		for i := 1; i <= 3; i++ {
			fmt.Fprintf(out, "   produce %d\n", i)
			if !yield(i) {
				return
			}
		}
	}
	next, stop := iter.Pull(iter.Seq[int](produce))
	for {
		v, ok := next()
		if !ok {
			break
		}
		fmt.Fprintf(out, "   consume %d\n", v)
	}
	stop()

	fmt.Fprintln(out, "2. raw greenlets: each switch names the greenlet to resume")
	err := green.Main(func() {
		var gr1, gr2 *greenlet.Greenlet
		gr1 = greenlet.New(func(any) any {
			fmt.Fprintln(out, "   12")
			gr2.Switch(nil)
			fmt.Fprintln(out, "   34")
			return nil
		})
		gr2 = greenlet.New(func(any) any {
			fmt.Fprintln(out, "   56")
			gr1.Switch(nil)
			fmt.Fprintln(out, "   78") // never: nobody switches back to gr2
			return nil
		})
		gr1.Switch(nil)
	})
	if err != nil {
		return err
	}

	fmt.Fprintln(out, "3. gevent: greenlets park (sleep(0)) and the hub picks who runs next")
	return green.Main(func() {
		foo := green.Spawn(func() {
			fmt.Fprintln(out, "   Running in foo")
			green.Sleep(0)
			fmt.Fprintln(out, "   Explicit context switch to foo again")
		})
		bar := green.Spawn(func() {
			fmt.Fprintln(out, "   Explicit context to bar")
			green.Sleep(0)
			fmt.Fprintln(out, "   Implicit context switch back to bar")
		})
		green.JoinAll(foo, bar)
	})
}
