//go:build unix

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runDemo runs the demo with args and returns its output; it fails the
// test on a non-zero exit status.
func runDemo(t *testing.T, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := run(args, &out, &errOut); code != 0 {
		t.Fatalf("demo %v: exit %d\nstdout:\n%s\nstderr:\n%s", args, code, out.String(), errOut.String())
	}
	return out.String()
}

func TestCrawlCommand(t *testing.T) {
	chart := filepath.Join(t.TempDir(), "crawl.svg")
	out := runDemo(t, "crawl", "-n", "4", "-latency", "20ms", "-size", "3000", "-chart", chart)
	for _, name := range []string{"sequential", "goroutines", "conc-pool", "busy-poll", "callbacks", "netwrap", "greenlets"} {
		if !strings.Contains(out, "\n"+name+" ") {
			t.Errorf("no %s row in:\n%s", name, out)
		}
	}
	if !strings.Contains(out, "reference") || strings.Contains(out, " NO ") || strings.Contains(out, "ERRORS") {
		t.Errorf("results not all identical:\n%s", out)
	}
	if b, err := os.ReadFile(chart); err != nil || !bytes.Contains(b, []byte("<svg")) {
		t.Errorf("chart: %v, %d bytes", err, len(b))
	}
}

func TestCrawlOnly(t *testing.T) {
	out := runDemo(t, "crawl", "-n", "2", "-latency", "1ms", "-only", "greenlets")
	if !strings.Contains(out, "\nsequential ") || !strings.Contains(out, "\ngreenlets ") || strings.Contains(out, "\ncallbacks ") {
		t.Errorf("-only greenlets ran:\n%s", out)
	}
	var o, e bytes.Buffer
	if code := run([]string{"crawl", "-only", "threads"}, &o, &e); code == 0 {
		t.Errorf("unknown strategy accepted")
	}
	for _, cmd := range []string{"crawl", "bench"} {
		if code := run([]string{cmd, "-chart", "chart.jpg"}, &o, &e); code == 0 {
			t.Errorf("%s accepted a chart format it cannot write", cmd)
		}
	}
}

func TestBenchCommand(t *testing.T) {
	chart := filepath.Join(t.TempDir(), "bench.png")
	out := runDemo(t, "bench", "-duration", "50ms", "-warmup", "0s", "-rounds", "2", "-sizes", "1,100", "-progress=false", "-chart", chart)
	for _, want := range []string{"greenlets", "goroutines", "1 KiB", "100 KiB", "1.00x"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	if strings.Contains(out, "error") {
		t.Errorf("errors in:\n%s", out)
	}
	if b, err := os.ReadFile(chart); err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Errorf("chart: %v, %d bytes", err, len(b))
	}
}

func TestCountdownCommand(t *testing.T) {
	out := runDemo(t, "countdown", "-from", "2", "-unit", "5ms")
	if strings.Count(out, "liftoff") != 3 || strings.Count(out, "T-minus") != 6 {
		t.Errorf("unexpected output:\n%s", out)
	}
	// A's second step (after 1 unit) comes before C's (after 3 units).
	if a, c := strings.Index(out, "A: T-minus 1"), strings.Index(out, "C: T-minus 1"); a < 0 || c < 0 || a > c {
		t.Errorf("countdowns did not interleave by delay:\n%s", out)
	}
}

func TestProduceCommand(t *testing.T) {
	out := runDemo(t, "produce", "-producers", "2", "-consumers", "2", "-items", "4", "-size", "1", "-unit", "1ms")
	if strings.Count(out, " put ") != 8 || strings.Count(out, " used ") != 8 || !strings.Contains(out, "done: 8 items") {
		t.Errorf("unexpected output:\n%s", out)
	}
	if !strings.Contains(out, "waits: queue full") {
		t.Errorf("producers never waited for the slow consumers:\n%s", out)
	}
}

func TestHelp(t *testing.T) {
	for _, name := range []string{"crawl", "bench", "countdown", "produce"} {
		if out := runDemo(t, name, "-h"); !strings.Contains(out, "usage: demo "+name) {
			t.Errorf("%s -h:\n%s", name, out)
		}
	}
}

func TestCoroutinesCommand(t *testing.T) {
	out := runDemo(t, "coroutines")
	want := `1. a generator: the consumer pulls, the producer runs up to its next yield
   produce 1
   consume 1
   produce 2
   consume 2
   produce 3
   consume 3
2. raw greenlets: each switch names the greenlet to resume
   12
   56
   34
3. gevent: greenlets park (sleep(0)) and the hub picks who runs next
   Running in foo
   Explicit context to bar
   Explicit context switch to foo again
   Implicit context switch back to bar
`
	if out != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
	if out := runDemo(t, "coroutines", "-h"); !strings.Contains(out, "usage: demo coroutines") {
		t.Errorf("-h:\n%s", out)
	}
}
