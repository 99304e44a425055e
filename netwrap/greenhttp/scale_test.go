//go:build unix

package greenhttp_test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/internal/testutil"
	"github.com/greenrt/green/netwrap/greenhttp"
)

// startLatencyServer runs, in a child process (so that its CPU time is
// not the client's), a net/http server whose answers take latency, and
// returns its address.
func startLatencyServer(t testing.TB, latency time.Duration) string {
	return startChild(t, "TestLatencyServerChild", "GREENHTTP_LATENCY="+latency.String()).await(t, "ADDR ")
}

// TestLatencyServerChild is the child process of startLatencyServer.
func TestLatencyServerChild(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("GREENHTTP_LATENCY"))
	if err != nil {
		t.Skip("child process of the client comparisons")
	}
	raiseFileLimit(t, 1000)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(d)
		io.WriteString(w, "answer after a while")
	})}
	ss := startStdServer(t, srv.Handler)
	fmt.Println("ADDR " + ss.addr)
	io.Copy(io.Discard, os.Stdin) // until the parent is done
}

// cpuTime returns the process's user plus system time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// scaleFetch makes each requests in a row with c, reading every body.
func scaleFetch(c *http.Client, url string, each int) error {
	for range each {
		resp, err := c.Get(url)
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// scaleGreen runs workers greenlets on th, each making each requests
// with a fresh greenhttp Transport keeping perHost idle connections, and
// returns the wall and process CPU time.
func scaleGreen(t testing.TB, th *testutil.Hub, url string, workers, each, perHost int) (time.Duration, time.Duration) {
	tr := &greenhttp.Transport{MaxIdleConnsPerHost: perHost}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	var wall time.Duration
	cpu0 := cpuTime()
	inGreenlet(t, th.Hub, func() {
		start := time.Now()
		gs := make([]*green.Greenlet, workers)
		for i := range gs {
			gs[i] = green.Spawn(func() error { return scaleFetch(c, url, each) })
		}
		joinAll(t, gs...)
		wall = time.Since(start)
	})
	return wall, cpuTime() - cpu0
}

// scaleStd is scaleGreen with net/http's Transport on goroutines.
func scaleStd(t testing.TB, url string, workers, each, perHost int) (time.Duration, time.Duration) {
	tr := &http.Transport{MaxIdleConnsPerHost: perHost}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	cpu0 := cpuTime()
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() { errs <- scaleFetch(c, url, each) })
	}
	wg.Wait()
	wall := time.Since(start)
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return wall, cpuTime() - cpu0
}

// BenchmarkClient200x20 is one round of the client comparison per
// iteration (see TestClientScaleBeside200Goroutines): reported per
// request, with the process's CPU time per request.
func BenchmarkClient200x20(b *testing.B) {
	const workers, each = 200, 20
	raiseFileLimit(b, 2*workers+200)
	th := testutil.NewHub(b)
	url := "http://" + startLatencyServer(b, 5*time.Millisecond) + "/"
	report := func(b *testing.B, wall, cpu time.Duration) {
		n := float64(b.N * workers * each)
		b.ReportMetric(float64(wall.Nanoseconds())/n, "wall-ns/req")
		b.ReportMetric(float64(cpu.Nanoseconds())/n, "cpu-ns/req")
		b.ReportMetric(0, "ns/op")
	}
	b.Run("greenhttp", func(b *testing.B) {
		var wall, cpu time.Duration
		for range b.N {
			w, c := scaleGreen(b, th, url, workers, each, workers)
			wall, cpu = wall+w, cpu+c
		}
		report(b, wall, cpu)
	})
	b.Run("net-http", func(b *testing.B) {
		var wall, cpu time.Duration
		for range b.N {
			w, c := scaleStd(b, url, workers, each, workers)
			wall, cpu = wall+w, cpu+c
		}
		report(b, wall, cpu)
	})
}

// TestClientScaleBeside200Goroutines is the client comparison: 200
// greenlets on one hub each make 20 requests in a row against a local
// server answering in 5 ms, beside 200 goroutines doing the same with
// net/http's Transport; wall time and client CPU time per request (the
// server runs in another process), rounds interleaved, medians. Both
// transports keep 200 idle connections per host (net/http's default of
// 2 would make most requests dial). Long mode only.
func TestClientScaleBeside200Goroutines(t *testing.T) {
	if testing.Short() {
		t.Skip("4000 requests per round")
	}
	const workers, each, latency = 200, 20, 5 * time.Millisecond
	raiseFileLimit(t, 2*workers+200)
	th := testutil.NewHub(t)
	addr := startLatencyServer(t, latency)
	url := "http://" + addr + "/"
	for _, perHost := range []int{workers, 0} {
		greenRound := func() (time.Duration, time.Duration) { return scaleGreen(t, th, url, workers, each, perHost) }
		stdRound := func() (time.Duration, time.Duration) { return scaleStd(t, url, workers, each, perHost) }
		var gw, gc, sw, sc []time.Duration
		for r := range 5 {
			first, second := greenRound, stdRound
			if r%2 == 1 {
				first, second = stdRound, greenRound
			}
			w1, c1 := first()
			w2, c2 := second()
			if r%2 == 1 {
				w1, c1, w2, c2 = w2, c2, w1, c1
			}
			gw, gc, sw, sc = append(gw, w1), append(gc, c1), append(sw, w2), append(sc, c2)
		}
		med := func(v []time.Duration) time.Duration { v = slices.Clone(v); slices.Sort(v); return v[len(v)/2] }
		n := float64(workers * each)
		perReq := func(d time.Duration) float64 { return float64(d.Microseconds()) / n }
		pool := fmt.Sprintf("MaxIdleConnsPerHost %d", perHost)
		if perHost == 0 {
			pool = "MaxIdleConnsPerHost 0 (the default: 2 kept per host)"
		}
		t.Logf("%d x %d requests, %v latency, %s, medians of 5 rounds:", workers, each, latency, pool)
		t.Logf("  greenhttp, 200 greenlets on one hub: wall %v, client CPU %.1f µs/request", med(gw).Round(time.Millisecond), perReq(med(gc)))
		t.Logf("  net/http, 200 goroutines:           wall %v, client CPU %.1f µs/request", med(sw).Round(time.Millisecond), perReq(med(sc)))
		t.Logf("  ratios greenhttp/net-http: wall %.2f, CPU %.2f", float64(med(gw))/float64(med(sw)), float64(med(gc))/float64(med(sc)))
		if med(gc) > med(sc)*11/10 {
			t.Errorf("%s: greenhttp used more CPU per request than net/http (%.1f vs %.1f µs)", pool, perReq(med(gc)), perReq(med(sc)))
		}
	}
}
