package pool

import (
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/greenrt/green/green"
)

func square(x int) (int, error) {
	green.Yield()
	return x * x, nil
}

func TestMapOrdered(t *testing.T) {
	h := newHub(t)
	p, _ := NewPoolOn(h, 3)
	in := []int{1, 2, 3, 4, 5, 6, 7}
	want := []int{1, 4, 9, 16, 25, 36, 49}
	// From a plain goroutine.
	got, err := Map(p, in, square)
	if err != nil || !slices.Equal(got, want) {
		t.Fatal(got, err)
	}
	// From a greenlet, on a pool and on an unbounded group.
	run(t, h, func() {
		for _, s := range []Spawner{p, NewGroup()} {
			got, err := Map(s, in, square)
			if err != nil || !slices.Equal(got, want) {
				t.Error(got, err)
			}
		}
		if got, err := Map(p, nil, square); err != nil || len(got) != 0 {
			t.Error(got, err)
		}
	})
	p.Join()
	if p.Free() != 3 {
		t.Fatal(p.Free())
	}
}

func TestMapBoundsConcurrency(t *testing.T) {
	h := newHub(t)
	p, _ := NewPoolOn(h, 5)
	running, peak := 0, 0
	_, err := Map(p, make([]int, 100), func(int) (int, error) {
		running++
		peak = max(peak, running)
		yields(2)
		running--
		return 0, nil
	})
	if err != nil || peak != 5 {
		t.Fatal(err, peak)
	}
}

func TestMapFirstError(t *testing.T) {
	h := newHub(t)
	p, _ := NewPoolOn(h, 4)
	var ran []int
	run(t, h, func() {
		got, err := Map(p, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, func(x int) (int, error) {
			ran = append(ran, x)
			// Item 3 fails late, item 1 fails later still: the
			// lowest index wins, whatever the timing.
			switch x {
			case 1:
				yields(10)
				return 0, fmt.Errorf("item %d", x)
			case 3:
				yields(1)
				return 0, fmt.Errorf("item %d", x)
			}
			yields(1)
			return x, nil
		})
		if err == nil || err.Error() != "item 1" {
			t.Errorf("err %v", err)
		}
		if got[0] != 0 || got[2] != 2 || got[1] != 0 {
			t.Error(got)
		}
	})
	if len(ran) == 10 {
		t.Fatal("Map kept starting items after a failure")
	}
}

func TestMapPanic(t *testing.T) {
	h := newHub(t)
	p, _ := NewPoolOn(h, 2)
	run(t, h, func() {
		defer func() {
			r := recover()
			pe, ok := r.(*green.PanicError)
			if !ok {
				t.Fatalf("recovered %T %v", r, r)
			}
			if pe.Value != "boom" || !strings.Contains(string(pe.Stack), "panicky") {
				t.Errorf("value %v, stack:\n%s", pe.Value, pe.Stack)
			}
		}()
		Map(p, []int{1, 2, 3}, panicky)
		t.Error("no panic")
	})
	p.Join()
}

func panicky(x int) (int, error) {
	if x == 2 {
		panic("boom")
	}
	return x, nil
}

func TestMapKillCaller(t *testing.T) {
	h := newHub(t)
	p, _ := NewPoolOn(h, 3)
	caller := green.SpawnOn(h, func() {
		Map(p, make([]int, 10), func(int) (int, error) { sleeper(); return 0, nil })
		t.Error("Map returned")
	})
	for p.Len() < 3 {
		time.Sleep(time.Millisecond)
	}
	if err := caller.Kill(); err != nil || !caller.Killed() {
		t.Fatal(err)
	}
	// The workers were killed and awaited before the caller died.
	if p.Len() != 0 {
		t.Fatal(p.Members())
	}
}

func TestImapOrderedVsUnordered(t *testing.T) {
	h := newHub(t)
	p, _ := NewPoolOn(h, 10)
	// Item i yields 10-i times: the later the item, the sooner it ends.
	slow := func(i int) (int, error) {
		yields(10 - i)
		return i, nil
	}
	in := slices.Values([]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	var ordered, unordered []int
	run(t, h, func() {
		for v, err := range Imap(p, in, slow) {
			if err != nil {
				t.Fatal(err)
			}
			ordered = append(ordered, v)
		}
		for v, err := range ImapUnordered(p, in, slow) {
			if err != nil {
				t.Fatal(err)
			}
			unordered = append(unordered, v)
		}
	})
	if !slices.Equal(ordered, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
		t.Fatal("Imap", ordered)
	}
	if !slices.Equal(unordered, []int{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}) {
		t.Fatal("ImapUnordered", unordered)
	}
	// From a plain goroutine.
	var plain []int
	for v := range Imap(p, in, slow) {
		plain = append(plain, v)
	}
	if !slices.Equal(plain, ordered) {
		t.Fatal(plain)
	}
}

// counted yields 0..n-1 and counts how many items were read.
func counted(n int, read *int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := range n {
			*read++
			if !yield(i) {
				return
			}
		}
	}
}

func TestImapLazyAndBounded(t *testing.T) {
	h := newHub(t)
	g := NewGroupOn(h) // unbounded: only Buffer limits it
	for _, ordered := range []bool{true, false} {
		read, started, consumed, peak := 0, 0, 0, 0
		fn := func(i int) (int, error) {
			started++
			peak = max(peak, started-consumed)
			yields(i % 3)
			return i, nil
		}
		var seq iter.Seq2[int, error]
		if ordered {
			seq = ImapWith(ImapOptions{Buffer: 4}, g, counted(50, &read), fn)
		} else {
			seq = ImapUnorderedWith(ImapOptions{Buffer: 4}, g, counted(50, &read), fn)
		}
		run(t, h, func() {
			yields(3)
			if read != 0 {
				t.Fatal("input read before iterating")
			}
			n := 0
			for v, err := range seq {
				if err != nil {
					t.Fatal(err)
				}
				if ordered && v != n {
					t.Fatalf("got %d at %d", v, n)
				}
				n++
				consumed++
				if n == 10 {
					break
				}
			}
		})
		if peak > 4 || peak < 1 {
			t.Fatalf("ordered=%v: %d items in flight, buffer 4", ordered, peak)
		}
		if read > 10+4+1 {
			t.Fatalf("ordered=%v: read %d items to consume 10", ordered, read)
		}
		if g.Len() != 0 {
			t.Fatal(g.Members())
		}
	}
}

func TestImapBreakKillsRunning(t *testing.T) {
	h := newHub(t)
	p, _ := NewPoolOn(h, 5)
	unwound := 0
	run(t, h, func() {
		for v := range ImapUnordered(p, slices.Values([]int{0, 1, 2, 3, 4}), func(i int) (int, error) {
			if i == 0 {
				return 0, nil
			}
			defer func() { unwound++ }()
			sleeper()
			return i, nil
		}) {
			if v != 0 {
				t.Fatal(v)
			}
			break
		}
		if unwound != 4 || p.Len() != 0 {
			t.Fatalf("unwound %d, len %d", unwound, p.Len())
		}
	})
}

func TestImapErrorsAndPanics(t *testing.T) {
	h := newHub(t)
	p, _ := NewPoolOn(h, 3)
	boom := errors.New("odd")
	var errs int
	for _, err := range Imap(p, slices.Values([]int{1, 2, 3, 4}), func(i int) (int, error) {
		if i%2 == 1 {
			return 0, boom
		}
		return i, nil
	}) {
		if err != nil {
			errs++
		}
	}
	if errs != 2 {
		t.Fatal(errs)
	}
	func() {
		defer func() {
			if pe, ok := recover().(*green.PanicError); !ok || pe.Value != "boom" {
				t.Fatal("no PanicError")
			}
		}()
		for range Imap(p, slices.Values([]int{1, 2, 3}), panicky) {
		}
	}()
	// A panicking input sequence.
	bad := func(yield func(int) bool) {
		yield(1)
		panic("input")
	}
	func() {
		defer func() {
			if pe, ok := recover().(*green.PanicError); !ok || pe.Value != "input" {
				t.Fatal("no PanicError for the input")
			}
		}()
		for range ImapUnordered(p, bad, square) {
		}
	}()
	p.Join()
	// A task killed by someone else yields ErrTaskKilled.
	g := NewGroupOn(h)
	for _, err := range Imap(g, slices.Values([]int{1}), func(int) (int, error) {
		green.Spawn(func() { g.Kill() })
		sleeper()
		return 0, nil
	}) {
		if !errors.Is(err, ErrTaskKilled) {
			t.Fatal(err)
		}
	}
}

func TestApplyInline(t *testing.T) {
	h := newHub(t)
	p, _ := NewPoolOn(h, 1)
	run(t, h, func() {
		outer := p.Spawn(func() (any, error) {
			// The only slot is ours: a spawn would wait forever.
			return Apply(p, func() (int, error) { return 7, nil })
		})
		if v, err := outer.Get(); v != 7 || err != nil {
			t.Fatal(v, err)
		}
		v, err := Apply(p, func() (string, error) { return "x", nil })
		if v != "x" || err != nil {
			t.Fatal(v, err)
		}
	})
	if v, err := Apply(p, func() (int, error) { return 1, errors.New("e") }); v != 1 || err == nil {
		t.Fatal(v, err)
	}
}

func TestApplyAsyncNeverBlocks(t *testing.T) {
	h := newHub(t)
	p, _ := NewPoolOn(h, 1)
	run(t, h, func() {
		blocker := p.Spawn(sleeper)
		r := ApplyAsync(p, func() (int, error) { return 42, nil })
		if r.Ready() || p.Contains(r.Greenlet()) {
			t.Fatal("ran on a full pool")
		}
		if _, err := r.GetTimeout(time.Millisecond); !errors.Is(err, green.ErrTimeout) {
			t.Fatal(err)
		}
		blocker.Kill()
		if v, err := r.Get(); v != 42 || err != nil {
			t.Fatal(v, err)
		}
		r2 := ApplyAsync(p, func() (int, error) { panic("late") })
		if !p.Contains(r2.Greenlet()) {
			t.Fatal("free pool: should be a member")
		}
		defer func() {
			if pe, ok := recover().(*green.PanicError); !ok || pe.Value != "late" {
				t.Fatal("no PanicError")
			}
		}()
		r2.Get()
	})
}

func TestApplyKilledCallerKillsTask(t *testing.T) {
	h := newHub(t)
	p, _ := NewPoolOn(h, 1)
	caller := green.SpawnOn(h, func() {
		Apply(p, func() (int, error) { sleeper(); return 0, nil })
	})
	for p.Len() == 0 {
		time.Sleep(time.Millisecond)
	}
	caller.Kill()
	p.Join()
}

func TestImapKillConsumer(t *testing.T) {
	h := newHub(t)
	p, _ := NewPoolOn(h, 3)
	unwound, read := 0, 0
	consumer := green.SpawnOn(h, func() {
		for range Imap(p, counted(100, &read), func(i int) (int, error) {
			defer func() { unwound++ }()
			sleeper()
			return i, nil
		}) {
			t.Error("got a result")
		}
	})
	for p.Len() < 3 {
		time.Sleep(time.Millisecond)
	}
	if err := consumer.Kill(); err != nil || !consumer.Killed() {
		t.Fatal(err)
	}
	// The feeder (parked on the full pool) and the 3 items are gone.
	if unwound != 3 || p.Len() != 0 || read != 4 {
		t.Fatalf("unwound %d, len %d, read %d", unwound, p.Len(), read)
	}
}

func TestCrossHub(t *testing.T) {
	a := newHub(t) // its leak check runs after both hubs stopped
	b := newHubNoLeakCheck(t)
	p, _ := NewPoolOn(b, 2)
	slow := func(i int) (int, error) {
		green.Sleep(2 * time.Millisecond) // on hub b: hub a has nothing to do
		return i, nil
	}
	// The test goroutine joins the greenlet on hub a (hub.Waiting): without
	// a hold, hub a would call its parked greenlet deadlocked.
	run(t, a, func() {
		n := 0
		for v, err := range Imap(p, slices.Values([]int{0, 1, 2, 3}), slow) {
			if err != nil || v != n {
				t.Fatal(v, err)
			}
			n++
		}
		out, err := Map(p, []int{1, 2, 3}, slow)
		if err != nil || !slices.Equal(out, []int{1, 2, 3}) {
			t.Fatal(out, err)
		}
		p.Spawn(slow, 0)
		p.Spawn(slow, 0)
		p.Spawn(slow, 0) // waits for a slot freed on hub b
		p.Join()
	})
}
