package green

import (
	"time"

	"github.com/greenrt/green/hub"
)

// waitDead waits until gl is dead or the timeout expires (timeout < 0:
// never; 0: just check). It returns nil, ErrTimeout, ErrJoinSelf, or for a
// plain goroutine ErrDeadlock (nothing can ever finish gl: gevent's
// LoopExit) or hub.ErrNotStarted. Inside a greenlet it parks (a kill or
// Timeout interrupts it); in a plain goroutine it blocks.
func (gl *Greenlet) waitDead(timeout time.Duration) error {
	if gl == nil {
		return ErrNilGreenlet
	}
	if gl.Dead() {
		return nil
	}
	if timeout == 0 {
		return ErrTimeout
	}
	me, g, h := current()
	switch {
	case me == gl:
		return ErrJoinSelf
	case g != nil && h == gl.g.Hub():
		return gl.joinLocal(g, timeout)
	case g == nil && h != nil:
		panic(hub.ErrNotCoroutine)
	}
	return gl.joinRemote(timeout)
}

// joinLocal parks g, a greenlet of gl's hub, on a node of gl's list.
func (gl *Greenlet) joinLocal(g *hub.G, timeout time.Duration) error {
	n := g.Node()
	gl.links.PushBack(n)
	g.SetWaitingOn(gl, hub.WaitJoin)
	res := n.Wait(timeout, nil)
	gl.links.Remove(n)
	g.PutNode(n)
	switch res {
	case hub.Interrupted:
		g.Raise()
	case hub.TimedOut:
		return ErrTimeout
	}
	return nil
}

// joinRemote waits for gl from a greenlet of another hub (which parks: it
// never blocks its hub on gl's) or a plain goroutine (which blocks, as an
// observer of gl's hub for deadlock detection).
func (gl *Greenlet) joinRemote(timeout time.Duration) error {
	gh := gl.g.Hub()
	n := new(hub.WaitNode[none])
	n.Prepare()
	// Announced at once: a death before the posted link runs is observed.
	gl.joiners.Add(1)
	defer gl.joiners.Add(-1)
	if err := gh.Post(func() {
		if gl.state.Load() == stDead {
			n.Notify()
			return
		}
		gl.linkOnHub(n)
	}); err != nil {
		return gl.deadOr(err)
	}
	markWait(gl, hub.WaitJoin)
	res := n.Wait(timeout, gh)
	if res != hub.Woken {
		gh.Post(func() { gl.links.Remove(n) })
	}
	switch res {
	case hub.Interrupted:
		n.Raise()
	case hub.TimedOut:
		if gl.Dead() {
			return nil
		}
		return ErrTimeout
	}
	if err := n.Err(); err != nil {
		return gl.deadOr(err)
	}
	return nil
}

func (gl *Greenlet) deadOr(err error) error {
	if gl.Dead() {
		return nil
	}
	return err
}

// Join waits until the greenlet has finished and returns its error (nil if
// it succeeded). Inside a greenlet it parks; from a plain goroutine it
// blocks. A greenlet joining itself gets ErrJoinSelf.
func (gl *Greenlet) Join() error {
	if err := gl.waitDead(forever); err != nil {
		return err
	}
	return gl.Err()
}

// JoinTimeout is Join giving up after d with ErrTimeout (the greenlet goes
// on). d <= 0 only checks.
func (gl *Greenlet) JoinTimeout(d time.Duration) error {
	if err := gl.waitDead(max(d, 0)); err != nil {
		return err
	}
	return gl.Err()
}

// Get waits until the greenlet has finished and returns its value and
// error (gevent's get()).
func (gl *Greenlet) Get() (any, error) {
	if err := gl.waitDead(forever); err != nil {
		return nil, err
	}
	return gl.Value(), gl.Err()
}

// GetTimeout is Get giving up after d with ErrTimeout. d <= 0 does not
// block (gevent's get(block=False)).
func (gl *Greenlet) GetTimeout(d time.Duration) (any, error) {
	if err := gl.waitDead(max(d, 0)); err != nil {
		return nil, err
	}
	return gl.Value(), gl.Err()
}

// KillOptions tune KillWith. The zero value is gevent's default kill: raise
// ErrGreenletExit and wait, without limit, until the greenlet is dead.
type KillOptions struct {
	// Err is the error raised in the greenlet. Zero value: ErrGreenletExit,
	// which counts as success; any other error makes it a failure.
	Err error
	// NoWait returns as soon as the kill is delivered. Zero value: wait.
	NoWait bool
	// Timeout bounds the wait. Zero value: no bound.
	Timeout time.Duration
}

// Kill kills the greenlet with ErrGreenletExit and waits until it is dead.
// See KillWith.
func (gl *Greenlet) Kill() error { return gl.KillWith(KillOptions{}) }

// KillWith kills the greenlet. A greenlet that has not started never runs
// and is dead at once (its links still fire, once). A running one is
// unwound at its current or next park point: the kill is raised there as a
// panic, so its deferred calls run whether or not its code checks errors.
// Killing a dead greenlet does nothing. A greenlet that kills itself
// unwinds immediately.
//
// It returns nil once the kill is delivered (NoWait) or the greenlet is
// dead, or ErrTimeout if it is still alive after Timeout (it may have
// recovered the kill).
func (gl *Greenlet) KillWith(o KillOptions) error {
	if gl == nil {
		return ErrNilGreenlet
	}
	if o.Err == nil {
		o.Err = ErrGreenletExit
	}
	if gl.Dead() {
		return nil
	}
	sig := &KillError{Err: o.Err}
	if gl.g.Hub().OnHub() {
		gl.killOnHub(sig)
	} else if err := gl.g.Hub().Post(func() { gl.killOnHub(sig) }); err != nil {
		return gl.deadOr(err)
	}
	if o.NoWait {
		return nil
	}
	t := forever
	if o.Timeout > 0 {
		t = o.Timeout
	}
	return gl.waitDead(t)
}

// JoinOptions tune JoinAllWith. The zero value waits for every greenlet
// without a time limit.
type JoinOptions struct {
	// Timeout bounds the wait; on expiry JoinAllWith returns the greenlets
	// done so far and ErrTimeout. Zero value: no bound.
	Timeout time.Duration
	// StopOnError returns as soon as a greenlet fails, with its error
	// (gevent's raise_error). Zero value: failures do not stop the wait.
	StopOnError bool
	// Count returns once this many greenlets are done. Zero value: all.
	Count int
}

// JoinAll waits for every greenlet and returns them in the order they
// finished (those already finished first, in argument order).
func JoinAll(gs ...*Greenlet) []*Greenlet {
	done, _ := JoinAllWith(JoinOptions{}, gs...)
	return done
}

// JoinAllWith is JoinAll with a timeout, a count and stop-on-error
// (gevent's joinall). It returns the finished greenlets in completion order
// and nil, ErrTimeout, or the first failure's error when StopOnError is
// set.
func JoinAllWith(o JoinOptions, gs ...*Greenlet) ([]*Greenlet, error) {
	want := len(gs)
	if o.Count > 0 && o.Count < want {
		want = o.Count
	}
	c := newCollector(want, o.StopOnError)
	seen := make(map[*Greenlet]bool, len(gs))
	for _, gl := range gs {
		if gl == nil || seen[gl] {
			continue
		}
		seen[gl] = true
		c.follow(gl)
	}
	if len(seen) < want {
		c.lower(len(seen))
	}
	t := forever
	if o.Timeout > 0 {
		t = o.Timeout
	}
	err := c.wait(t)
	return c.result(), err
}

// KillAll kills every greenlet with ErrGreenletExit and waits until they
// are all dead. See KillAllWith.
func KillAll(gs ...*Greenlet) error { return KillAllWith(KillOptions{}, gs...) }

// KillAllWith delivers the kill to every greenlet first, then (unless
// NoWait) waits for all of them within one Timeout.
func KillAllWith(o KillOptions, gs ...*Greenlet) error {
	wait := !o.NoWait
	o.NoWait = true
	for _, gl := range gs {
		if gl != nil {
			gl.KillWith(o)
		}
	}
	if !wait {
		return nil
	}
	_, err := JoinAllWith(JoinOptions{Timeout: o.Timeout}, gs...)
	return err
}
