package green

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/greenrt/green/hub"
)

// What a parked greenlet waits on: recorded at each park as the object
// and a hub.WaitOp (two stores, see hub.G.SetWaitingOn), described only
// when run-info asks.

// parkOp maps a primitive's own operation number to the operation
// run-info names.
func parkOp(obj any, op uint8) hub.WaitOp {
	switch obj.(type) {
	case *Event:
		return hub.WaitEvent
	case *Semaphore, *Lock:
		return hub.WaitAcquire
	case *AsyncResult:
		return hub.WaitGet
	}
	switch op { // the queues
	case opGet:
		return hub.WaitGet
	case opPut:
		return hub.WaitPut
	case opPeek:
		return hub.WaitPeek
	}
	return hub.WaitOther // a queue's Join: its unfinished tasks
}

// markWait records what the calling greenlet is about to wait on, if it is
// a greenlet.
func markWait(what any, op hub.WaitOp) {
	if g, _ := hub.Current(); g != nil {
		g.SetWaitingOn(what, op)
	}
}

// waitDescriber is implemented by objects greenlets wait on that can say
// more than their type. on is the hub asking (run-info runs on each hub in
// turn): an object may read its own state only when it belongs to that
// hub.
type waitDescriber interface {
	describeWait(on *hub.Hub) string
}

// describeWait says what g, a parked greenlet of h, waits for: "sleep
// (1.5s left)", "get Queue[int] 0xc000123456 (empty, 3 waiting)", "read fd
// 7 (tcp 127.0.0.1:8080 <- 127.0.0.1:53211)". On h.
func describeWait(g *hub.G, h *hub.Hub) string {
	what, op, _ := g.WaitingOn()
	var b strings.Builder
	if op != hub.WaitNone && op != hub.WaitOther {
		b.WriteString(op.String())
	}
	add := func(s string) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s)
	}
	switch w := what.(type) {
	case nil:
		if op == hub.WaitSleep {
			if d, ok := g.SleepUntil(); ok {
				add(fmt.Sprintf("(%v left)", roundDur(d)))
			}
		} else if op == hub.WaitNone {
			add("(not recorded)")
		}
	case *hub.FD:
		add(w.Describe())
	case *Greenlet:
		add(fmt.Sprintf("#%d %q", w.ID(), w.Name()))
	case *hub.Hub:
		add("on " + w.Name())
	case waitDescriber:
		add(w.describeWait(h))
	case fmt.Stringer:
		add(w.String())
	default:
		add(typeName(what))
	}
	if d, ok := g.SleepUntil(); ok && op != hub.WaitSleep {
		add(fmt.Sprintf("(timeout in %v)", roundDur(d)))
	}
	return b.String()
}

// typeName is the object's type, shortened, and its address.
func typeName(v any) string {
	t := reflect.TypeOf(v)
	s := strings.ReplaceAll(t.String(), "github.com/greenrt/green/", "")
	if t.Kind() == reflect.Pointer {
		return fmt.Sprintf("%s %p", strings.TrimPrefix(s, "*"), v)
	}
	return s
}

func roundDur(d time.Duration) time.Duration {
	switch {
	case d > 10*time.Second:
		return d.Round(time.Second)
	case d > 10*time.Millisecond:
		return d.Round(time.Millisecond)
	}
	return d.Round(time.Microsecond)
}

func (q *queue[T, K]) describeWait(on *hub.Hub) string {
	name := [...]string{"Queue", "LifoQueue", "PriorityQueue", "Channel"}[q.kind()]
	var zero T
	s := fmt.Sprintf("%s[%s] %p", name, reflect.TypeOf(&zero).Elem(), q)
	if q.hb.Load() != on {
		return s
	}
	s += fmt.Sprintf(" (len %d", q.size())
	if q.max > 0 {
		s += fmt.Sprintf("/%d", q.max)
	}
	return s + fmt.Sprintf(", %d getters, %d putters waiting)", q.getters.Waiting(), q.putters.Waiting())
}

func (e *Event) describeWait(*hub.Hub) string { return fmt.Sprintf("Event %p", e) }

func (r *AsyncResult) describeWait(*hub.Hub) string { return fmt.Sprintf("AsyncResult %p", r) }

func (s *Semaphore) describeWait(on *hub.Hub) string {
	if s.hb.Load() != on {
		return fmt.Sprintf("Semaphore %p", s)
	}
	return fmt.Sprintf("Semaphore %p (%d waiting)", s, s.waiters.Waiting())
}

func (l *Lock) describeWait(on *hub.Hub) string {
	if l.hb.Load() != on {
		return fmt.Sprintf("Lock %p", l)
	}
	return fmt.Sprintf("Lock %p (%d waiting)", l, l.waiters.Waiting())
}

func (c *collector) describeWait(*hub.Hub) string {
	return fmt.Sprintf("JoinAll of %d greenlets", len(c.follows))
}

func (s *readySet) describeWait(*hub.Hub) string {
	return fmt.Sprintf("Wait on %d objects", len(s.objs))
}

func (w *Waiter) describeWait(*hub.Hub) string { return fmt.Sprintf("Waiter %p", w) }
