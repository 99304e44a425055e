package hub

import (
	"fmt"
	"testing"
)

// TestCurrentManyHubs: Current answers right for coroutines of many hubs
// whose goroutines share cache slots, for loop callbacks and for plain
// goroutines.
func TestCurrentManyHubs(t *testing.T) {
	const n = 8
	hs := make([]*Hub, n)
	for i := range hs {
		hs[i] = newHub(t, Config{})
	}
	if g, h := Current(); g != nil || h != nil {
		t.Fatalf("plain goroutine: Current = %v, %v", g, h)
	}
	for round := range 3 {
		for i, h := range hs {
			var bad string
			rs := make([]*fnRunner, 20)
			for j := range rs {
				rs[j] = spawn(t, h, func(g *G) {
					for range 3 {
						if cg, ch := Current(); cg != g || ch != h {
							bad = fmt.Sprintf("round %d hub %d: Current = %p, %p; want %p, %p", round, i, cg, ch, g, h)
						}
						g.Yield()
					}
				})
			}
			for _, r := range rs {
				<-r.done
			}
			h.Call(func() {
				if cg, ch := Current(); cg != nil || ch != h {
					bad = fmt.Sprintf("hub %d callback: Current = %p, %p", i, cg, ch)
				}
			})
			if bad != "" {
				t.Fatal(bad)
			}
		}
	}
}

// BenchmarkCurrent is hub.Current, which every netwrap call and every
// primitive's entry makes: from a coroutine with one hub running and with
// eight (the cache serves both in O(1)), and from a plain goroutine (the
// baseline: the search of the running hubs that a goroutine pays, and what
// every caller paid before the cache).
func BenchmarkCurrent(b *testing.B) {
	for _, nh := range []int{1, 8} {
		b.Run(fmt.Sprintf("coroutine/hubs=%d", nh), func(b *testing.B) {
			hs := make([]*Hub, nh)
			for i := range hs {
				hs[i], _ = New(Config{})
				hs[i].Start()
				defer hs[i].Stop()
			}
			n := b.N
			r := &fnRunner{done: make(chan struct{}), fn: func(g *G) {
				b.ReportAllocs()
				b.ResetTimer()
				for range n {
					if cg, _ := Current(); cg != g {
						panic("wrong G")
					}
				}
			}}
			r.g.Init(hs[nh-1], r)
			hs[nh-1].Call(func() { r.g.Start() })
			<-r.done
		})
	}
	b.Run("goroutine/hubs=8", func(b *testing.B) {
		for range 8 {
			h, _ := New(Config{})
			h.Start()
			defer h.Stop()
		}
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if g, _ := Current(); g != nil {
				panic("a G")
			}
		}
	})
}
