package green_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/internal/testutil"
)

// blockingReports returns the blocking monitor's reports among what th
// reported: the starts of stalls and their ends.
func blockingReports(th *testutil.Hub) (starts, ends []*hub.BlockingError) {
	for _, err := range th.Reported() {
		var be *hub.BlockingError
		if errors.As(err, &be) {
			if be.Ended {
				ends = append(ends, be)
			} else {
				starts = append(starts, be)
			}
		}
	}
	return starts, ends
}

// waitEnds waits until n stalls have ended (a few seconds at most).
func waitEnds(th *testutil.Hub, n int) {
	for i := 0; i < 1000; i++ {
		if _, ends := blockingReports(th); len(ends) >= n {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// here returns "file.go:line" of its caller.
func here() string {
	_, file, line, _ := runtime.Caller(1)
	return fmt.Sprintf("%s:%d", file[strings.LastIndexByte(file, '/')+1:], line)
}

// checkOneReport runs block in a greenlet named name on a fresh hub and
// checks that the monitor reported exactly one stall, naming the
// greenlet, its spawn site and id, with a stack holding every one of
// frames and the goroutine state, and then its end.
func checkOneReport(t *testing.T, name, state string, block func(), frames ...string) *hub.BlockingError {
	t.Helper()
	th := testutil.NewHub(t)
	var gl *green.Greenlet
	var site string
	done := make(chan struct{})
	th.Post(func() {
		site = here()
		gl = green.Spawn(block) // the spawn site the report must name: the line above + 1
		gl.SetName(name)
		close(done)
	})
	<-done
	gl.Join()
	waitEnds(th, 1)
	starts, ends := blockingReports(th)
	if len(starts) != 1 || len(ends) != 1 {
		t.Fatalf("%d reports of stalls and %d of ends, want 1 and 1: %v", len(starts), len(ends), th.Reported())
	}
	e := starts[0]
	t.Logf("the report:\n%v", e)
	t.Logf("its end: %v", ends[0])
	file, line, _ := strings.Cut(site, ":")
	var n int
	fmt.Sscan(line, &n)
	wantSite := fmt.Sprintf("%s:%d", file, n+1)
	switch {
	case e.G == nil || e.Name != name || e.ID != gl.ID():
		t.Errorf("the report names %q #%d, want %q #%d", e.Name, e.ID, name, gl.ID())
	case !strings.Contains(e.Error(), wantSite):
		t.Errorf("the report does not give the spawn site %s: %v", wantSite, e)
	case e.Hub != th.Hub || e.Threshold != hub.DefaultMaxBlockingTime || e.Held < e.Threshold:
		t.Errorf("hub %v threshold %v held %v", e.Hub, e.Threshold, e.Held)
	case state != "" && e.State != state:
		t.Errorf("goroutine state %q, want %q", e.State, state)
	}
	for _, f := range frames {
		if !strings.Contains(e.Stack, f) {
			t.Errorf("the stack has no frame %q:\n%s", f, e.Stack)
		}
	}
	// The end reports at least what the start did (the monitor's own
	// measure: a starved monitor on a loaded machine measures less than the
	// block's 300 ms, 115 ms seen at load average 8).
	if ends[0].Held < e.Held || ends[0].G != e.G {
		t.Errorf("end report %v", ends[0])
	}
	return e
}

func TestBlockingReportTimeSleep(t *testing.T) {
	checkOneReport(t, "sleeper", "sleep", func() {
		sleepFor(300 * time.Millisecond) // blocks the hub: what the monitor is for
	}, "time.Sleep", "green_test.sleepFor")
}

// spinFor computes for d, and on until the monitor has reported the
// stall (10 s at most): a CPU loop that never switches. Waiting for the
// report keeps the test independent of the machine's load (a starved
// monitor may see a fixed stall late, or not at all).
//
//go:noinline
func spinFor(d time.Duration) int {
	_, h := hub.Current()
	start := time.Now()
	x := 0
	for i := 1; ; i++ {
		x = x*31 + i
		if i%100_000 == 0 {
			if el := time.Since(start); el >= d && (h == nil || h.Blocked() != nil) || el > 10*time.Second {
				return x
			}
		}
	}
}

// sleepFor is spinFor with time.Sleep: it holds the hub in time.Sleep.
//
//go:noinline
func sleepFor(d time.Duration) {
	_, h := hub.Current()
	waitReported(h, d, "")
}

// waitReported sleeps for d, then on until h's stall has been reported
// (by the name of the greenlet, if name is given), for 10 s at most.
func waitReported(h *hub.Hub, d time.Duration, name string) {
	start := time.Now()
	time.Sleep(d)
	for h != nil && time.Since(start) < 10*time.Second {
		if e := h.Blocked(); e != nil && (name == "" || e.Name == name) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestBlockingReportCPULoop(t *testing.T) {
	checkOneReport(t, "spinner", "running", func() { spinFor(300 * time.Millisecond) }, "green_test.spinFor")
}

func TestBlockingReportChannelReceive(t *testing.T) {
	ch := make(chan int)
	checkOneReport(t, "receiver", "chan receive", func() {
		_, h := hub.Current()
		go func() {
			waitReported(h, 300*time.Millisecond, "")
			ch <- 1
		}()
		<-ch
	}, "runtime.chanrecv1")
}

func TestBlockingReportMutex(t *testing.T) {
	var mu sync.Mutex
	mu.Lock()
	checkOneReport(t, "locker", "sync.Mutex.Lock", func() {
		_, h := hub.Current()
		go func() {
			waitReported(h, 300*time.Millisecond, "")
			mu.Unlock()
		}()
		mu.Lock()
	}, "sync.(*Mutex).Lock")
}

func TestBlockingReportHTTPRoundTrip(t *testing.T) {
	var blocked atomic.Pointer[hub.Hub] // the hub the request blocks
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		waitReported(blocked.Load(), 300*time.Millisecond, "")
		w.Write([]byte("slow"))
	}))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	defer client.CloseIdleConnections()
	checkOneReport(t, "http client", "", func() {
		// A plain net/http client in a greenlet: it waits on Go
		// channels, so the hub blocks for the whole request.
		_, h := hub.Current()
		blocked.Store(h)
		resp, err := client.Get(srv.URL)
		if err == nil {
			resp.Body.Close()
		}
	}, "net/http.(*Transport).roundTrip")
}

// TestBlockingReportCallback: a hub callback that blocks is reported,
// with no greenlet.
func TestBlockingReportCallback(t *testing.T) {
	th := testutil.NewHub(t)
	th.Post(func() { sleepFor(300 * time.Millisecond) })
	waitEnds(th, 1)
	starts, ends := blockingReports(th)
	if len(starts) != 1 || len(ends) != 1 {
		t.Fatalf("%d reports, %d ends: %v", len(starts), len(ends), th.Reported())
	}
	e := starts[0]
	t.Logf("%v", e)
	if e.G != nil || !strings.Contains(e.Error(), "the hub loop") || !strings.Contains(e.Stack, "time.Sleep") {
		t.Errorf("report: %v", e)
	}
}

// TestNoReportForBusyHub: greenlets that switch all the time, for much
// longer than the threshold, and sleeping ones: nothing to report (but a
// hub whose goroutine got no CPU at all, on an overloaded machine, which
// the report says: state "runnable").
func TestNoReportForBusyHub(t *testing.T) {
	th := testutil.NewHub(t)
	deadline := time.Now().Add(500 * time.Millisecond)
	var gs []*green.Greenlet
	done := make(chan struct{})
	th.Post(func() {
		for i := range 4 {
			gs = append(gs, green.Spawn(func() {
				for time.Now().Before(deadline) {
					if i%2 == 0 {
						green.Yield()
					} else {
						green.Sleep(time.Millisecond)
					}
				}
			}))
		}
		close(done)
	})
	<-done
	green.JoinAll(gs...)
	time.Sleep(100 * time.Millisecond) // a report would have come by now
	starts, _ := blockingReports(th)
	for _, e := range starts {
		if e.State != "runnable" {
			t.Errorf("unexpected report: %v", e)
		}
	}
}

func TestBlockingMonitorOff(t *testing.T) {
	th := testutil.NewHub(t)
	if old := th.SetMaxBlockingTime(-1); old != hub.DefaultMaxBlockingTime {
		t.Errorf("default threshold %v", old)
	}
	green.SpawnOn(th.Hub, func() { time.Sleep(250 * time.Millisecond) }).Join()
	time.Sleep(50 * time.Millisecond)
	if starts, _ := blockingReports(th); len(starts) != 0 {
		t.Fatalf("monitor off, yet: %v", starts)
	}
	// On again, with a threshold of its own.
	th.SetMaxBlockingTime(30 * time.Millisecond)
	green.SpawnOn(th.Hub, func() {
		// Hold the hub (time.Sleep does not switch) until the report has
		// come, 150 ms at least: a starved monitor (a loaded machine)
		// ignores what it saw while it overslept, so a fixed stall may
		// pass unseen.
		for start := time.Now(); time.Since(start) < 10*time.Second; {
			time.Sleep(5 * time.Millisecond)
			if starts, _ := blockingReports(th); len(starts) > 0 && time.Since(start) > 150*time.Millisecond {
				break
			}
		}
	}).Join()
	waitEnds(th, 1)
	if starts, _ := blockingReports(th); len(starts) != 1 || starts[0].Threshold != 30*time.Millisecond {
		t.Fatalf("reports: %v", starts)
	}
}

func TestBlockingMonitorConfig(t *testing.T) {
	for _, tc := range []struct {
		cfg  time.Duration
		want time.Duration
	}{{0, hub.DefaultMaxBlockingTime}, {-1, -1}, {20 * time.Millisecond, 20 * time.Millisecond}} {
		h, err := hub.New(hub.Config{MaxBlockingTime: tc.cfg})
		if err != nil {
			t.Skip(err)
		}
		if got := h.MaxBlockingTime(); got != tc.want && !(tc.want < 0 && got <= 0) {
			t.Errorf("Config %v: threshold %v, want %v", tc.cfg, got, tc.want)
		}
		h.Stop()
	}
}

// TestBlockingReportsOnePerStall: greenlets that block one after the
// other (run by the same worker goroutine, without a switch through the
// loop between them) are separate stalls, each reported once with its
// own greenlet.
func TestBlockingReportsOnePerStall(t *testing.T) {
	th := testutil.NewHub(t)
	done := make(chan []*green.Greenlet)
	var held [3]time.Duration // how long each really held the hub
	th.Post(func() {
		var gs []*green.Greenlet
		for i := range 3 {
			name := fmt.Sprint("blocker ", i)
			gs = append(gs, green.Spawn(func() {
				_, h := hub.Current()
				start := time.Now()
				waitReported(h, 200*time.Millisecond, name)
				held[i] = time.Since(start)
			}).SetName(name))
		}
		done <- gs
	})
	green.JoinAll(<-done...)
	waitEnds(th, 3)
	starts, ends := blockingReports(th)
	if len(starts) != 3 || len(ends) != 3 {
		t.Fatalf("%d reports and %d ends, want 3 and 3: %v", len(starts), len(ends), th.Reported())
	}
	for i, e := range starts {
		if want := fmt.Sprint("blocker ", i); e.Name != want {
			t.Errorf("report %d names %q, want %q", i, e.Name, want)
		}
		// The monitor's measure is to within a sampling period (25 ms)
		// either side; two stalls taken for one would add 200 ms.
		if ends[i].Held > held[i]+150*time.Millisecond {
			t.Errorf("stall %d lasted %v, held the hub %v: two stalls taken for one", i, ends[i].Held, held[i])
		}
	}
}

// TestBlockingReportCPULoopManyGoroutines: in a process with too many
// goroutines for a cheap full dump, the stack of a greenlet that computes
// is read directly, as the scheduler preempts it.
func TestBlockingReportCPULoopManyGoroutines(t *testing.T) {
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range 400 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-release
		}()
	}
	defer func() { close(release); wg.Wait() }()
	checkOneReport(t, "spinner", "running", func() { spinFor(400 * time.Millisecond) }, "green_test.spinFor")
}

// An error handler that stops its hub when told of a stall (fail fast)
// runs on the monitor's goroutine: the stop's shutdown, which ends the
// stall it reported, must not wait for the monitor sending that report.
func TestBlockingHandlerStopsHub(t *testing.T) {
	var h *hub.Hub
	h, err := hub.New(hub.Config{ErrorHandler: func(err error) {
		var be *hub.BlockingError
		if errors.As(err, &be) && !be.Ended {
			go h.Stop()
			<-h.Done() // the handler waits for the stop to finish
		}
	}})
	if err != nil {
		t.Skip(err)
	}
	if err := h.Start(); err != nil {
		t.Fatal(err)
	}
	green.SpawnOn(h, func() { sleepFor(300 * time.Millisecond) })
	select {
	case <-h.Done():
	case <-time.After(20 * time.Second):
		t.Fatal("the hub did not stop: its shutdown waited for the monitor, which waited in the handler for the shutdown")
	}
}
