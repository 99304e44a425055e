//go:build unix

package crawl

import (
	"bytes"
	"context"
	"time"

	"golang.org/x/sys/unix"
)

// Options configures the strategies.
type Options struct {
	// Timeout bounds each fetch. Zero value: DefaultTimeout.
	Timeout time.Duration
	// Workers is the conc pool's bound. Zero value: 5.
	Workers int
}

// Strategy is one way of fetching the pages.
type Strategy struct {
	Name string // short name, used by -only and in the table
	Note string // what it shows
	Run  func(ctx context.Context, ts []Target, o Options) []Page
}

// Strategies returns the strategies in the order of the classic teaching
// path. The first one, sequential, is the reference for speed-ups and for
// the identical-results check.
func Strategies() []Strategy {
	return []Strategy{
		{"sequential", "blocking sockets, one page after another", func(ctx context.Context, ts []Target, o Options) []Page {
			return Sequential(ctx, ts, o.Timeout)
		}},
		{"goroutines", "one goroutine per page, blocking calls", func(ctx context.Context, ts []Target, o Options) []Page {
			return Goroutines(ctx, ts, o.Timeout)
		}},
		{"conc-pool", "bounded goroutine pool (sourcegraph/conc)", func(ctx context.Context, ts []Target, o Options) []Page {
			return ConcPool(ctx, ts, o.Timeout, o.workers())
		}},
		{"busy-poll", "non-blocking sockets retried in a tight loop", func(ctx context.Context, ts []Target, o Options) []Page {
			return BusyPoll(ctx, ts, o.Timeout)
		}},
		{"callbacks", "epoll readiness callbacks on the hub, no greenlets", func(ctx context.Context, ts []Target, o Options) []Page {
			return Callbacks(ctx, ts, o.Timeout, nil)
		}},
		{"netwrap", "green + netwrap: the sequential Fetch itself, a greenlet per page", func(ctx context.Context, ts []Target, o Options) []Page {
			return Netwrap(ctx, ts, o.Timeout, nil)
		}},
		{"greenlets", "greenhttp.DefaultClient: http.Get's shape, a greenlet per page", func(ctx context.Context, ts []Target, o Options) []Page {
			return Greenlets(ctx, ts, o.Timeout, nil)
		}},
	}
}

func (o Options) workers() int {
	if o.Workers <= 0 {
		return 5
	}
	return o.Workers
}

// Result is the measurement of one strategy.
type Result struct {
	Strategy Strategy
	Pages    []Page
	Wall     time.Duration
	CPU      time.Duration // user + system time of the whole process
	OK       int           // pages fetched without error
	Bytes    int64         // body bytes of those pages
}

// Measure runs s once and measures its wall time and the CPU time the
// process used meanwhile (getrusage; an in-process server's share is
// included, and is the same for every strategy).
func Measure(ctx context.Context, s Strategy, ts []Target, o Options) Result {
	cpu0 := cpuTime()
	t0 := time.Now()
	pages := s.Run(ctx, ts, o)
	wall := time.Since(t0)
	r := Result{Strategy: s, Pages: pages, Wall: wall, CPU: cpuTime() - cpu0}
	for _, p := range pages {
		if p.Err == nil {
			r.OK++
			r.Bytes += int64(len(p.Body))
		}
	}
	return r
}

// Same reports whether two runs fetched every page without error and got
// the same status and body bytes for each.
func Same(a, b []Page) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Err != nil || b[i].Err != nil || a[i].Status != b[i].Status || !bytes.Equal(a[i].Body, b[i].Body) {
			return false
		}
	}
	return true
}

// FirstError returns the first fetch error of pages, or nil.
func FirstError(pages []Page) error {
	for _, p := range pages {
		if p.Err != nil {
			return p.Err
		}
	}
	return nil
}

// cpuTime returns the user plus system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
