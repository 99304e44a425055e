//go:build unix

package crawl

import (
	"context"
	"net"
	"sync"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/netwrap"
	"github.com/greenrt/green/netwrap/greenhttp"
	"github.com/sourcegraph/conc/pool"
)

// netDial is the blocking dial used by the thread-style strategies.
func netDial(network, addr string) (net.Conn, error) { return net.Dial(network, addr) }

// greenDial dials through netwrap: in a greenlet the connect parks the
// greenlet, and the returned conn parks it on every read and write that
// would block.
func greenDial(network, addr string) (net.Conn, error) {
	c, err := netwrap.Dial(network, addr)
	if err != nil {
		return nil, err // not a typed nil inside the interface
	}
	return c, nil
}

// Sequential fetches the pages one after another with blocking sockets:
// the wall time is the sum of the latencies.
func Sequential(ctx context.Context, ts []Target, timeout time.Duration) []Page {
	pages := make([]Page, len(ts))
	for i, t := range ts {
		pages[i] = Fetch(ctx, netDial, t, timeout)
	}
	return pages
}

// Goroutines fetches every page in its own goroutine (the threads of the
// classic path; Go's scheduler multiplexes them over epoll for us).
func Goroutines(ctx context.Context, ts []Target, timeout time.Duration) []Page {
	pages := make([]Page, len(ts))
	var wg sync.WaitGroup
	for i, t := range ts {
		wg.Go(func() { pages[i] = Fetch(ctx, netDial, t, timeout) })
	}
	wg.Wait()
	return pages
}

// ConcPool fetches the pages with at most workers goroutines at a time,
// using a bounded pool from github.com/sourcegraph/conc: the thread pool
// of the classic path.
func ConcPool(ctx context.Context, ts []Target, timeout time.Duration, workers int) []Page {
	pages := make([]Page, len(ts))
	p := pool.New().WithMaxGoroutines(max(workers, 1))
	for i, t := range ts {
		p.Go(func() { pages[i] = Fetch(ctx, netDial, t, timeout) })
	}
	p.Wait()
	return pages
}

// Greenlets fetches every page in its own greenlet on one hub h (nil: a
// new hub, stopped afterwards) with greenhttp.DefaultClient: the plain
// http.Get shape of a crawler, whose every wait (dial, write, read)
// parks its greenlet, so that all the waits overlap on one goroutine. The
// client's idle connections are closed at the end (they belong to the
// hub, which stops).
func Greenlets(ctx context.Context, ts []Target, timeout time.Duration, h *hub.Hub) []Page {
	return onHub(h, ts, func(t Target) Page { return Get(ctx, greenhttp.DefaultClient, t, timeout) }, greenhttp.DefaultClient.CloseIdleConnections)
}

// Netwrap is Greenlets one layer down, without greenhttp: the sequential
// strategy's own Fetch function, spawned once per page, dialling through
// netwrap. The very code that blocks a thread in Sequential parks a
// greenlet here: what greenhttp's Transport builds on.
func Netwrap(ctx context.Context, ts []Target, timeout time.Duration, h *hub.Hub) []Page {
	return onHub(h, ts, func(t Target) Page { return Fetch(ctx, greenDial, t, timeout) }, nil)
}

// onHub runs fetch for every target in a greenlet of its own on h (nil:
// a new hub, stopped afterwards, after done).
func onHub(h *hub.Hub, ts []Target, fetch func(Target) Page, done func()) []Page {
	if h == nil {
		nh, err := hub.New(hub.Config{})
		if err != nil {
			return fail(len(ts), err)
		}
		if err := nh.Start(); err != nil {
			return fail(len(ts), err)
		}
		defer nh.Stop()
		h = nh
	}
	if done != nil {
		defer done()
	}
	pages := make([]Page, len(ts))
	gs := make([]*green.Greenlet, len(ts))
	for i, t := range ts {
		gs[i] = green.SpawnOn(h, func() { pages[i] = fetch(t) })
	}
	green.JoinAll(gs...)
	for i, g := range gs {
		if err := g.Err(); err != nil && pages[i].Err == nil {
			pages[i].Err = err // the greenlet died (a panic): say so
		}
	}
	return pages
}

// fail returns n pages failed with err.
func fail(n int, err error) []Page {
	pages := make([]Page, n)
	for i := range pages {
		pages[i].Err = err
	}
	return pages
}
