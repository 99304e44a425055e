package pool

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/greenrt/green/green"
)

func TestGroupMembership(t *testing.T) {
	h := newHub(t)
	run(t, h, func() {
		var g Group // zero value
		a := g.Spawn(sleeper)
		b := g.Spawn(func() {})
		c := green.New(sleeper)
		g.Add(c)
		g.Add(c) // again: no-op
		if g.Len() != 3 || !g.Contains(a) || !g.Contains(b) || !g.Contains(c) {
			t.Fatalf("len %d", g.Len())
		}
		if got := slices.Collect(g.All()); !slices.Equal(got, []*green.Greenlet{a, b, c}) {
			t.Fatalf("order %v", got)
		}
		b.Join()
		yields(2) // the raw link runs in the loop
		if g.Len() != 2 || g.Contains(b) {
			t.Fatalf("finished member did not leave: %v", g.Members())
		}
		if !g.Discard(c) || g.Discard(c) || g.Contains(c) {
			t.Fatal("discard")
		}
		c.Start()
		c.Kill() // not a member any more: the group does not notice
		if g.Len() != 1 {
			t.Fatal(g.Len())
		}
		g.Add(b) // dead: not added
		if g.Contains(b) {
			t.Fatal("dead greenlet added")
		}
		if err := g.Kill(); err != nil || g.Len() != 0 || !a.Killed() {
			t.Fatal(err, g.Len(), a)
		}
	})
}

func TestGroupJoinTimeout(t *testing.T) {
	h := newHub(t)
	g := NewGroupOn(h)
	if !g.JoinTimeout(0) {
		t.Fatal("empty group not joined")
	}
	gl := g.Spawn(sleeper)
	if g.JoinTimeout(time.Millisecond) {
		t.Fatal("joined with a sleeping member")
	}
	run(t, h, func() {
		if g.JoinTimeout(time.Millisecond) {
			t.Error("joined with a sleeping member (greenlet)")
		}
	})
	gl.KillWith(green.KillOptions{NoWait: true})
	g.Join() // from a plain goroutine
	if g.Len() != 0 || !g.JoinTimeout(0) {
		t.Fatal(g.Len())
	}
	// Join inside a greenlet parks while others finish.
	run(t, h, func() {
		for range 5 {
			g.Spawn(func() { yields(3) })
		}
		g.Join()
		if g.Len() != 0 {
			t.Error(g.Len())
		}
	})
}

// swallower recovers every kill until stop is set, counting them.
func swallower(kills *int, stop *bool) func() {
	return func() {
		for !*stop {
			func() {
				defer func() {
					if recover() != nil {
						*kills++
					}
				}()
				green.Sleep(time.Hour)
			}()
		}
	}
}

func TestGroupKillSwallowedOnce(t *testing.T) {
	h := newHub(t)
	run(t, h, func() {
		g := NewGroup()
		kills, stop := 0, false
		defer func() { stop = true }() // a failed check must not leave it spinning
		s := g.Spawn(swallower(&kills, &stop))
		n := g.Spawn(sleeper)
		yields(1)
		err := g.KillWith(green.KillOptions{Timeout: 5 * time.Millisecond})
		if !errors.Is(err, green.ErrTimeout) || kills != 1 || !n.Dead() || g.Len() != 1 {
			t.Fatalf("first kill: %v, kills %d, len %d", err, kills, g.Len())
		}
		err = g.KillWith(green.KillOptions{Timeout: 5 * time.Millisecond})
		if !errors.Is(err, green.ErrTimeout) || kills != 1 {
			t.Fatalf("second kill: %v, kills %d", err, kills)
		}
		if err := g.KillWith(green.KillOptions{NoWait: true}); err != nil || kills != 1 {
			t.Fatal(err, kills)
		}
		// KillOne of a member the group already killed returns at once
		// (gevent's killone skips the dying).
		if err := g.KillOne(s, green.KillOptions{Timeout: time.Hour}); err != nil || kills != 1 || s.Dead() {
			t.Fatalf("killone: %v, kills %d", err, kills)
		}
		// A kill from outside the group still reaches it.
		stop = true
		if err := s.Kill(); err != nil || kills != 2 || g.Len() != 0 {
			t.Fatal(err, kills, g.Len())
		}
	})
}

func TestGroupKillOne(t *testing.T) {
	h := newHub(t)
	g := NewGroupOn(h)
	a := g.Spawn(sleeper)
	b := g.Spawn(sleeper)
	if err := g.KillOne(a, green.KillOptions{}); err != nil || !a.Killed() {
		t.Fatal(err, a)
	}
	if g.Contains(a) || !g.Contains(b) {
		t.Fatal(g.Members())
	}
	other := green.SpawnOn(h, func() {})
	if err := g.KillOne(other, green.KillOptions{}); err != nil || other.Killed() {
		t.Fatal("killed a non-member", err)
	}
	if err := g.KillOne(b, green.KillOptions{Err: errors.New("stop"), NoWait: true}); err != nil {
		t.Fatal(err)
	}
	g.Join()
	if b.Err() == nil || b.Err().Error() != "stop" {
		t.Fatal(b.Err())
	}
}

func TestGroupKillAddedDuringKill(t *testing.T) {
	h := newHub(t)
	run(t, h, func() {
		g := NewGroup()
		// A member that spawns a sibling as it dies.
		g.Spawn(func() {
			defer g.Spawn(sleeper)
			sleeper()
		})
		if err := g.Kill(); err != nil || g.Len() != 0 {
			t.Fatal(err, g.Members())
		}
	})
}

func TestGroupKillSelf(t *testing.T) {
	h := newHub(t)
	g := NewGroupOn(h)
	other := g.Spawn(sleeper)
	self := g.Spawn(func() {
		g.Kill()
		t.Error("survived its own kill")
	})
	g.Join()
	if !self.Killed() || !other.Killed() {
		t.Fatal(self, other)
	}
}

func TestGroupJoinKilled(t *testing.T) {
	h := newHub(t)
	g := NewGroupOn(h)
	member := g.Spawn(sleeper)
	joiner := green.SpawnOn(h, func() {
		g.Join()
		t.Error("joined")
	})
	for !joiner.Started() {
		time.Sleep(time.Millisecond)
	}
	if err := joiner.Kill(); err != nil || !joiner.Killed() {
		t.Fatal(err)
	}
	// The killed joiner withdrew: a later Join still works.
	member.Kill()
	if !g.JoinTimeout(time.Minute) {
		t.Fatal("not empty")
	}
}
