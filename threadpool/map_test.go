package threadpool_test

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/internal/testutil"
	"github.com/greenrt/green/threadpool"
)

func TestMapImapSubmit(t *testing.T) {
	th := testutil.NewHub(t)
	tp := newThreadPool(t, 3)
	items := []int{5, 1, 4, 2, 3}
	sq := func(_ context.Context, x int) (int, error) {
		time.Sleep(time.Duration(x) * time.Millisecond) // out of order
		return x * x, nil
	}
	run(t, th.Hub, func() {
		got, err := threadpool.Map(tp, context.Background(), items, sq)
		if err != nil || !slices.Equal(got, []int{25, 1, 16, 4, 9}) {
			t.Errorf("Map: %v, %v", got, err)
		}
		var ordered, unordered []int
		for v, err := range threadpool.Imap(tp, nil, items, sq) {
			if err != nil {
				t.Error(err)
			}
			ordered = append(ordered, v)
		}
		for v, err := range threadpool.ImapUnordered(tp, nil, items, sq) {
			if err != nil {
				t.Error(err)
			}
			unordered = append(unordered, v)
		}
		if !slices.Equal(ordered, []int{25, 1, 16, 4, 9}) {
			t.Errorf("Imap: %v", ordered)
		}
		slices.Sort(unordered)
		if !slices.Equal(unordered, []int{1, 4, 9, 16, 25}) {
			t.Errorf("ImapUnordered: %v", unordered)
		}
		r := threadpool.Submit(tp, nil, func(context.Context) (string, error) {
			time.Sleep(5 * time.Millisecond)
			return "done", nil
		})
		if _, err := r.GetTimeout(0); !errors.Is(err, green.ErrTimeout) || r.Ready() {
			t.Errorf("not ready yet: %v", err)
		}
		if v, err := r.Get(); v != "done" || err != nil || !r.Ready() {
			t.Errorf("Submit: %v, %v", v, err)
		}
	})
	// From a plain goroutine too.
	if got, err := threadpool.Map(tp, context.Background(), []int{3}, sq); err != nil || got[0] != 9 {
		t.Errorf("Map from a goroutine: %v, %v", got, err)
	}
}

// The first failure (in the order of the items) comes back and the calls
// not started yet are skipped; stopping an Imap loop early cancels the
// rest.
func TestMapFailureAndEarlyStop(t *testing.T) {
	th := testutil.NewHub(t)
	tp := newThreadPool(t, 1)
	boom := errors.New("boom")
	var ran atomic.Int32
	run(t, th.Hub, func() {
		_, err := threadpool.Map(tp, context.Background(), []int{0, 1, 2, 3}, func(ctx context.Context, x int) (int, error) {
			ran.Add(1)
			if x == 1 {
				return 0, boom
			}
			return x, nil
		})
		if !errors.Is(err, boom) {
			t.Errorf("Map error: %v", err)
		}
		if n := ran.Load(); n != 2 {
			t.Errorf("%d calls ran, want 2 (the ones after the failure are skipped)", n)
		}
		ran.Store(0)
		for range threadpool.Imap(tp, nil, []int{0, 1, 2, 3}, func(ctx context.Context, x int) (int, error) {
			ran.Add(1)
			return x, nil
		}) {
			break
		}
	})
	if err := threadpool.Do(func() {}); err != nil {
		t.Fatal(err)
	}
	if _, err := threadpool.Map[int, int](nil, nil, []int{1}, nil); !errors.Is(err, threadpool.ErrNilFunc) {
		t.Fatal(err)
	}
	if _, err := threadpool.Submit[int](tp, nil, nil).Get(); !errors.Is(err, threadpool.ErrNilFunc) {
		t.Fatal(err)
	}
}
