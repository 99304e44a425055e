package ring

import (
	"math/rand/v2"
	"testing"
)

// TestRingModel runs seeded random operations on a Ring and on a slice
// that models it, and checks that they agree after every step: order,
// length, At, Front and Back, across growth, wrap-around and Shrink.
func TestRingModel(t *testing.T) {
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 1))
		var r Ring[int]
		var model []int
		next := 0
		for step := range 2000 {
			switch op := rng.IntN(7); {
			case op <= 1:
				r.PushBack(next)
				model = append(model, next)
				next++
			case op == 2:
				room := len(model) < len(r.buf)
				if ok := r.TryPushBack(next); ok != room {
					t.Fatalf("seed %d step %d: TryPushBack = %v with %d of %d", seed, step, ok, len(model), len(r.buf))
				}
				if room {
					model = append(model, next)
					next++
				}
			case op == 3:
				r.PushFront(next)
				model = append([]int{next}, model...)
				next++
			case op == 4 && len(model) > 0:
				if v := r.PopFront(); v != model[0] {
					t.Fatalf("seed %d step %d: PopFront = %d, want %d", seed, step, v, model[0])
				}
				model = model[1:]
			case op == 5 && len(model) > 0:
				if v := r.PopBack(); v != model[len(model)-1] {
					t.Fatalf("seed %d step %d: PopBack = %d, want %d", seed, step, v, model[len(model)-1])
				}
				model = model[:len(model)-1]
			case op == 6:
				r.Shrink(32)
			}
			checkRing(t, seed, step, &r, model)
		}
	}
}

func checkRing(t *testing.T, seed uint64, step int, r *Ring[int], model []int) {
	t.Helper()
	if r.Len() != len(model) {
		t.Fatalf("seed %d step %d: Len = %d, want %d", seed, step, r.Len(), len(model))
	}
	if n := len(r.buf); n != 0 && n&(n-1) != 0 {
		t.Fatalf("seed %d step %d: buffer length %d is not a power of two", seed, step, n)
	}
	for i, want := range model {
		if got := *r.At(i); got != want {
			t.Fatalf("seed %d step %d: At(%d) = %d, want %d", seed, step, i, got, want)
		}
	}
	if len(model) > 0 && (*r.Front() != model[0] || *r.Back() != model[len(model)-1]) {
		t.Fatalf("seed %d step %d: Front/Back = %d/%d, want %d/%d", seed, step, *r.Front(), *r.Back(), model[0], model[len(model)-1])
	}
}

// TestTryPushBackNeverGrows checks that TryPushBack refuses, rather than
// grows, a full ring, and that PushBack then grows it.
func TestTryPushBackNeverGrows(t *testing.T) {
	var r Ring[int]
	if r.TryPushBack(1) {
		t.Fatal("TryPushBack on the zero Ring succeeded without a buffer")
	}
	r.PushBack(0)
	for i := 1; i < 16; i++ {
		if !r.TryPushBack(i) {
			t.Fatalf("TryPushBack(%d) refused with %d of %d", i, r.Len(), len(r.buf))
		}
	}
	if r.TryPushBack(16) {
		t.Fatal("TryPushBack on a full ring succeeded")
	}
	if len(r.buf) != 16 {
		t.Fatalf("buffer grew to %d", len(r.buf))
	}
	r.PushBack(16)
	if len(r.buf) != 32 || r.Len() != 17 {
		t.Fatalf("after PushBack: buffer %d, Len %d", len(r.buf), r.Len())
	}
	for i := range 17 {
		if v := r.PopFront(); v != i {
			t.Fatalf("PopFront = %d, want %d", v, i)
		}
	}
}

// BenchmarkPushPop is the queues' steady state: one push and one pop on a
// ring that holds a few elements, beside a slice used as a FIFO.
func BenchmarkPushPop(b *testing.B) {
	b.Run("ring-TryPushBack", func(b *testing.B) {
		b.ReportAllocs()
		var r Ring[int]
		r.PushBack(0)
		for i := range b.N {
			if !r.TryPushBack(i) {
				r.PushBack(i)
			}
			r.PopFront()
		}
	})
	b.Run("ring-PushBack", func(b *testing.B) {
		b.ReportAllocs()
		var r Ring[int]
		r.PushBack(0)
		for i := range b.N {
			r.PushBack(i)
			r.PopFront()
		}
	})
	b.Run("slice", func(b *testing.B) {
		b.ReportAllocs()
		s := make([]int, 1, 16)
		for i := range b.N {
			s = append(s, i)
			s = s[1:]
			if cap(s) < 2 {
				s = append(make([]int, 0, 16), s...)
			}
		}
	})
}
