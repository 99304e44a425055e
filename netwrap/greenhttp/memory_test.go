//go:build unix

package greenhttp_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/greenrt/green/netwrap/greenhttp"
)

// raiseFileLimit lifts the soft limit on open descriptors to the hard one.
func raiseFileLimit(t testing.TB, need uint64) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Skip(err)
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
	if uint64(lim.Cur) < need {
		t.Skipf("descriptor limit %d, need %d", lim.Cur, need)
	}
}

// manyConns returns how many connections a long-mode test opens: 10,000,
// or $GREENHTTP_CONNS. It skips the test in short mode.
func manyConns(t *testing.T) int {
	if testing.Short() {
		t.Skip("opens 10,000 connections")
	}
	if n, err := strconv.Atoi(os.Getenv("GREENHTTP_CONNS")); err == nil {
		return n
	}
	return 10000
}

// TestIdleConnMemory serves 10,000 keep-alive connections (opened by a
// child process, so that both ends fit the descriptor limit) that each
// make one request and then stay idle, and reports the server's memory
// per idle connection, everything included: the netwrap conn and its
// package net conn, the hub registration, the greenlet and its stack, the
// HTTP state and the 512-byte buffer an idle connection waits in (the
// 10 KiB of buffers of a request in progress are given back while idle).
// Target: at most 10 KiB (checked without the race detector, whose
// bigger frames keep stacks at 8 KiB). Long mode only; GREENHTTP_CONNS
// changes the count.
func TestIdleConnMemory(t *testing.T) {
	n := manyConns(t)
	raiseFileLimit(t, uint64(n)+200)
	var idle atomic.Int64
	ts := startServer(t, http.HandlerFunc(benchHandler), func(s *greenhttp.Server) {
		s.ConnState = func(c net.Conn, st http.ConnState) {
			if st == http.StateIdle {
				idle.Add(1) // each connection makes one request, then idles
			}
		}
	})
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)

	client := startChild(t, "TestIdleConnMemoryClient", "GREENHTTP_MANY_ADDR="+ts.addr, "GREENHTTP_MANY_N="+strconv.Itoa(n))
	if got := client.await(t, "MANY "); got != "READY" {
		t.Fatal(got)
	}
	waitFor(t, fmt.Sprintf("%d idle connections", n), func() bool { return idle.Load() == int64(n) })
	for range 4 {
		runtime.GC() // each collection halves the stacks that shrank
	}
	runtime.ReadMemStats(&m1)
	per := float64(memInUse(&m1)-memInUse(&m0)) / float64(n)
	t.Logf("%d idle keep-alive connections, one greenlet each: %.0f bytes per connection (heap+stacks in use; stacks %.0f), %.0f bytes of Sys",
		n, per, float64(int64(m1.StackInuse)-int64(m0.StackInuse))/float64(n), float64(int64(m1.Sys)-int64(m0.Sys))/float64(n))
	if per > 10<<10 && !raceEnabled { // the race detector's frames are bigger
		t.Errorf("%.0f bytes per idle connection, target 10 KiB", per)
	}
	if err := client.stop(); err != nil {
		t.Fatal(err)
	}
}

// memInUse is the memory a connection's state takes: heap, stacks and
// span structures in use.
func memInUse(m *runtime.MemStats) int64 {
	return int64(m.HeapInuse + m.StackInuse + m.MSpanInuse)
}

// TestIdleConnMemoryClient is the child process of TestIdleConnMemory.
func TestIdleConnMemoryClient(t *testing.T) {
	addr := os.Getenv("GREENHTTP_MANY_ADDR")
	if addr == "" {
		t.Skip("child process of TestIdleConnMemory")
	}
	n, _ := strconv.Atoi(os.Getenv("GREENHTTP_MANY_N"))
	raiseFileLimit(t, uint64(n)+100)
	cs, err := requestEach(addr, n)
	defer func() {
		for _, c := range cs {
			c.Close()
		}
	}()
	if err != nil {
		fmt.Printf("MANY %v\n", err)
		return
	}
	fmt.Println("MANY READY")
	io.Copy(io.Discard, os.Stdin) // stay connected until the parent is done
}

// requestEach opens n connections to addr, sends a GET on each, and
// reads every answer; it returns the connections, still open, and the
// first failure.
func requestEach(addr string, n int) ([]net.Conn, error) {
	cs := make([]net.Conn, 0, n)
	for i := range n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return cs, fmt.Errorf("dial %d: %w", i, err)
		}
		cs = append(cs, c)
		fmt.Fprintf(c, "GET /%d HTTP/1.1\r\nHost: many\r\n\r\n", i)
	}
	for i, c := range cs {
		c.SetReadDeadline(time.Now().Add(time.Minute))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			return cs, fmt.Errorf("response %d: %w", i, err)
		}
		if b, err := io.ReadAll(resp.Body); err != nil || string(b) != "Hello, World!" {
			return cs, fmt.Errorf("body %d: %q %v", i, b, err)
		}
	}
	return cs, nil
}
