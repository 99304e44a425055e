package green

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestLinksFireInOrder(t *testing.T) {
	th := newTestHub(t)
	th.run(t, func() {
		const n = 1000
		var got []int
		g := Spawn(func() {
			Sleep(time.Millisecond)
			if len(got) != 0 {
				t.Error("links fired before the greenlet died")
			}
		})
		for i := 0; i < n; i++ {
			g.Link(func(src *Greenlet) {
				if src != g {
					t.Error("link got the wrong greenlet")
				}
				got = append(got, i)
			})
		}
		g.Join()
		g.Link(func(*Greenlet) { got = append(got, n) })
		if len(got) > n {
			t.Error("a link added after death fired inside Link")
		}
		for len(got) < n+1 {
			Sleep(time.Millisecond)
		}
		for i, v := range got {
			if v != i {
				t.Fatalf("link %d fired at position %d", v, i)
			}
		}
	})
}

func TestLinkAfterDeathAndFilters(t *testing.T) {
	th := newTestHub(t)
	th.run(t, func() {
		ok := Spawn(func() {})
		bad := Spawn(func() error { return errBoom })
		JoinAll(ok, bad)
		var log []string
		for _, g := range []*Greenlet{ok, bad} {
			name := "ok"
			if g == bad {
				name = "bad"
			}
			g.Link(func(*Greenlet) { log = append(log, name+":any") })
			g.LinkValue(func(*Greenlet) { log = append(log, name+":value") })
			g.LinkError(func(*Greenlet) { log = append(log, name+":error") })
		}
		Sleep(time.Millisecond)
		want := "[ok:any ok:value bad:any bad:error]"
		if fmt.Sprint(log) != want {
			t.Errorf("links %v, want %v", log, want)
		}
	})
}

func TestUnlinkAndFailingLink(t *testing.T) {
	th := newTestHub(t)
	th.run(t, func() {
		var log []string
		g := Spawn(Sleep, time.Millisecond)
		g.Link(func(*Greenlet) { log = append(log, "first") })
		id := g.Link(func(*Greenlet) { log = append(log, "removed") })
		g.Link(func(*Greenlet) { panic(errBoom) })
		g.Link(func(*Greenlet) { log = append(log, "last") })
		if !g.Unlink(id) {
			t.Error("Unlink failed")
		}
		if g.Unlink(id) {
			t.Error("second Unlink succeeded")
		}
		g.Join()
		Sleep(time.Millisecond)
		if fmt.Sprint(log) != "[first last]" {
			t.Errorf("links %v", log)
		}
	})
	if errs := th.reported(); len(errs) != 1 || !errors.Is(errs[0], errBoom) {
		t.Errorf("reported %v, want the failing link's panic", errs)
	}
}

func TestLinkFiresOnceForKillBeforeStart(t *testing.T) {
	th := newTestHub(t)
	n := 0
	g := NewOn(th.Hub, func() {})
	g.RawLink(func(*Greenlet) { n++ })
	g.Kill()
	g.Kill()
	g.Start() // starting a killed greenlet does nothing
	th.run(t, func() { Sleep(time.Millisecond) })
	var got int
	th.Call(func() { got = n })
	if got != 1 {
		t.Fatalf("fired %d times", got)
	}
}
