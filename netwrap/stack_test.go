//go:build unix

package netwrap

import (
	"net"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/greenrt/green/hub"
)

// TestIdleStack parks idleConns connections in idleEcho (the handler that
// holds no buffer while idle: WaitRead, then a pooled buffer) and reports
// the stack in use per parked greenlet (runtime.MemStats.StackInuse) and,
// for one of them, every frame with its size (hub.G.StackFrames). Issue
// 13's goal: a parked plain handler fits the runtime's 2 KiB starting
// stack. Run with -v to see the frames. The deadline case sets a read
// deadline before each wait: the park then arms a hub timer, whose frames
// are under the park's too. The readLoop case is the plain handler parked
// in Read.
func TestIdleStack(t *testing.T) {
	t.Run("idleEcho", func(t *testing.T) { testIdleStack(t, idleEcho) })
	t.Run("deadline", func(t *testing.T) { testIdleStack(t, idleEchoDeadline) })
	t.Run("freelist", func(t *testing.T) { testIdleStack(t, idleEchoFreeList()) })
	t.Run("readLoop", func(t *testing.T) { testIdleStack(t, idleEchoReadLoop) })
}

// idleEchoReadLoop is the plain handler, parked in Read rather than
// WaitRead: a buffer of its own (on the heap) and a Read, Write loop.
func idleEchoReadLoop(nc net.Conn) {
	buf := make([]byte, 1<<10)
	for {
		n, err := nc.Read(buf)
		if err != nil {
			return
		}
		if _, err := nc.Write(buf[:n]); err != nil {
			return
		}
	}
}

// idleEchoFreeList is cmd/demo's pooled echo handler: the buffer comes
// from a free list of the hub's, in a helper, so that the loop's frame
// (what a parked connection holds) stays small.
func idleEchoFreeList() func(net.Conn) {
	free := new([][]byte)
	return func(nc net.Conn) {
		c := nc.(*Conn)
		for c.WaitRead() == nil && echoFromFreeList(c, free) == nil {
		}
	}
}

//go:noinline
func echoFromFreeList(c *Conn, free *[][]byte) error {
	var buf []byte
	if k := len(*free); k > 0 {
		buf, *free = (*free)[k-1], (*free)[:k-1]
	} else {
		buf = make([]byte, 100<<10)
	}
	n, err := c.Read(buf)
	if err == nil {
		_, err = c.Write(buf[:n])
	}
	*free = append(*free, buf)
	return err
}

// idleEchoDeadline is idleEcho with a read deadline for each wait.
func idleEchoDeadline(c net.Conn) {
	cc := c.(*Conn)
	for cc.SetReadDeadline(time.Now().Add(time.Hour)) == nil && cc.WaitRead() == nil && echoBorrowed(cc) == nil {
	}
}

func testIdleStack(t *testing.T, handler func(net.Conn)) {
	const idleConns = 200
	h := newHub(t)
	srv := &StreamServer{Hub: h, Handler: handler}
	if err := srv.Start(nil); err != nil {
		t.Fatal(err)
	}
	defer srv.Stop(time.Second)
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	cs := make([]net.Conn, 0, idleConns)
	defer func() {
		for _, c := range cs {
			c.Close()
		}
	}()
	buf := make([]byte, 5)
	for range idleConns {
		c, err := net.Dial("tcp", srv.LocalAddr().String())
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
		// One echo, so that the handler has been through a whole
		// read and write before it parks again.
		if _, err := c.Write([]byte("hello")); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Read(buf); err != nil {
			t.Fatal(err)
		}
	}
	var live int
	for live != idleConns {
		h.Call(func() { live = srv.core.live() })
	}
	runtime.GC()
	runtime.ReadMemStats(&m1)
	// The client's goroutines use stacks too, but Go's netpoller parks
	// none per connection: the difference is the handlers' stacks.
	perConn := float64(int64(m1.StackInuse)-int64(m0.StackInuse)) / idleConns
	var frames []hub.StackFrame
	var size uintptr
	sizes := map[uintptr]int{}
	h.Call(func() {
		for _, g := range h.Coroutines(0) {
			fr, sz := g.StackFrames()
			sizes[sz]++
			for _, f := range fr {
				if strings.Contains(f.Func, "netwrap.idleEcho") || strings.Contains(f.Func, ".idleEchoFreeList") || strings.Contains(f.Func, ".idleEchoReadLoop") {
					frames, size = fr, sz
				}
			}
		}
	})
	if frames == nil {
		t.Skip("stack frames cannot be read here")
	}
	var used uintptr
	var b strings.Builder
	for _, f := range frames {
		used += f.Size
		b.WriteString("\n\t")
		b.WriteString(strings.TrimPrefix(f.Func, "github.com/greenrt/green/"))
		b.WriteString(" ")
		b.WriteString(strconv.Itoa(int(f.Size)))
	}
	// How many of the hub's coroutines have which stack size. A stack
	// grows when a call goes deeper than the parked frames do (the first
	// Read's hub.Register, growing the hub's descriptor table, is where a
	// few handlers grow); and the runtime starts new goroutines with the
	// average stack in use at the last collection plus its guard, rounded
	// up to a power of 2 (GODEBUG adaptivestackstart): a subtest started
	// right after another's collection may see 4 KiB stacks throughout.
	t.Logf("stack sizes of the hub's coroutines: %v", sizes)
	t.Logf("%d parked handler greenlets: %.0f bytes of stack in use each; one of them uses %d bytes of its %d-byte stack:%s",
		idleConns, perConn, used, size, b.String())
	// A 2 KiB stack leaves 2048 - 928 (the runtime's stackGuard) bytes
	// above its guard area; past that the runtime doubles the stack, and
	// a parked greenlet never uses little enough for the collector to
	// shrink it again. Frame sizes are the compiler's: checked for the
	// release they were measured with, without the race detector.
	if used > 2048-928 && !raceEnabled && strings.HasPrefix(runtime.Version(), "go1.26") {
		t.Errorf("a parked handler greenlet uses %d bytes of stack, more than the %d a 2 KiB stack has room for", used, 2048-928)
	}
}

// An accepted connection reaches its handler registered with the hub
// already: the registration (hub.Register, which grows the hub's
// descriptor table now and then) ran on the acceptor's stack, not on the
// handler's, whose 2 KiB starting stack it would have doubled.
func TestStreamServerRegistersBeforeHandler(t *testing.T) {
	checkLeaks(t)
	h := newHub(t)
	registered := make(chan bool, 1)
	srv := &StreamServer{Hub: h, Handler: func(nc net.Conn) {
		registered <- nc.(*Conn).s.reg.Load() != nil
		echoHandler(nc)
	}}
	if err := srv.Start(nil); err != nil {
		t.Fatal(err)
	}
	defer srv.Stop(time.Second)
	if err := echoOnce(srv.LocalAddr().String(), "hello"); err != nil {
		t.Fatal(err)
	}
	if !<-registered {
		t.Fatal("the handler's conn was not registered with the hub yet")
	}
}
