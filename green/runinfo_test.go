//go:build unix

package green_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/internal/testutil"
	"github.com/greenrt/green/netwrap"
	"github.com/greenrt/green/threadpool"
)

// parkedZoo starts, on th, greenlets parked on every kind of object and
// returns, for each name, the line its spawn site must show, plus a
// function that releases them all.
func parkedZoo(t *testing.T, th *testutil.Hub) (sites map[string]string, release func()) {
	t.Helper()
	sites = map[string]string{}
	var (
		q       = green.NewQueue[int](2)
		ev      green.Event
		lock    green.Lock
		sem     = green.NewSemaphore(0)
		res     green.AsyncResult
		gate    = make(chan struct{})
		conns   [2]net.Conn
		stopped green.Event
	)
	tp, err := threadpool.New(1)
	if err != nil {
		t.Fatal(err)
	}
	tp.SetIdleTimeout(time.Millisecond)
	ln, err := netwrap.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	var gls []*green.Greenlet
	var mu sync.Mutex
	spawned := func(name string, gl *green.Greenlet, site string) {
		mu.Lock()
		defer mu.Unlock()
		gl.SetName(name)
		gls = append(gls, gl)
		file, line, _ := strings.Cut(site, ":")
		var n int
		fmt.Sscan(line, &n)
		sites[name] = fmt.Sprintf("%s:%d", file, n+1) // Spawn is on the line after here()
	}
	th.Post(func() {
		s := here()
		spawned("sleeper", green.Spawn(func() { green.Sleep(time.Hour) }), s)
		s = here()
		spawned("getter", green.Spawn(func() { q.Get() }), s)
		s = here()
		spawned("waiter", green.Spawn(func() { ev.Wait() }), s)
		s = here()
		spawned("holder", green.Spawn(func() {
			lock.Acquire()
			stopped.Wait()
			lock.Release()
		}), s)
		s = here()
		spawned("locker", green.Spawn(func() { lock.Acquire(); lock.Release() }), s)
		s = here()
		spawned("acquirer", green.Spawn(func() { sem.Acquire() }), s)
		s = here()
		spawned("result", green.Spawn(func() { res.Get() }), s)
		s = here()
		spawned("parent", green.Spawn(func() {
			s := here()
			child := green.Spawn(func() { stopped.Wait() })
			spawned("child", child, s)
			child.Join()
		}), s)
		s = here()
		spawned("reader", green.Spawn(func() {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns[0] = c
			c.Read(make([]byte, 1))
		}), s)
		s = here()
		spawned("offloader", green.Spawn(func() {
			threadpool.CallOn(tp, context.Background(), func(context.Context) (int, error) { <-gate; return 0, nil })
		}), s)
		close(ready)
	})
	<-ready
	// The reader's peer: connected from a plain goroutine.
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	conns[1] = c
	return sites, func() {
		close(gate)
		conns[1].Close()
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		if err := green.KillAll(gls...); err != nil {
			t.Error(err)
		}
		th.Call(func() {
			if conns[0] != nil {
				conns[0].Close()
			}
		})
	}
}

func TestRunInfoListsWhatGreenletsWaitOn(t *testing.T) {
	th := testutil.NewHub(t)
	sites, release := parkedZoo(t, th)
	defer release()
	// Let everything start and park.
	var out string
	want := map[string]string{
		"sleeper":   "sleep (",
		"getter":    "get Queue[int]",
		"waiter":    "wait Event",
		"locker":    "acquire Lock",
		"acquirer":  "acquire Semaphore",
		"result":    "get AsyncResult",
		"parent":    `join #`,
		"reader":    "read fd ",
		"offloader": "call thread pool: green_test.parkedZoo",
		"holder":    "wait Event",
		"child":     "wait Event",
	}
	for i := 0; i < 200; i++ {
		out = green.FormatRunInfo()
		ok := true
		for name, w := range want {
			if !strings.Contains(lineOf(out, name), w) {
				ok = false
			}
		}
		if ok {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("\n%s", out)
	for name, w := range want {
		l := lineOf(out, name)
		if !strings.Contains(l, w) {
			t.Errorf("%s: %q does not say %q", name, l, w)
		}
		if s, ok := sites[name]; ok && !strings.Contains(l, s) {
			t.Errorf("%s: %q does not give the spawn site %s", name, l, s)
		}
		if !strings.Contains(l, "parked") {
			t.Errorf("%s: not parked: %q", name, l)
		}
	}
	// The reader's socket: its addresses.
	if l := lineOf(out, "reader"); !strings.Contains(l, "127.0.0.1:") || !strings.Contains(l, "<-") {
		t.Errorf("reader: no socket addresses: %q", l)
	}
	// The tree: the child is under its parent, one level deeper.
	pl, cl := lineOf(out, "parent"), lineOf(out, "child")
	if !(strings.Index(cl, "+---") > strings.Index(pl, "+---")) {
		t.Errorf("child not under parent:\n%s\n%s", pl, cl)
	}
	if !strings.Contains(lineOf(out, th.Name()+":"), "greenlets") {
		t.Errorf("no header for %s", th.Name())
	}
}

// lineOf returns the line of out that describes the greenlet named name
// (or the one that starts with name: a hub's header).
func lineOf(out, name string) string {
	re := regexp.MustCompile(`\+--- #\d+ ` + regexp.QuoteMeta(fmt.Sprintf("%q", name)) + " ")
	for _, l := range strings.Split(out, "\n") {
		if re.MatchString(l) || strings.HasPrefix(l, name) {
			return l
		}
	}
	return ""
}

func TestRunInfoStacks(t *testing.T) {
	th := testutil.NewHub(t)
	gl := green.SpawnOn(th.Hub, func() { green.Sleep(time.Hour) })
	gl.SetName("deep sleeper")
	defer gl.Kill()
	var out bytes.Buffer
	for i := 0; i < 200; i++ {
		out.Reset()
		green.PrintRunInfo(&out)
		if strings.Contains(out.String(), "green.Sleep") {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Logf("\n%s", out.String())
	s := out.String()
	i := strings.Index(s, `"deep sleeper"`)
	if i < 0 || !strings.Contains(s[i:], "green.Sleep") || !strings.Contains(s[i:], "hub.(*G).Park") {
		t.Errorf("no stack with green.Sleep under the greenlet")
	}
	if strings.Contains(s[i:], "hub.(*Hub).transfer") {
		t.Errorf("the switch frames were not trimmed")
	}
}

// TestRunInfoBlockedHub: a hub that does not answer is listed with who
// blocks it.
func TestRunInfoBlockedHub(t *testing.T) {
	th := testutil.NewHub(t)
	release := make(chan struct{})
	gl := green.SpawnOn(th.Hub, func() { <-release }) // blocks the hub on purpose
	gl.SetName("wedge")
	defer func() { close(release); gl.Join() }()
	for i := 0; i < 300 && th.Blocked() == nil; i++ {
		time.Sleep(5 * time.Millisecond)
	}
	out := green.FormatRunInfoWith(green.RunInfoOptions{Timeout: 50 * time.Millisecond})
	t.Logf("\n%s", out)
	l := lineOf(out, th.Name()+":")
	if !strings.Contains(l, "did not answer") || !strings.Contains(out, `"wedge"`) || !strings.Contains(out, "chan receive") {
		t.Errorf("run-info of a blocked hub:\n%s", out)
	}
}

func TestRunInfoFromGreenletAndCallback(t *testing.T) {
	hs := testutil.NewHubs(t, 2)
	gl := green.SpawnOn(hs[1].Hub, func() { green.Sleep(time.Hour) }).SetName("other hub's")
	defer gl.Kill()
	time.Sleep(20 * time.Millisecond)
	var fromG string
	green.SpawnOn(hs[0].Hub, func() { fromG = green.FormatRunInfo() }).Join()
	if !strings.Contains(fromG, `"other hub's" parked`) || !strings.Contains(fromG, "running") {
		t.Errorf("from a greenlet:\n%s", fromG)
	}
	done := make(chan string)
	hs[0].Post(func() { done <- green.FormatRunInfo() })
	fromCB := <-done
	if !strings.Contains(fromCB, "not asked") {
		t.Errorf("from a callback:\n%s", fromCB)
	}
}

func TestRunInfoHandler(t *testing.T) {
	th := testutil.NewHub(t)
	gl := green.SpawnOn(th.Hub, func() { green.Sleep(time.Hour) }).SetName("served")
	defer gl.Kill()
	time.Sleep(20 * time.Millisecond)
	rec := httptest.NewRecorder()
	green.RunInfoHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/debug/green?stacks=1", nil))
	body := rec.Body.String()
	if rec.Code != 200 || !strings.Contains(body, `"served" parked`) || !strings.Contains(body, "green.Sleep") {
		t.Errorf("%d %s", rec.Code, body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("content type %q", ct)
	}
}

func TestNotifyRunInfo(t *testing.T) {
	// os/signal starts a goroutine of its own, once per process, which the
	// leak check would count.
	th := testutil.NewHubNoLeakCheck(t)
	gl := green.SpawnOn(th.Hub, func() { green.Sleep(time.Hour) }).SetName("signalled")
	defer gl.Kill()
	var mu sync.Mutex
	var out bytes.Buffer
	restore := green.SetRunInfoOutput(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return out.Write(p)
	}))
	defer restore()
	stop := green.NotifyRunInfo(syscall.SIGUSR1)
	defer stop()
	syscall.Kill(syscall.Getpid(), syscall.SIGUSR1)
	for i := 0; i < 500; i++ {
		mu.Lock()
		s := out.String()
		mu.Unlock()
		if strings.Contains(s, `"signalled"`) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("no run-info after SIGUSR1")
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

var _ io.Writer = writerFunc(nil)
