package greenhttp_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
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
	if lim.Cur < need {
		t.Skipf("descriptor limit %d, need %d", lim.Cur, need)
	}
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
	if testing.Short() {
		t.Skip("opens 10,000 connections")
	}
	n := 10000
	if s := os.Getenv("GREENHTTP_CONNS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
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

	cmd := exec.Command(os.Args[0], "-test.run=^TestIdleConnMemoryClient$")
	cmd.Env = append(os.Environ(), "GREENHTTP_MANY_ADDR="+ts.addr, "GREENHTTP_MANY_N="+strconv.Itoa(n))
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, "MANY ") {
			if line != "MANY READY" {
				t.Fatal(line)
			}
			break
		}
	}
	waitFor(t, fmt.Sprintf("%d idle connections", n), func() bool { return idle.Load() == int64(n) })
	for range 4 {
		runtime.GC() // each collection halves the stacks that shrank
	}
	runtime.ReadMemStats(&m1)
	inuse := func(m *runtime.MemStats) int64 { return int64(m.HeapInuse + m.StackInuse + m.MSpanInuse) }
	per := float64(inuse(&m1)-inuse(&m0)) / float64(n)
	t.Logf("%d idle keep-alive connections, one greenlet each: %.0f bytes per connection (heap+stacks in use; stacks %.0f), %.0f bytes of Sys",
		n, per, float64(int64(m1.StackInuse)-int64(m0.StackInuse))/float64(n), float64(int64(m1.Sys)-int64(m0.Sys))/float64(n))
	if per > 10<<10 && !raceEnabled { // the race detector's frames are bigger
		t.Errorf("%.0f bytes per idle connection, target 10 KiB", per)
	}
	stdin.Close()
	io.Copy(io.Discard, stdout)
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
}

// TestIdleConnMemoryClient is the child process of TestIdleConnMemory.
func TestIdleConnMemoryClient(t *testing.T) {
	addr := os.Getenv("GREENHTTP_MANY_ADDR")
	if addr == "" {
		t.Skip("child process of TestIdleConnMemory")
	}
	n, _ := strconv.Atoi(os.Getenv("GREENHTTP_MANY_N"))
	raiseFileLimit(t, uint64(n)+100)
	cs := make([]net.Conn, 0, n)
	defer func() {
		for _, c := range cs {
			c.Close()
		}
	}()
	for i := range n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			fmt.Printf("MANY dial %d: %v\n", i, err)
			return
		}
		cs = append(cs, c)
		fmt.Fprintf(c, "GET /%d HTTP/1.1\r\nHost: many\r\n\r\n", i)
	}
	for i, c := range cs {
		c.SetReadDeadline(time.Now().Add(time.Minute))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			fmt.Printf("MANY response %d: %v\n", i, err)
			return
		}
		b, err := io.ReadAll(resp.Body)
		if err != nil || string(b) != "Hello, World!" {
			fmt.Printf("MANY body %d: %q %v\n", i, b, err)
			return
		}
	}
	fmt.Println("MANY READY")
	io.Copy(io.Discard, os.Stdin) // stay connected until the parent is done
}
