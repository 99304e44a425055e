package greenlet

import (
	"errors"
	"testing"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/internal/testutil"
)

var errBoom = errors.New("boom")

func inGreenlet(t *testing.T, fn func()) {
	t.Helper()
	th := testutil.NewHub(t)
	if err := green.SpawnOn(th.Hub, fn).Join(); err != nil {
		t.Fatal(err)
	}
}

func TestSwitchSemantics(t *testing.T) {
	inGreenlet(t, func() {
		main := Current()
		if Current() != main || main.Parent() != nil || main.Dead() {
			t.Error("root")
		}
		// An error escaping a greenlet is raised in its parent.
		bad := New(func(any) any { panic(errBoom) })
		func() {
			defer func() {
				if r := recover(); r != errBoom {
					t.Errorf("parent got %v", r)
				}
			}()
			bad.Switch(nil)
			t.Error("no panic")
		}()
		if !bad.Dead() {
			t.Error("not dead")
		}
		// Switching to a dead greenlet goes to its parent: here, itself.
		if v := bad.Switch(5); v != 5 {
			t.Errorf("switch to dead = %v", v)
		}
		// Throw into a greenlet that never ran: it dies unrun; its
		// parent gets the GreenletExit as a value.
		ran := false
		idle := New(func(any) any { ran = true; return nil })
		if v := idle.Throw(nil); !errors.Is(v.(error), green.ErrGreenletExit) || ran || !idle.Dead() {
			t.Errorf("throw unstarted: %v ran %v", v, ran)
		}
		// SetParent: results go to the new parent.
		var got any
		a := New(func(any) any {
			got = "a ran"
			return "from b"
		})
		b := New(func(any) any {
			v := a.Switch(nil) // a returns to b
			return v
		})
		if err := a.SetParent(b); err != nil {
			t.Fatal(err)
		}
		if v := b.Switch(nil); v != "from b" || got != "a ran" {
			t.Errorf("reparented: %v %v", v, got)
		}
		if b.SetParent(b) == nil || a.SetParent(nil) == nil {
			t.Error("bad parents accepted")
		}
		// Raw greenlets share the hub with ordinary ones and may park.
		slept := New(func(any) any { green.Sleep(time.Millisecond); return 1 })
		if v := slept.Switch(nil); v != 1 {
			t.Errorf("sleeping greenlet = %v", v)
		}
	})
}

func TestOtherTreeAndOutside(t *testing.T) {
	var other *Greenlet
	inGreenlet(t, func() { other = New(func(any) any { return nil }) })
	inGreenlet(t, func() {
		defer func() {
			if r := recover(); r != ErrWrongHub {
				t.Errorf("cross-tree switch: %v", r)
			}
		}()
		other.Switch(nil)
	})
	defer func() {
		if r := recover(); r != green.ErrNotGreenlet {
			t.Errorf("outside a greenlet: %v", r)
		}
	}()
	Current()
}

// Greenlets left suspended when their root ends are killed (their
// deferred calls run): nothing leaks.
func TestSuspendedKilledWithRoot(t *testing.T) {
	th := testutil.NewHub(t)
	unwound := make(chan bool, 1)
	var left *Greenlet
	green.SpawnOn(th.Hub, func() {
		main := Current()
		left = New(func(any) any {
			defer func() { unwound <- true }()
			main.Switch(nil)
			return nil
		})
		left.Switch(nil)
	}).Join()
	select {
	case <-unwound:
	case <-time.After(10 * time.Second):
		t.Fatal("suspended greenlet not killed with its root")
	}
	if err := left.gl.Join(); err != nil {
		t.Error(err)
	}
}
