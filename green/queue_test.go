package green

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/greenrt/green/hub"
)

// anyQueue is the API shared by the three queue kinds.
type anyQueue interface {
	BindHub(*hub.Hub) error
	Put(int) error
	PutNowait(int) error
	PutTimeout(int, time.Duration) error
	Get() (int, error)
	GetNowait() (int, error)
	GetTimeout(time.Duration) (int, error)
	PeekNowait() (int, error)
	Len() int
	Full() bool
	Shutdown() error
}

func TestQueueOrder(t *testing.T) {
	tests := []struct {
		name string
		q    anyQueue
		want []int
	}{
		{"fifo", NewQueue[int](0), []int{3, 1, 2}},
		{"fifo zero value", new(Queue[int]), []int{3, 1, 2}},
		{"lifo", NewLifoQueue[int](0), []int{2, 1, 3}},
		{"lifo zero value", new(LifoQueue[int]), []int{2, 1, 3}},
		{"priority", NewOrderedPriorityQueue[int](0), []int{1, 2, 3}},
		{"priority custom", NewPriorityQueue(0, func(a, b int) bool { return a > b }), []int{3, 2, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := primHub(t)
			tt.q.BindHub(h)
			primRun(t, h, func() {
				for _, v := range []int{3, 1, 2} {
					if err := tt.q.Put(v); err != nil {
						t.Fatal(err)
					}
				}
				if n := tt.q.Len(); n != 3 {
					t.Errorf("Len = %d", n)
				}
				if v, err := tt.q.PeekNowait(); v != tt.want[0] || err != nil {
					t.Errorf("Peek = %v, %v", v, err)
				}
				var got []int
				for range 3 {
					v, err := tt.q.GetNowait()
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, v)
				}
				if !slices.Equal(got, tt.want) {
					t.Errorf("got %v, want %v", got, tt.want)
				}
				if _, err := tt.q.GetNowait(); err != ErrQueueEmpty {
					t.Errorf("empty GetNowait: %v", err)
				}
			})
			// The same from a plain goroutine.
			for _, v := range []int{3, 1, 2} {
				if err := tt.q.PutNowait(v); err != nil {
					t.Fatal(err)
				}
			}
			var got []int
			for range 3 {
				v, err := tt.q.Get()
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, v)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("plain: got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPriorityQueueZeroValue(t *testing.T) {
	h := primHub(t)
	var q PriorityQueue[int]
	q.BindHub(h)
	if err := q.Put(1); !errors.Is(err, ErrBadFunc) {
		t.Fatal(err)
	}
}

func TestQueueSemantics(t *testing.T) {
	tests := []struct {
		name string
		fn   func(t *testing.T, q *Queue[int])
	}{
		{"bounded put waits for room", func(t *testing.T, q *Queue[int]) {
			q.max = 1
			var log []string
			p := Spawn(func() {
				q.Put(1)
				log = append(log, "put1")
				q.Put(2)
				log = append(log, "put2")
			})
			settle()
			if !q.Full() || q.PutNowait(9) != ErrQueueFull {
				t.Error("not full")
			}
			if err := q.PutTimeout(9, time.Millisecond); !expiredWith(err, ErrQueueFull) {
				t.Errorf("PutTimeout: %v", err)
			}
			log = append(log, "get")
			if v, _ := q.Get(); v != 1 {
				t.Errorf("got %d", v)
			}
			p.Join()
			if v, _ := q.Get(); v != 2 {
				t.Errorf("got %d", v)
			}
			if !slices.Equal(log, []string{"put1", "get", "put2"}) {
				t.Errorf("log %v", log)
			}
		}},
		{"blocked getters are served FIFO", func(t *testing.T, q *Queue[int]) {
			got := make([]int, 3)
			var gs []*Greenlet
			for i := range got {
				gs = append(gs, Spawn(func() { got[i], _ = q.Get() }))
			}
			settle()
			for v := range 3 {
				q.Put(10 + v)
			}
			JoinAll(gs...)
			if !slices.Equal(got, []int{10, 11, 12}) {
				t.Errorf("got %v", got)
			}
		}},
		{"blocked putters are served FIFO", func(t *testing.T, q *Queue[int]) {
			q.max = 1
			q.Put(0)
			for v := 1; v <= 3; v++ {
				Spawn(func() { q.Put(v) })
			}
			settle()
			var got []int
			for range 4 {
				v, _ := q.Get()
				got = append(got, v)
			}
			if !slices.Equal(got, []int{0, 1, 2, 3}) {
				t.Errorf("got %v", got)
			}
		}},
		{"get timeout", func(t *testing.T, q *Queue[int]) {
			if _, err := q.GetTimeout(time.Millisecond); !expiredWith(err, ErrQueueEmpty) {
				t.Error(err)
			}
			if _, err := q.PeekTimeout(time.Millisecond); !expiredWith(err, ErrQueueEmpty) {
				t.Error(err)
			}
			if !q.getters.Empty() || !q.peekers.Empty() {
				t.Error("timed-out waiters still registered")
			}
		}},
		{"killed getter does not consume", func(t *testing.T, q *Queue[int]) {
			a := Spawn(func() { q.Get(); t.Error("a got an item") })
			settle()
			a.KillWith(KillOptions{NoWait: true}) // a is unparked, not yet run
			q.Put(1)                              // must skip a
			a.Join()
			if v, err := q.GetNowait(); v != 1 || err != nil {
				t.Errorf("got %v, %v", v, err)
			}
		}},
		{"getter killed after the handoff gives the item back", func(t *testing.T, q *Queue[int]) {
			a := Spawn(func() { q.Get(); t.Error("a returned") })
			b := Spawn(func() (int, error) { return q.Get() })
			settle()
			q.Put(1)                              // handed to a
			a.KillWith(KillOptions{NoWait: true}) // before a runs
			a.Join()
			if v, err := b.Get(); v != 1 || err != nil {
				t.Errorf("b got %v, %v", v, err)
			}
		}},
		{"Timeout interrupts get", func(t *testing.T, q *Queue[int]) {
			err := WithTimeout(time.Millisecond, func() { q.Get() })
			if !errors.Is(err, ErrTimeout) {
				t.Fatal(err)
			}
			q.Put(1)
			if q.Len() != 1 {
				t.Error("item lost")
			}
		}},
		{"peek waits without consuming", func(t *testing.T, q *Queue[int]) {
			p := Spawn(func() (int, error) { return q.Peek() })
			settle()
			q.Put(7)
			if v, err := p.Get(); v != 7 || err != nil {
				t.Error(v, err)
			}
			if q.Len() != 1 {
				t.Error("peek consumed")
			}
		}},
		{"task done and join", func(t *testing.T, q *Queue[int]) {
			if err := q.TaskDone(); err != ErrTaskDone {
				t.Error(err)
			}
			q.Put(1)
			q.Put(2)
			if q.Unfinished() != 2 || q.JoinTimeout(0) != ErrTimeout {
				t.Error("unfinished")
			}
			j := Spawn(func() error { return q.Join() })
			w := Spawn(func() {
				for range 2 {
					q.Get()
					Sleep(time.Millisecond)
					q.TaskDone()
				}
			})
			if err := j.Join(); err != nil || q.Unfinished() != 0 {
				t.Error(err)
			}
			w.Join()
			if err := q.JoinTimeout(time.Millisecond); err != nil {
				t.Error(err)
			}
		}},
		{"shutdown wakes blocked getters and peekers", func(t *testing.T, q *Queue[int]) {
			g := Spawn(func() (int, error) { return q.Get() })
			pk := Spawn(func() (int, error) { return q.Peek() })
			settle()
			q.Shutdown()
			if _, err := g.Get(); err != ErrQueueShutDown {
				t.Errorf("getter: %v", err)
			}
			if _, err := pk.Get(); err != ErrQueueShutDown {
				t.Errorf("peeker: %v", err)
			}
			if err := q.Put(3); err != ErrQueueShutDown {
				t.Errorf("put after shutdown: %v", err)
			}
			if !q.IsShutDown() || q.Shutdown() != nil {
				t.Error("IsShutDown")
			}
		}},
		{"shutdown wakes blocked putters", func(t *testing.T, q *Queue[int]) {
			q.max = 1
			q.Put(1)
			p := Spawn(func() error { return q.Put(2) })
			settle()
			q.Shutdown()
			if err := p.Join(); err != ErrQueueShutDown {
				t.Errorf("putter: %v", err)
			}
			if v, err := q.Get(); v != 1 || err != nil {
				t.Errorf("remaining item: %v %v", v, err)
			}
			if _, err := q.Get(); err != ErrQueueShutDown {
				t.Errorf("get after shutdown: %v", err)
			}
		}},
		{"shutdown drains remaining items first", func(t *testing.T, q *Queue[int]) {
			q.Put(1)
			q.Put(2)
			q.Shutdown()
			var got []int
			for v := range q.All() {
				got = append(got, v)
			}
			if !slices.Equal(got, []int{1, 2}) {
				t.Errorf("got %v", got)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := primHub(t)
			q := NewQueue[int](0)
			q.BindHub(h)
			primRun(t, h, func() { tt.fn(t, q) })
		})
	}
}

func TestQueueDeadlock(t *testing.T) {
	h := primHub(t)
	q := NewQueue[int](0)
	q.BindHub(h)
	gl := SpawnOn(h, func() { q.Get() })
	if err := gl.Join(); !errors.Is(err, ErrDeadlock) {
		t.Fatalf("got %v, want ErrDeadlock", err)
	}
	// Plain goroutines wait like on a Go channel: a put on a full queue
	// waits for a get another goroutine makes later, with no Hold.
	b := NewQueue[int](1)
	b.BindHub(h)
	b.Put(1)
	time.AfterFunc(30*time.Millisecond, func() { b.Get() })
	if err := b.Put(2); err != nil {
		t.Fatalf("plain put on a full queue: %v", err)
	}
	if v, err := b.Get(); v != 2 || err != nil {
		t.Fatal(v, err)
	}
}

func TestQueueBridge(t *testing.T) {
	h := primHub(t)
	q := NewQueue[int](4)
	q.BindHub(h)
	const n = 1000
	// Plain goroutine producer, greenlet consumer.
	release := h.Hold()
	go func() {
		defer release()
		for i := range n {
			if err := q.Put(i); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	sum := SpawnOn(h, func() (int, error) {
		s := 0
		for range n {
			v, err := q.Get()
			if err != nil {
				return 0, err
			}
			s += v
		}
		return s, nil
	})
	if v, err := sum.Get(); err != nil || v != n*(n-1)/2 {
		t.Fatal(v, err)
	}
	// Greenlet producer, plain goroutine consumers.
	SpawnOn(h, func() {
		for i := range n {
			q.Put(i)
		}
	})
	got := make(chan int)
	for range 4 {
		// Plain goroutines that keep waking greenlets (here: the blocked
		// producer) hold the hub, or deadlock detection may fire between
		// two of their calls.
		release := h.Hold()
		go func() {
			defer release()
			s := 0
			for range n / 4 {
				v, err := q.Get()
				if err != nil {
					t.Error(err)
					break
				}
				s += v
			}
			got <- s
		}()
	}
	s := 0
	for range 4 {
		s += <-got
	}
	if s != n*(n-1)/2 {
		t.Fatal(s)
	}
	// Plain timeouts.
	if _, err := q.GetTimeout(time.Millisecond); !expiredWith(err, ErrQueueEmpty) {
		t.Fatal(err)
	}
	for i := range 4 {
		q.Put(i)
	}
	if err := q.PutTimeout(9, time.Millisecond); !expiredWith(err, ErrQueueFull) {
		t.Fatal(err)
	}
	if q.Len() != 4 || !q.Full() || q.Cap() != 4 {
		t.Fatal(q.Len())
	}
}

func TestQueueCrossHub(t *testing.T) {
	primCheckLeaks(t)
	h1, h2 := primNewHub(t), primNewHub(t)
	q := NewQueue[int](0)
	q.BindHub(h1)
	c := SpawnOn(h2, func() (int, error) { return q.Get() }) // parks on h2
	p := SpawnOn(h1, func() { Sleep(time.Millisecond); q.Put(5) })
	release := h2.Hold()
	defer release()
	if v, err := c.Get(); v != 5 || err != nil {
		t.Fatal(v, err)
	}
	p.Join()
	// A greenlet of h2 killed while waiting on h1's queue takes nothing.
	k := SpawnOn(h2, func() { q.Get(); t.Error("got") })
	SpawnOn(h2, func() { Sleep(time.Millisecond); k.Kill() }).Join()
	q.Put(6)
	if v, err := q.GetNowait(); v != 6 || err != nil {
		t.Fatal(v, err)
	}
}

func TestChannelSemantics(t *testing.T) {
	tests := []struct {
		name string
		fn   func(t *testing.T, c *Channel[int])
	}{
		{"put waits for a getter", func(t *testing.T, c *Channel[int]) {
			var log []string
			p := Spawn(func() {
				c.Put(1)
				log = append(log, "put returned")
			})
			settle()
			if gs, ps := c.Waiting(); gs != 0 || ps != 1 {
				t.Errorf("waiting %d %d", gs, ps)
			}
			log = append(log, "get")
			if v, err := c.Get(); v != 1 || err != nil {
				t.Error(v, err)
			}
			p.Join()
			if !slices.Equal(log, []string{"get", "put returned"}) {
				t.Errorf("log %v", log)
			}
		}},
		{"nowait needs a partner", func(t *testing.T, c *Channel[int]) {
			if err := c.PutNowait(1); err != ErrQueueFull {
				t.Error(err)
			}
			if _, err := c.GetNowait(); err != ErrQueueEmpty {
				t.Error(err)
			}
			g := Spawn(func() (int, error) { return c.Get() })
			settle()
			if err := c.PutNowait(2); err != nil {
				t.Error(err)
			}
			if v, _ := g.Get(); v != 2 {
				t.Error(v)
			}
		}},
		{"timeouts", func(t *testing.T, c *Channel[int]) {
			if err := c.PutTimeout(1, time.Millisecond); !expiredWith(err, ErrQueueFull) {
				t.Error(err)
			}
			if _, err := c.GetTimeout(time.Millisecond); !expiredWith(err, ErrQueueEmpty) {
				t.Error(err)
			}
			if gs, ps := c.Waiting(); gs+ps != 0 {
				t.Error("waiters left")
			}
		}},
		{"killed getter does not consume", func(t *testing.T, c *Channel[int]) {
			a := Spawn(func() { c.Get(); t.Error("a got") })
			settle()
			a.KillWith(KillOptions{NoWait: true})
			p := Spawn(func() error { return c.PutTimeout(1, time.Hour) })
			a.Join()
			if v, err := c.Get(); v != 1 || err != nil {
				t.Error(v, err)
			}
			if err := p.Join(); err != nil {
				t.Error(err)
			}
		}},
		{"getter killed after the handoff gives the item back", func(t *testing.T, c *Channel[int]) {
			a := Spawn(func() { c.Get(); t.Error("a returned") })
			settle()
			c.PutNowait(1)
			a.KillWith(KillOptions{NoWait: true})
			a.Join()
			if v, err := c.GetNowait(); v != 1 || err != nil {
				t.Error(v, err)
			}
		}},
		{"shutdown", func(t *testing.T, c *Channel[int]) {
			g := Spawn(func() (int, error) { return c.Get() })
			settle()
			c.Shutdown()
			if _, err := g.Get(); err != ErrQueueShutDown {
				t.Error(err)
			}
			if err := c.Put(1); err != ErrQueueShutDown {
				t.Error(err)
			}
			n := 0
			for range c.All() {
				n++
			}
			if n != 0 {
				t.Error(n)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := primHub(t)
			c := new(Channel[int])
			c.BindHub(h)
			primRun(t, h, func() { tt.fn(t, c) })
		})
	}
}

func TestChannelBridgeAndDeadlock(t *testing.T) {
	h := primHub(t)
	c := new(Channel[string])
	c.BindHub(h)
	g := SpawnOn(h, func() (string, error) { return c.Get() })
	release := h.Hold()
	go func() { defer release(); c.Put("hi") }()
	if v, err := g.Get(); v != "hi" || err != nil {
		t.Fatal(v, err)
	}
	SpawnOn(h, func() { c.Put("back") })
	if v, err := c.Get(); v != "back" || err != nil {
		t.Fatal(v, err)
	}
	if err := SpawnOn(h, func() { c.Put("nobody") }).Join(); !errors.Is(err, ErrDeadlock) {
		t.Fatal(err)
	}
}
