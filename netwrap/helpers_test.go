//go:build unix

package netwrap

import (
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/internal/testutil"
)

// newHub starts a hub that the test stops when it ends.
func newHub(t testing.TB) *hub.Hub { return startHub(t, false) }

// startHub starts a hub that the test stops when it ends; onlyIfPassed
// leaves it running after a failure (a wedged hub would hang Stop).
func startHub(t testing.TB, onlyIfPassed bool) *hub.Hub {
	t.Helper()
	h, err := hub.New(hub.Config{ErrorHandler: func(err error) { t.Logf("hub error: %v", err) }})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if !onlyIfPassed || !t.Failed() {
			h.Stop()
		}
	})
	return h
}

// inGreenlet runs fn in a greenlet of h and fails the test with its error.
// fn must not call t.Fatal (Goexit in a greenlet); it returns an error.
func inGreenlet(t testing.TB, h *hub.Hub, fn func() error) {
	t.Helper()
	gl := green.SpawnOn(h, fn)
	if err := gl.Join(); err != nil {
		t.Fatal(err)
	}
}

// kind is one kind of connection in the test matrix.
type kind struct {
	name string
	// listen returns a cooperative listener.
	listen func(t testing.TB) *Listener
	// dial connects to l from the calling greenlet or goroutine.
	dial func(l *Listener) (net.Conn, error)
}

func kinds() []kind {
	return []kind{
		{
			name: "tcp",
			listen: func(t testing.TB) *Listener {
				l, err := Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				return l
			},
			dial: func(l *Listener) (net.Conn, error) { return Dial("tcp", l.Addr().String()) },
		},
		{
			name: "unix",
			listen: func(t testing.TB) *Listener {
				l, err := Listen("unix", filepath.Join(t.TempDir(), "s"))
				if err != nil {
					t.Fatal(err)
				}
				return l
			},
			dial: func(l *Listener) (net.Conn, error) { return Dial("unix", l.Addr().String()) },
		},
		{
			// A package net listener and dialer wrapped afterwards.
			name: "wrapped",
			listen: func(t testing.TB) *Listener {
				nl, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				l, err := WrapListener(nl)
				if err != nil {
					t.Fatal(err)
				}
				return l
			},
			dial: func(l *Listener) (net.Conn, error) {
				c, err := net.Dial("tcp", l.Addr().String())
				if err != nil {
					return nil, err
				}
				return Wrap(c)
			},
		},
	}
}

// checkLeaks fails the test if it leaves descriptors or goroutines behind.
// Call it first; it registers its check as a cleanup, which runs after the
// cleanups registered later (hubs stop first).
func checkLeaks(t *testing.T) {
	t.Helper()
	fds := countFDs(t)
	gs := countGoroutines()
	t.Cleanup(func() {
		if t.Failed() {
			return
		}
		// Goroutines of stopped hubs and closed conns exit
		// asynchronously: poll until they are gone.
		var nf, ng int
		for i := 0; i < 500; i++ {
			nf, ng = countFDs(t), countGoroutines()
			if nf <= fds && ng <= gs {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		if nf > fds {
			t.Errorf("descriptor leak: %d open before, %d after", fds, nf)
		}
		if ng > gs {
			buf := make([]byte, 1<<16)
			buf = buf[:runtime.Stack(buf, true)]
			t.Errorf("goroutine leak: %d before, %d after\n%s", gs, ng, buf)
		}
	})
}

// countGoroutines counts live goroutines, leaving out the idle workers of
// pool's default thread pool (name resolution runs there): the pool keeps
// them for the next call, by design.
func countGoroutines() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.HasPrefix(g, "goroutine ") && !strings.Contains(g, "sourcegraph/conc/pool.(*Pool).worker") {
			count++
		}
	}
	return count
}

func countFDs(t testing.TB) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// within waits up to a hang guard for ch; a wedged hub never answers.
func within[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(20 * time.Second):
		t.Fatalf("%s: no answer in 20 s (the hub is wedged)\n%s", what, testutil.Stacks())
		panic("unreachable")
	}
}

// setLimit sets *p, a field of an rlimit (uint64 on Linux, int64 on
// FreeBSD), to n.
func setLimit[T int64 | uint64](p *T, n int) { *p = T(n) }
