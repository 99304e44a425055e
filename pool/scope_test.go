package pool

import (
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/greenrt/green/green"
)

func TestNurseryCancelOnError(t *testing.T) {
	h := newHub(t)
	boom := errors.New("boom")
	killed := 0
	var sc *Scope
	run(t, h, func() {
		err := Nursery(func(s *Scope) error {
			sc = s
			for range 3 {
				s.Go(func() error {
					defer func() { killed++ }()
					sleeper()
					return nil
				})
			}
			s.Go(func() error {
				yields(2)
				return boom
			})
			return nil
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if killed != 3 || !sc.Cancelled() {
			t.Fatalf("%d siblings unwound", killed)
		}
	})
	func() {
		defer func() {
			if r := recover(); r != ErrScopeClosed {
				t.Fatal(r)
			}
		}()
		sc.Go(func() error { return nil })
	}()
}

func TestNurseryBodyError(t *testing.T) {
	h := newHub(t)
	bodyErr := errors.New("body")
	unwound := false
	started := make(chan struct{})
	err := NurseryWith(ScopeOptions{Hub: h}, func(s *Scope) error {
		s.Go(func() error {
			defer func() { unwound = true }()
			close(started)
			sleeper()
			return nil
		})
		<-started // the body is a plain goroutine here
		return bodyErr
	})
	if !errors.Is(err, bodyErr) || !unwound {
		t.Fatal(err, unwound)
	}
}

func TestNurseryCollectAll(t *testing.T) {
	h := newHub(t)
	e1, e2 := errors.New("e1"), errors.New("e2")
	done := 0
	err := NurseryWith(ScopeOptions{Hub: h, CollectAll: true}, func(s *Scope) error {
		s.Go(func() error { yields(1); return e1 })
		s.Go(func() error { yields(3); return e2 })
		s.Go(func() error { yields(5); done++; return nil })
		return nil
	})
	if !errors.Is(err, e1) || !errors.Is(err, e2) || done != 1 {
		t.Fatal(err, done)
	}
	if err.Error() != "e1\ne2" {
		t.Fatalf("%q", err)
	}
}

func TestNurseryChildPanic(t *testing.T) {
	h := newHub(t)
	unwound := false
	defer func() {
		pe, ok := recover().(*green.PanicError)
		if !ok || pe.Value != "child" || !strings.Contains(string(pe.Stack), "panickingChild") {
			t.Fatalf("%v", pe)
		}
		if !unwound {
			t.Fatal("sibling not cancelled")
		}
	}()
	NurseryWith(ScopeOptions{Hub: h, CollectAll: true}, func(s *Scope) error {
		s.Go(func() error {
			defer func() { unwound = true }()
			sleeper()
			return nil
		})
		s.Go(panickingChild)
		return nil
	})
	t.Fatal("no panic")
}

func panickingChild() error {
	green.Yield()
	panic("child")
}

func TestNurseryBodyPanic(t *testing.T) {
	h := newHub(t)
	unwound := false
	defer func() {
		if r := recover(); r != "body" || !unwound {
			t.Fatal(r, unwound)
		}
	}()
	started := make(chan struct{})
	NurseryWith(ScopeOptions{Hub: h}, func(s *Scope) error {
		s.Go(func() error {
			defer func() { unwound = true }()
			close(started)
			sleeper()
			return nil
		})
		<-started // the body is a plain goroutine here
		panic("body")
	})
}

func TestNurseryKillParent(t *testing.T) {
	h := newHub(t)
	unwound := 0
	started := make(chan struct{})
	parent := green.SpawnOn(h, func() {
		Nursery(func(s *Scope) error {
			for range 3 {
				s.Go(func() error {
					defer func() { unwound++ }()
					sleeper()
					return nil
				})
			}
			s.Go(func() error {
				// Grandchild through the same scope.
				s.Go(func() error { defer func() { unwound++ }(); sleeper(); return nil })
				close(started)
				return nil
			})
			return nil
		})
		t.Error("Nursery returned")
	})
	<-started
	if err := parent.Kill(); err != nil || !parent.Killed() {
		t.Fatal(err)
	}
	if unwound != 4 {
		t.Fatalf("%d children unwound", unwound)
	}
}

func TestNurseryLimitAndTimeout(t *testing.T) {
	h := newHub(t)
	running, peak := 0, 0
	run(t, h, func() {
		err := NurseryWith(ScopeOptions{Limit: 2}, func(s *Scope) error {
			for range 10 {
				s.Go(func() error {
					running++
					peak = max(peak, running)
					yields(2)
					running--
					return nil
				})
			}
			return nil
		})
		if err != nil || peak != 2 {
			t.Fatal(err, peak)
		}
		// A green.Timeout around a nursery cancels its children.
		unwound := false
		err = green.WithTimeout(time.Millisecond, func() {
			Nursery(func(s *Scope) error {
				s.Go(func() error { defer func() { unwound = true }(); sleeper(); return nil })
				return nil
			})
		})
		if !errors.Is(err, green.ErrTimeout) || !unwound {
			t.Fatal(err, unwound)
		}
	})
}

func TestNurseryGoexit(t *testing.T) {
	h := newHub(t)
	unwound := false
	started := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		NurseryWith(ScopeOptions{Hub: h}, func(s *Scope) error {
			s.Go(func() error { defer func() { unwound = true }(); close(started); sleeper(); return nil })
			<-started
			runtime.Goexit() // as t.FailNow does
			return nil
		})
	}()
	<-done
	if !unwound {
		t.Fatal("child not cancelled")
	}
}
