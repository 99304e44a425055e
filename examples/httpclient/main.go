//go:build unix

// Command httpclient is gevent's "requests in 20 greenlets": with
// monkey.patch_all(), requests.get in 20 greenlets overlaps; here
// greenhttp.Get (http.Get's twin on greenhttp.DefaultClient) does.
//
//	go run ./examples/httpclient
//
// The site is a local server (net/http on goroutines, no network needed)
// whose pages answer after 100 ms. A heartbeat greenlet ticks every 10
// ms on the same hub meanwhile: with greenhttp it keeps ticking; with
// net/http's own http.Get, which waits for its Transport's goroutines on
// a channel, the whole hub stops with every request, and the blocking
// monitor says so.
package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/internal/crawl"
	"github.com/greenrt/green/netwrap/greenhttp"
)

// fetchAll fetches every URL in its own greenlet with get and returns the
// wall time, how many bytes came back and how often the heartbeat ticked.
func fetchAll(urls []string, get func(string) (*http.Response, error)) (time.Duration, int, int) {
	ticks := 0
	heartbeat := green.Spawn(func() {
		for {
			green.Sleep(10 * time.Millisecond)
			ticks++
		}
	})
	start := time.Now()
	jobs := make([]*green.Greenlet, len(urls))
	for i, u := range urls {
		jobs[i] = green.Spawn(func() (int, error) {
			resp, err := get(u)
			if err != nil {
				return 0, err
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			return len(b), err
		})
	}
	green.JoinAll(jobs...) // gevent.joinall(jobs)
	wall := time.Since(start)
	heartbeat.Kill()
	total := 0
	for _, j := range jobs {
		if v, err := j.Get(); err == nil {
			total += v.(int)
		} else {
			fmt.Println("request failed:", err)
		}
	}
	return wall, total, ticks
}

func main() {
	// The blocking monitor (on for every hub, 100 ms by default) reports
	// each greenlet that holds its hub too long: net/http's Get below
	// does, for as long as a page takes. Report stalls of 50 ms, print
	// the first report in short and count the others, instead of logging
	// each with its stack.
	var stalls atomic.Int32
	hub.Default().SetMaxBlockingTime(50 * time.Millisecond)
	hub.Default().SetErrorHandler(func(err error) {
		var be *hub.BlockingError
		switch {
		case !errors.As(err, &be):
			fmt.Println("error:", err)
		case !be.Ended && stalls.Add(1) == 1:
			fmt.Printf("blocking monitor: %s blocked the hub for %v+ [%s in %s]\n",
				be.Holder(), be.Threshold, be.State, be.Where())
		}
	})

	site, err := crawl.StartServer(100*time.Millisecond, 2048)
	if err != nil {
		panic(err)
	}
	defer site.Close()
	urls := site.URLs(20)

	// Everything below runs in the main greenlet, as a gevent program's
	// module code does.
	green.Main(func() {
		wall, n, ticks := fetchAll(urls, greenhttp.Get)
		fmt.Printf("greenhttp.Get:  20 pages (%d bytes) in %v; heartbeat ticked %d times\n", n, wall.Round(10*time.Millisecond), ticks)
		greenhttp.DefaultClient.CloseIdleConnections()

		wall, n, ticks = fetchAll(urls, http.Get)
		fmt.Printf("net/http's Get: 20 pages (%d bytes) in %v; heartbeat ticked %d times (the hub stalled)\n", n, wall.Round(10*time.Millisecond), ticks)
		http.DefaultClient.CloseIdleConnections()
	})
	time.Sleep(50 * time.Millisecond) // the monitor's last look
	fmt.Printf("blocking monitor: %d stalls reported\n", stalls.Load())
}
