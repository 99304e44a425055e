package greenlet

import (
	"errors"
	"fmt"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
)

// ErrWrongHub is the panic value of a switch between greenlets of
// different trees or hubs (greenlet's "cannot switch to a different
// thread").
var ErrWrongHub = errors.New("greenlet: cannot switch to a greenlet of another tree")

// Greenlet is a raw greenlet: a function run as a coroutine that is
// resumed only by explicit switches. The zero value is not usable; see New
// and Current. Its methods must be called from a greenlet of its tree.
type Greenlet struct {
	run    func(any) any
	parent *Greenlet
	root   *root
	gl     *green.Greenlet // the green greenlet that runs it (the root's own)

	started, dead bool

	// The message of the switch that resumes it.
	has     bool
	msg     any
	thrown  error
	waiting bool
	w       hub.Waiter
}

// root is a tree of raw greenlets: the raw face of one green greenlet and
// every raw greenlet created under it, all on its hub.
type root struct {
	h    *hub.Hub
	live map[*Greenlet]struct{} // started, not dead: killed when the root ends
}

var current green.Local[*Greenlet]

// Current returns the running raw greenlet; in a green greenlet that
// never used this package, its raw face (the root of a new tree, which
// never dies: greenlet's main greenlet).
func Current() *Greenlet {
	gl := green.Current()
	if gl == nil {
		panic(green.ErrNotGreenlet)
	}
	if g, ok := current.Lookup(); ok {
		return g
	}
	r := &root{h: gl.Hub(), live: map[*Greenlet]struct{}{}}
	g := &Greenlet{root: r, gl: gl, started: true}
	current.Set(g)
	gl.RawLink(func(*green.Greenlet) { r.killAll() })
	return g
}

// New creates a raw greenlet that will run fn(v) the first time something
// switches to it with v. Its parent is the calling greenlet.
func New(fn func(v any) any) *Greenlet {
	p := Current()
	return &Greenlet{run: fn, parent: p, root: p.root}
}

// Parent returns the greenlet that resumes when this one finishes (nil
// for a root).
func (g *Greenlet) Parent() *Greenlet { return g.parent }

// SetParent changes the parent (greenlet's parent attribute). It fails
// with ErrWrongHub for a parent of another tree and with an error for a
// cycle.
func (g *Greenlet) SetParent(p *Greenlet) error {
	if p == nil || p.root != g.root {
		return ErrWrongHub
	}
	for q := p; q != nil; q = q.parent {
		if q == g {
			return errors.New("greenlet: parent cycle")
		}
	}
	g.parent = p
	return nil
}

// Dead reports whether the greenlet's function has finished.
func (g *Greenlet) Dead() bool { return g.dead }

// Started reports whether something has switched to it yet.
func (g *Greenlet) Started() bool { return g.started }

// Switch suspends the caller and resumes g with v: g starts running fn(v),
// or its pending Switch returns v. Switch returns the value of the switch
// that resumes the caller later (or a greenlet's result, when the caller
// is its parent). Switching to a dead greenlet switches to its parent.
func (g *Greenlet) Switch(v any) any { return switchTo(g, v, nil) }

// Throw resumes g by raising err in it, at its pending Switch (a panic
// with err, which g may recover); a nil err is green.ErrGreenletExit,
// which ends g quietly, its parent getting the error as the switch's
// value. Throw into a greenlet that has not started finishes it without
// running it. It returns what Switch returns.
func (g *Greenlet) Throw(err error) any {
	if err == nil {
		err = green.ErrGreenletExit
	}
	return switchTo(g, nil, err)
}

func switchTo(t *Greenlet, v any, thr error) any {
	c := Current()
	if t == nil || t.root != c.root {
		panic(ErrWrongHub)
	}
	for t.dead {
		t = t.parent
	}
	if t == c {
		if thr != nil {
			panic(thr)
		}
		return v
	}
	if !t.started {
		t.started = true
		if thr != nil { // dies without running; its parent gets the error
			t.dead = true
			ev, et := exitValue(thr)
			return switchTo(t.liveParent(), ev, et)
		}
		t.deliver(v, nil)
		t.root.live[t] = struct{}{}
		t.gl = green.NewOn(t.root.h, t.body)
		t.gl.SetName("raw greenlet")
		t.gl.Start()
	} else {
		t.deliver(v, thr)
	}
	return c.park()
}

// exitValue maps what ends a greenlet to its parent's switch: a
// GreenletExit is a value, another error is raised.
func exitValue(err error) (any, error) {
	if errors.Is(err, green.ErrGreenletExit) {
		return err, nil
	}
	return nil, err
}

func (g *Greenlet) liveParent() *Greenlet {
	p := g.parent
	for p.dead {
		p = p.parent
	}
	return p
}

func (g *Greenlet) deliver(v any, thr error) {
	g.msg, g.thrown, g.has = v, thr, true
	if g.waiting {
		g.w.Notify()
	}
}

// park suspends the caller until a switch to it, and returns the switch's
// value (or raises its error).
func (g *Greenlet) park() any {
	for !g.has {
		hg, _ := hub.Current()
		g.w.PrepareLocal(hg)
		g.waiting = true
		hg.SetWaitingOn(g, hub.WaitOther)
		res := g.w.Wait(-1, nil)
		g.waiting = false
		if res == hub.Interrupted {
			g.w.Raise() // a kill of the green greenlet under it
		}
	}
	v, thr := g.msg, g.thrown
	g.has, g.msg, g.thrown = false, nil, nil
	if thr != nil {
		panic(thr)
	}
	return v
}

// body runs in the green greenlet of a raw one.
func (g *Greenlet) body() {
	current.Set(g)
	v := g.msg
	g.has, g.msg = false, nil
	var result any
	var failure error
	func() {
		defer func() {
			r := recover()
			if r == nil {
				return
			}
			green.Repanic(r) // killed with its tree: unwind for real
			if err, ok := r.(error); ok {
				failure = err
			} else {
				failure = fmt.Errorf("greenlet: panic: %v", r)
			}
		}()
		result = g.run(v)
	}()
	g.dead = true
	delete(g.root.live, g)
	p := g.liveParent()
	if failure != nil {
		p.deliver(exitValue(failure))
	} else {
		p.deliver(result, nil)
	}
	// Returning ends the green greenlet: the hub resumes the parent.
}

// killAll kills the suspended greenlets of a tree whose root has ended.
func (r *root) killAll() {
	for g := range r.live {
		g.gl.KillWith(green.KillOptions{NoWait: true})
	}
	clear(r.live)
}

// String names the greenlet and its state.
func (g *Greenlet) String() string {
	state := "not started"
	switch {
	case g.dead:
		state = "dead"
	case g.started:
		state = "suspended"
	}
	if g.parent == nil {
		state = "root"
	}
	return fmt.Sprintf("<greenlet %p %s>", g, state)
}
