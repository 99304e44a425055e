package hub

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// reports collects a hub's blocking reports.
type reports struct {
	mu   sync.Mutex
	errs []*BlockingError
}

func (r *reports) handler(err error) {
	var be *BlockingError
	if errors.As(err, &be) {
		r.mu.Lock()
		r.errs = append(r.errs, be)
		r.mu.Unlock()
	}
}

func (r *reports) get() []*BlockingError {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*BlockingError(nil), r.errs...)
}

// waitReports waits until n reports have arrived (or a few seconds).
func (r *reports) wait(n int) []*BlockingError {
	for i := 0; i < 500 && len(r.get()) < n; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	return r.get()
}

func TestMonitorReportsSleepingCoroutine(t *testing.T) {
	var r reports
	h := newHub(t, Config{ErrorHandler: r.handler})
	c := spawn(t, h, func(g *G) {
		g.SetName("sleeper")
		time.Sleep(300 * time.Millisecond)
	})
	<-c.done
	got := r.wait(2)
	if len(got) != 2 || got[0].Ended || !got[1].Ended {
		t.Fatalf("reports: %v", got)
	}
	e := got[0]
	t.Logf("%v", e)
	t.Logf("%v", got[1])
	if e.G != &c.g || e.Name != "sleeper" || e.State != "sleep" || !strings.Contains(e.Stack, "time.Sleep") {
		t.Errorf("report: %+v", e)
	}
	if got[1].Held < 200*time.Millisecond {
		t.Errorf("stall length %v", got[1].Held)
	}
}
