//go:build unix

package tests

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/greenrt/green/internal/crawl"
)

// startCrawl starts the latency server and resolves n of its pages.
func startCrawl(t *testing.T, latency time.Duration, n, size int) []crawl.Target {
	t.Helper()
	srv, err := crawl.StartServer(latency, size)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ts, err := crawl.Targets(context.Background(), srv.URLs(n))
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// Every strategy, blocking, pooled, busy-polled, callback-driven or
// greenlet-based, fetches exactly the bytes the server sent.
func TestCrawlStrategiesReturnIdenticalBytes(t *testing.T) {
	leakCheck(t)
	const n, size = 8, 40 << 10 // bigger than a socket read: many reads per page
	ts := startCrawl(t, 5*time.Millisecond, n, size)
	ctx := context.Background()
	var ref []crawl.Page
	for _, s := range crawl.Strategies() {
		pages := s.Run(ctx, ts, crawl.Options{Timeout: 20 * time.Second, Workers: 3})
		if err := crawl.FirstError(pages); err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		for i, p := range pages {
			if p.Status != 200 || !bytes.Equal(p.Body, crawl.PageBody(i, size)) {
				t.Fatalf("%s: page %d: status %d, %d bytes, not the page sent", s.Name, i, p.Status, len(p.Body))
			}
		}
		if ref == nil {
			ref = pages
		} else if !crawl.Same(ref, pages) {
			t.Fatalf("%s: results differ from %s", s.Name, crawl.Strategies()[0].Name)
		}
	}
}

// A fetch that cannot succeed fails with an error in every strategy (here
// the connection is refused), instead of hanging or inventing a page.
func TestCrawlStrategiesReportErrors(t *testing.T) {
	leakCheck(t)
	srv, err := crawl.StartServer(0, 10)
	if err != nil {
		t.Fatal(err)
	}
	urls := srv.URLs(2)
	srv.Close() // nobody listens on that port any more
	ts, err := crawl.Targets(context.Background(), urls)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range crawl.Strategies() {
		pages := s.Run(context.Background(), ts, crawl.Options{Timeout: 20 * time.Second})
		for i, p := range pages {
			if p.Err == nil {
				t.Errorf("%s: page %d: no error from a closed port", s.Name, i)
			}
		}
	}
}

// Greenlets on one hub overlap the latency of all pages: the crawl is at
// least 5 times faster than the sequential one (10 pages of 50 ms: about
// 10x in theory). Both are measured in the same run and only their ratio
// is checked; a loaded machine gets three attempts.
func TestGreenletCrawlFasterThanSequential(t *testing.T) {
	leakCheck(t)
	ts := startCrawl(t, 50*time.Millisecond, 10, 4<<10)
	ctx := context.Background()
	o := 20 * time.Second
	var ratio float64
	for attempt := 1; attempt <= 3; attempt++ {
		t0 := time.Now()
		seq := crawl.Sequential(ctx, ts, o)
		tSeq := time.Since(t0)
		t0 = time.Now()
		gr := crawl.Greenlets(ctx, ts, o, nil)
		tGreen := time.Since(t0)
		if !crawl.Same(seq, gr) {
			t.Fatalf("greenlet pages differ from sequential ones (errors: %v, %v)", crawl.FirstError(seq), crawl.FirstError(gr))
		}
		ratio = tSeq.Seconds() / tGreen.Seconds()
		t.Logf("attempt %d: sequential %v, greenlets %v: %.1fx", attempt, tSeq, tGreen, ratio)
		if ratio >= 5 {
			return
		}
	}
	t.Fatalf("greenlets only %.1fx faster than sequential, want >= 5x", ratio)
}

// Cancelling the context ends every strategy early with errors, even while
// the server is still sitting on the requests.
func TestCrawlCancel(t *testing.T) {
	leakCheck(t)
	ts := startCrawl(t, time.Hour, 3, 10)
	for _, s := range crawl.Strategies() {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(20*time.Millisecond, cancel)
		pages := s.Run(ctx, ts, crawl.Options{Timeout: time.Hour})
		cancel()
		if crawl.FirstError(pages) == nil {
			t.Errorf("%s: no error after cancellation", s.Name)
		}
	}
}
