package pool

import (
	"errors"
	"sync"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"github.com/sourcegraph/conc/panics"
)

// ScopeOptions tune NurseryWith. The zero value is trio's nursery: no
// bound, the first failure cancels the siblings and is returned.
type ScopeOptions struct {
	// CollectAll waits for every child even after failures and returns
	// every error, joined with errors.Join in the order they happened
	// (body first if it failed). Zero value: the first failure kills the
	// other children and only its error is returned.
	CollectAll bool
	// Limit bounds how many children run at once; Go waits (parks) for a
	// slot. Zero value: no bound.
	Limit int
	// Hub is where the children run. Zero value: the caller's hub (the
	// default hub from a plain goroutine).
	Hub *hub.Hub
}

// Scope is the handle a Nursery body uses to start children; children may
// start more children through it. Structured concurrency (trio's nursery,
// asyncio's TaskGroup, conc's pool with cancel-on-error): no child outlives
// its Nursery call. The zero value is not usable.
type Scope struct {
	grp        *Group
	collectAll bool
	mu         sync.Mutex
	errs       []error // failures, in the order they happened
	pan        *panics.Recovered
	cancelled  bool
	closed     bool
}

// Nursery runs body with a fresh Scope and waits until body and every child
// started with Scope.Go have finished. See NurseryWith.
func Nursery(body func(s *Scope) error) error { return NurseryWith(ScopeOptions{}, body) }

// NurseryWith runs body inline with a fresh Scope, then waits until every
// child has finished, and returns the first failure (body's error or a
// child's), or with CollectAll every failure joined.
//
// Unless CollectAll is set, the first failure (an error returned by body
// or a child, or a panic) cancels the scope: every running child is killed
// with green.ErrGreenletExit and later calls of Go start nothing. Children
// killed by the cancel (or by anybody with ErrGreenletExit) count as
// successful, so the error returned is the one that caused the cancel.
//
// A panic in a child re-panics in the caller once every child has
// finished, with a *green.PanicError carrying the child's stack; a panic in
// body cancels the children, waits for them, and continues with the
// original value. If the calling greenlet is killed or its green.Timeout
// expires, the children are killed and awaited before the interrupt goes
// on. It works from a plain goroutine too (its children run on the default
// hub unless o.Hub is set).
func NurseryWith(o ScopeOptions, body func(s *Scope) error) error {
	if body == nil {
		return ErrNilFunc
	}
	s := &Scope{collectAll: o.CollectAll, grp: NewGroupOn(o.Hub)}
	if o.Limit > 0 {
		p, _ := NewPoolOn(o.Hub, o.Limit)
		s.grp = &p.Group
	}
	finished := false
	defer func() {
		if finished {
			return
		}
		p := recover() // body panicked, or we were interrupted
		s.Cancel()
		s.grp.Join()
		s.close()
		if p != nil { // nil: runtime.Goexit, which goes on by itself
			panic(p)
		}
	}()
	if berr := body(s); berr != nil {
		s.fail(berr, nil)
	}
	s.grp.Join()
	finished = true
	s.close()
	s.mu.Lock()
	pan, errs := s.pan, s.errs
	s.mu.Unlock()
	if pan != nil {
		rePanic(pan)
	}
	if s.collectAll {
		return errors.Join(errs...)
	}
	if len(errs) > 0 {
		return errs[0]
	}
	return nil
}

// Go starts fn in a child greenlet of the scope. On a scope with a Limit
// it first waits for a slot. After the scope was cancelled it does nothing;
// after Nursery has returned it panics with ErrScopeClosed. A nil fn fails
// the scope with ErrNilFunc.
func (s *Scope) Go(fn func() error) {
	s.mu.Lock()
	closed, cancelled := s.closed, s.cancelled
	s.mu.Unlock()
	if closed {
		panic(ErrScopeClosed)
	}
	if cancelled {
		return
	}
	if fn == nil {
		s.fail(ErrNilFunc, nil) // a failure of the scope, like a child's error
		return
	}
	s.grp.acquire(forever)
	t := &task[struct{}, struct{}]{fn: func(struct{}) (struct{}, error) { return struct{}{}, fn() }}
	gl := green.NewOn(s.grp.spawnHub(), t.run)
	s.grp.add(gl, true, func(gl *green.Greenlet) { s.exited(t, gl) })
	s.mu.Lock()
	cancelled = s.cancelled
	s.mu.Unlock()
	if cancelled { // cancelled meanwhile: never run it
		gl.KillWith(green.KillOptions{NoWait: true})
		return
	}
	gl.Start()
}

// Cancel kills every running child with green.ErrGreenletExit, without
// waiting, and makes later calls of Go do nothing. The Nursery still waits
// for the children to finish unwinding. Safe from any goroutine.
func (s *Scope) Cancel() {
	s.mu.Lock()
	s.cancelled = true
	s.mu.Unlock()
	s.grp.KillWith(green.KillOptions{NoWait: true})
}

// Cancelled reports whether the scope was cancelled.
func (s *Scope) Cancelled() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cancelled
}

// exited runs in the hub loop when a child has died.
func (s *Scope) exited(t *task[struct{}, struct{}], gl *green.Greenlet) {
	err := t.err
	if !t.returned {
		err = gl.Err() // nil for a kill with ErrGreenletExit
	}
	if t.pan != nil || err != nil {
		s.fail(err, t.pan)
	}
}

// fail records a failure and, unless CollectAll, cancels the scope.
func (s *Scope) fail(err error, pan *panics.Recovered) {
	s.mu.Lock()
	if pan != nil && s.pan == nil {
		s.pan = pan
	}
	if err != nil {
		s.errs = append(s.errs, err)
	}
	cancel := !s.collectAll || pan != nil
	s.mu.Unlock()
	if cancel {
		s.Cancel()
	}
}

func (s *Scope) close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
}
