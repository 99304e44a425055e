//go:build unix

package netwrap

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// idleEcho is an echo handler that holds no buffer while its connection is
// idle: it waits for data, then borrows a buffer for one read and write.
func idleEcho(c net.Conn) {
	cc := c.(*Conn)
	for cc.WaitRead() == nil && echoBorrowed(cc) == nil {
	}
}

// echoBorrowed reads what is there into a borrowed buffer and writes it back.
// Called once WaitRead has returned, it is not under the park, so its frame
// does not count against the parked stack (TestIdleStack).
func echoBorrowed(cc *Conn) error {
	bp := echoBufs.Get().(*[]byte)
	defer echoBufs.Put(bp)
	n, err := cc.Read(*bp)
	if err == nil {
		_, err = cc.Write((*bp)[:n])
	}
	return err
}

var echoBufs = sync.Pool{New: func() any { b := make([]byte, 16<<10); return &b }}

// TestManyConns serves 10,000 concurrent loopback connections (opened by
// a child process, so that both ends fit the descriptor limit) from one
// hub, each by its own greenlet, checks every echo and reports the memory
// per idle connection. Long mode only; NETWRAP_CONNS changes the count
// (NETWRAP_CONNS=100000 for the 100,000: the client spreads its
// connections over several loopback source addresses, since one has too
// few ports). The descriptor limit is raised to what the count needs (each
// process holds one end); the test is skipped if the hard limit is lower.
func TestManyConns(t *testing.T) {
	if testing.Short() {
		t.Skip("opens 10,000 connections")
	}
	n := 10000
	if s := os.Getenv("NETWRAP_CONNS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	raiseNoFile(t, n+200)
	h := newHub(t)
	srv := &StreamServer{Hub: h, Handler: idleEcho, Backlog: 4096}
	if err := srv.Start(nil); err != nil {
		t.Fatal(err)
	}
	defer srv.Stop(time.Second)
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)

	cmd := exec.Command(os.Args[0], "-test.run=^TestManyConnsClient$")
	cmd.Env = append(os.Environ(), "NETWRAP_MANY_ADDR="+srv.LocalAddr().String(), "NETWRAP_MANY_N="+strconv.Itoa(n))
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	sc := bufio.NewScanner(stdout)
	ready := false
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "MANY ") {
			if line != "MANY READY" {
				t.Fatal(line)
			}
			ready = true
			break
		}
	}
	if !ready {
		t.Fatal("client did not get ready")
	}
	var active int
	h.Call(func() { active = srv.core.live() })
	if active != n {
		t.Fatalf("%d handlers running, want %d", active, n)
	}
	runtime.GC()
	runtime.ReadMemStats(&m1)
	inuse := func(m *runtime.MemStats) int64 { return int64(m.HeapInuse + m.StackInuse + m.MSpanInuse) }
	per := float64(inuse(&m1)-inuse(&m0)) / float64(n)
	stack := float64(int64(m1.StackInuse)-int64(m0.StackInuse)) / float64(n)
	t.Logf("%d idle connections, one greenlet each: %.0f bytes per connection (heap+stacks in use; stacks %.0f), %.0f bytes of Sys per connection",
		n, per, stack, float64(int64(m1.Sys)-int64(m0.Sys))/float64(n))
	// Issue 13's targets: 4 KiB per connection, and the runtime's 2 KiB
	// minimum stack per parked handler (TestIdleStack checks its frames).
	// Measured: 3.9 KiB, stacks 2.0 KiB; the test guards against
	// regressions beyond 5 KiB and reports the figures.
	if per > 5*1024 && !raceEnabled {
		t.Errorf("%.0f bytes per idle connection (stacks %.0f), regression guard 5 KiB (target 4 KiB)", per, stack)
	}
	stdin.Close()
	io.Copy(io.Discard, stdout)
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
}

// TestManyConnsClient is the child process of TestManyConns.
func TestManyConnsClient(t *testing.T) {
	addr := os.Getenv("NETWRAP_MANY_ADDR")
	if addr == "" {
		t.Skip("child process of TestManyConns")
	}
	n, _ := strconv.Atoi(os.Getenv("NETWRAP_MANY_N"))
	cs := make([]net.Conn, 0, n)
	defer func() {
		for _, c := range cs {
			c.Close()
		}
	}()
	raiseNoFile(t, n+200)
	for i := range n {
		// Past 20,000, other loopback source addresses (one has about
		// 28,000 ephemeral ports towards one server port).
		var d net.Dialer
		if i >= 20000 {
			d.LocalAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(1+i/20000))}
		}
		c, err := d.Dial("tcp", addr)
		if err != nil {
			fmt.Printf("MANY dial %d: %v\n", i, err)
			return
		}
		cs = append(cs, c)
		fmt.Fprintf(c, "hello %5d", i)
	}
	buf := make([]byte, 11)
	for i, c := range cs {
		if _, err := io.ReadFull(c, buf); err != nil || string(buf) != fmt.Sprintf("hello %5d", i) {
			fmt.Printf("MANY echo %d: %v %q\n", i, err, buf)
			return
		}
	}
	fmt.Println("MANY READY")
	io.Copy(io.Discard, os.Stdin) // stay connected until the parent is done
}

// raiseNoFile raises the soft descriptor limit to at least n (up to the
// hard limit; Go raises it to the hard limit at start-up already on
// Linux), or skips the test.
func raiseNoFile(t *testing.T, n int) {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		t.Skip(err)
	}
	if uint64(rl.Cur) >= uint64(n) {
		return
	}
	if uint64(rl.Max) < uint64(n) {
		t.Skipf("RLIMIT_NOFILE hard limit %d < %d", rl.Max, n)
	}
	rl.Cur = rl.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		t.Skip(err)
	}
}
