package pool

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/greenrt/green/green"
)

// Then is gevent's apply_cb / map_cb: the callback gets the outcome in a
// new greenlet; MapAsync is map_async.
func TestThenAndMapAsync(t *testing.T) {
	h := newHub(t)
	run(t, h, func() {
		p, _ := NewPool(2)
		var got atomic.Value
		done := new(green.Event)
		r := MapAsync(p, []int{1, 2, 3}, func(x int) (int, error) { green.Sleep(time.Millisecond); return x * x, nil })
		r.Then(func(v []int, err error) { got.Store(v); done.Set() })
		if !done.WaitTimeout(time.Minute) {
			t.Fatal("callback never ran")
		}
		if v := got.Load().([]int); len(v) != 3 || v[2] != 9 {
			t.Fatal(v)
		}
		boom := errors.New("boom")
		var gotErr atomic.Value
		done2 := new(green.Event)
		ApplyAsync(p, func() (int, error) { return 0, boom }).Then(func(_ int, err error) { gotErr.Store(err); done2.Set() })
		done2.WaitTimeout(time.Minute)
		if err, _ := gotErr.Load().(error); !errors.Is(err, boom) {
			t.Fatal(err)
		}
		done3 := new(green.Event)
		var pan atomic.Value
		ApplyAsync(p, func() (int, error) { panic("deep") }).Then(func(_ int, err error) { pan.Store(err); done3.Set() })
		done3.WaitTimeout(time.Minute)
		if _, ok := pan.Load().(*green.PanicError); !ok {
			t.Fatalf("panic reached the callback as %v", pan.Load())
		}
	})
}

// KillOne of a member the group is already killing returns at once
// (gevent's killone), even if the member takes its time to die.
func TestKillOneWhileBeingKilled(t *testing.T) {
	h := newHub(t)
	run(t, h, func() {
		g := NewGroup()
		release := new(green.Event)
		m := g.Spawn(func() {
			defer release.Wait() // dies only once released
			green.Sleep(time.Hour)
		})
		yields(3)
		if err := g.KillOne(m, green.KillOptions{NoWait: true}); err != nil {
			t.Fatal(err)
		}
		yields(3)
		if err := g.KillOne(m, green.KillOptions{}); err != nil { // returns at once
			t.Fatal(err)
		}
		if m.Dead() {
			t.Fatal("member died before it was released")
		}
		release.Set()
		g.Join()
	})
}
