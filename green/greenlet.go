package green

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync/atomic"
	"time"

	"github.com/greenrt/green/hub"
	"github.com/sourcegraph/conc/panics"
)

// Greenlet states, readable from any goroutine.
const (
	stNew     uint32 = iota // created, not started
	stStarted               // scheduled or running
	stDead                  // finished, failed or killed
)

// Greenlet is a lightweight cooperative thread running on a hub: gevent's
// Greenlet. Create one with Spawn (or New then Start); only one greenlet of
// a hub runs at a time, and it runs until it parks (Sleep, a wait, I/O).
//
// The zero value is not usable. Methods are safe from any goroutine:
// inside a greenlet, waiting calls (Join, Get, Kill) park the caller; from a
// plain goroutine they block it like an ordinary Go wait.
//
// Cost: one allocation of 240 bytes; a started greenlet borrows a
// pooled goroutine from its hub until it finishes.
type Greenlet struct {
	g hub.G
	// fn is the body until the greenlet dies, then its outcome (written on
	// the hub before state becomes stDead): its value, or the error it
	// failed with when failed is set (a failed greenlet has no value).
	// The body, the value and the error are never needed at once, and one
	// field for the three keeps a Greenlet at 240 bytes, so that a Task[T]
	// of a value of up to two words fits the same 256-byte size class.
	fn any
	x  *extra // rarely used fields, allocated on demand

	// Hub-owned: the links (callback nodes) and the joiners of this hub
	// and others (waiter nodes), in the order they were added.
	links hub.WaitList[none]

	// state is the greenlet's life, its one record: stNew, stStarted,
	// stDead. Written on the hub (or, for a greenlet whose hub stopped
	// before it started, by the one caller that finds it so); readable
	// from anywhere.
	state  atomic.Uint32
	linkID atomic.Uint32
	// joiners counts the waits from other hubs and plain goroutines
	// (Join, Get, blocking Kill, JoinAll) that will collect the outcome:
	// raised before their link is posted, so that a greenlet dying before
	// the post runs knows it is observed (see observed). Fits the struct's
	// tail padding.
	joiners atomic.Int32
	killed  bool
	failed  bool // fn holds the error it died of (see fn)
	notify  bool // a notification of the links is scheduled
	held    bool // its outcome goes to a caller (Main): a panic is not logged
}

// extra holds what most greenlets never use, to keep a parked greenlet
// small (the struct above is one 240-byte allocation: TestGreenletSize).
type extra struct {
	args     []any
	later    *hub.Timer
	locals   map[any]any
	timeouts []*Timeout  // armed by this greenlet; stopped when it dies
	fired    []firedLink // Links fired whose greenlets may not have run (Unlink)

	// Context (context.go): created on first use, cancelled at death.
	ctx        context.Context
	cancel     context.CancelCauseFunc
	parent     context.Context // SpawnContext's
	stopParent func() bool     // stops following parent
}

func (gl *Greenlet) extra() *extra {
	if gl.x == nil {
		gl.x = &extra{}
	}
	return gl.x
}

func (gl *Greenlet) args() []any {
	if gl.x == nil {
		return nil
	}
	return gl.x.args
}

// New creates a greenlet that will run fn(args...) on the caller's hub (the
// default hub from a plain goroutine), without starting it. See Spawn for
// the accepted functions.
//
//go:noinline
func New(fn any, args ...any) *Greenlet { return newAt(callerPC(), nil, fn, args) }

// NewOn is New on a given hub.
//
//go:noinline
func NewOn(h *hub.Hub, fn any, args ...any) *Greenlet { return newAt(callerPC(), h, fn, args) }

// newAt creates a greenlet on h (nil: the caller's hub, or the default
// hub), recording pc, a return address in the function that asked for it,
// and the calling greenlet as where it came from (see TrackGreenletTree).
// Every exported constructor calls it directly, marked noinline so that
// callerPC sees its caller.
func newAt(pc uintptr, h *hub.Hub, fn any, args []any) *Greenlet {
	gl := &Greenlet{fn: fn}
	if len(args) > 0 {
		gl.x = &extra{args: args}
	}
	gl.initAt(pc, h)
	return gl
}

// initAt binds gl to h (nil: the caller's hub, or the default hub) and
// records where it came from; see newAt.
func (gl *Greenlet) initAt(pc uintptr, h *hub.Hub) {
	var parent *hub.G
	if h == nil || trackTree.Load() {
		var ch *hub.Hub
		parent, ch = hub.Current()
		if h == nil {
			h = ch
			if h == nil {
				h = hub.Default()
			}
		}
	}
	gl.g.Init(h, gl)
	if trackTree.Load() {
		gl.g.SetOrigin(pc, parent)
	}
}

// Spawn creates a greenlet running fn(args...) and starts it: it begins on
// a later turn of the hub's loop, never inside Spawn (gevent's spawn).
//
// fn may be any function. Its results become the greenlet's value and
// error: a last result of type error is the error, a single other result is
// the value, several other results make a []any value. func(), func()
// error, func() any and func() (any, error) without arguments are called
// directly; other shapes go through reflect. A function that cannot be
// called with args makes the greenlet fail with ErrBadFunc.
//
// Spawn is safe from any goroutine. From a greenlet it uses that greenlet's
// hub; from a plain goroutine, the default hub.
//
//go:noinline
func Spawn(fn any, args ...any) *Greenlet {
	gl := newAt(callerPC(), nil, fn, args)
	gl.Start()
	return gl
}

// SpawnOn is Spawn on a given hub.
//
//go:noinline
func SpawnOn(h *hub.Hub, fn any, args ...any) *Greenlet {
	gl := newAt(callerPC(), h, fn, args)
	gl.Start()
	return gl
}

// SpawnLater is Spawn with the start delayed by d (gevent's spawn_later).
//
//go:noinline
func SpawnLater(d time.Duration, fn any, args ...any) *Greenlet {
	gl := newAt(callerPC(), nil, fn, args)
	gl.StartLater(d)
	return gl
}

// Start schedules the greenlet to run on a later loop turn. Starting twice,
// or starting a killed greenlet, does nothing.
func (gl *Greenlet) Start() {
	if gl == nil {
		return
	}
	if gl.g.Hub().OnHub() {
		gl.startNow()
		return
	}
	gl.onHub(gl.startNow)
}

// StartLater schedules the greenlet to start after d.
func (gl *Greenlet) StartLater(d time.Duration) {
	if gl == nil {
		return
	}
	gl.onHub(func() {
		if gl.state.Load() != stNew || (gl.x != nil && gl.x.later != nil) {
			return
		}
		gl.extra().later = gl.g.Hub().AfterFunc(d, gl.startNow)
	})
}

func (gl *Greenlet) startNow() {
	if gl.state.Load() != stNew {
		return
	}
	if gl.x != nil {
		gl.x.later = nil
	}
	if cbs := spawnCBs.Load(); cbs != nil {
		gl.runSpawnCallbacks(*cbs)
		if gl.state.Load() != stNew {
			return // a callback killed it
		}
	}
	gl.state.Store(stStarted)
	gl.g.Start()
}

// onHub runs fn on the greenlet's hub: inline when the caller is on it,
// otherwise posted (without waiting). If the hub has stopped, an unstarted
// greenlet is finished with ErrHubStopped so that nobody waits for it.
func (gl *Greenlet) onHub(fn func()) {
	if gl.g.Hub().OnHub() {
		fn()
		return
	}
	if gl.g.Hub().Post(fn) != nil && gl.state.Load() == stNew {
		// The hub has stopped: nothing else can touch the greenlet
		// any more, so finish it here rather than leave its waiters
		// hanging.
		gl.fn, gl.failed = ErrHubStopped, true
		gl.state.CompareAndSwap(stNew, stDead)
	}
}

// Name returns the greenlet's name: the one set with SetName, or
// "Greenlet-<address>".
func (gl *Greenlet) Name() string {
	if gl == nil {
		return "<nil greenlet>"
	}
	if name := gl.g.Name(); name != "" {
		return name
	}
	return fmt.Sprintf("Greenlet-%p", gl)
}

// SetName names the greenlet, for String, errors, run-info, blocking
// reports and profile labels (the labels are taken when it starts). Safe
// from any goroutine.
func (gl *Greenlet) SetName(name string) *Greenlet {
	if gl != nil {
		gl.g.SetName(name)
	}
	return gl
}

// String returns the name and the state.
func (gl *Greenlet) String() string {
	switch {
	case gl == nil:
		return gl.Name()
	case gl.Dead() && gl.Successful():
		return gl.Name() + " (dead, successful)"
	case gl.Dead():
		return fmt.Sprintf("%s (dead, failed: %v)", gl.Name(), gl.Err())
	case gl.Started():
		return gl.Name() + " (started)"
	}
	return gl.Name() + " (not started)"
}

// Hub returns the hub the greenlet runs on.
func (gl *Greenlet) Hub() *hub.Hub {
	if gl == nil {
		return nil
	}
	return gl.g.Hub()
}

// Started reports whether the greenlet was started and has not finished.
func (gl *Greenlet) Started() bool { return gl != nil && gl.state.Load() == stStarted }

// Dead reports whether the greenlet has finished: returned, failed, or was
// killed (even before it started). gevent's dead and ready().
func (gl *Greenlet) Dead() bool { return gl != nil && gl.state.Load() == stDead }

// Ready is Dead, under gevent's other name.
func (gl *Greenlet) Ready() bool { return gl.Dead() }

// Successful reports whether the greenlet finished without error (a kill
// with the default ErrGreenletExit counts as success).
func (gl *Greenlet) Successful() bool { return gl.Dead() && !gl.failed }

// Killed reports whether the greenlet died of a kill with ErrGreenletExit.
func (gl *Greenlet) Killed() bool { return gl.Dead() && gl.killed }

// Value returns the greenlet's result, or nil if it has not finished or
// failed.
func (gl *Greenlet) Value() any {
	if !gl.Dead() || gl.failed {
		return nil
	}
	return gl.fn // the value once dead
}

// Err returns the error the greenlet failed with, or nil if it has not
// finished or succeeded. A panic is returned as an error that unwraps to
// the panic value (see PanicError).
func (gl *Greenlet) Err() error {
	if gl == nil {
		return ErrNilGreenlet
	}
	if !gl.Dead() || !gl.failed {
		return nil
	}
	return gl.fn.(error) // the error once dead and failed
}

// PanicError is the error of a greenlet that panicked. It carries the
// panic value and the stack (github.com/sourcegraph/conc/panics), and
// unwraps to the value when that is an error.
type PanicError = panics.ErrRecovered

// Run is the greenlet's body as the hub sees it (hub.Runner). Do not call.
func (gl *Greenlet) Run(g *hub.G) {
	// Run's frame and call's sit under every parked greenlet's stack:
	// the checks before the body and the end after it are helpers of
	// their own, so that these frames stay small enough for a parked
	// plain handler to fit the runtime's 2 KiB starting stack (issue 13,
	// netwrap's TestIdleStack).
	if (gl.state.Load() == stDead || g.PendingInterrupt() != nil || g.Named()) && !gl.starting(g) {
		return // the rare cases, checked inline (a load each)
	}
	defer gl.recoverDeath() // g is &gl.g: one argument less in the frame
	gl.ended(gl.call())
}

// starting prepares the body's run: false if the greenlet was killed
// before it started (it is dead now).
//
//go:noinline
func (gl *Greenlet) starting(g *hub.G) bool {
	if gl.state.Load() == stDead {
		return false // killed before it started
	}
	if v := g.PendingInterrupt(); v != nil {
		g.ClearInterrupt(v)
		gl.die(nil, interruptErr(v), isExit(v))
		return false
	}
	if g.Named() { // unnamed greenlets pay one load
		if ctx := gl.profileLabels(); ctx != nil {
			g.SetProfileLabels(ctx) // until the greenlet ends
		}
	}
	return true
}

// ended records the body's outcome (see Run).
//
//go:noinline
func (gl *Greenlet) ended(v any, err error) { gl.die(v, err, false) }

// Abort is called by the hub when the body ended abnormally. Do not call.
func (gl *Greenlet) Abort(g *hub.G, err error) {
	if gl.state.Load() != stDead {
		gl.g.Hub().ReportError(fmt.Errorf("green: %s: %w", gl.Name(), err))
		gl.die(nil, err, false)
	}
}

func (gl *Greenlet) recoverDeath() {
	g := &gl.g
	r := recover()
	if r == nil {
		return
	}
	if r == g.Raised() {
		err := interruptErr(r)
		if errors.Is(err, ErrDeadlock) { // a bug worth a log line, even if joined
			gl.g.Hub().ReportError(fmt.Errorf("green: %s: %w", gl.Name(), err))
		}
		gl.die(nil, err, isExit(r))
		return
	}
	rec := panics.NewRecovered(1, r)
	err := rec.AsError()
	if !gl.observed() {
		gl.g.Hub().ReportError(fmt.Errorf("green: %s panicked: %w", gl.Name(), err))
	}
	gl.die(nil, err, false)
}

// observerID marks the link nodes of waits that collect a greenlet's
// error (JoinAll, Wait): see observed.
const observerID = 1 << 31

// observed reports whether somebody is waiting for the greenlet's outcome
// right now (a Join, Get or blocking Kill, a JoinAll): its failure is then
// returned to them, not logged as unhandled. A wait from elsewhere counts
// from the moment it began, before its link is registered on the hub
// (joiners). Hub-only.
func (gl *Greenlet) observed() bool {
	if gl.held || gl.joiners.Load() != 0 {
		return true
	}
	for n := range gl.links.All() {
		if n.Fn == nil || n.ID == observerID {
			return true
		}
	}
	return false
}

func isExit(v any) bool {
	k, ok := v.(*KillError)
	return ok && errors.Is(k.Err, ErrGreenletExit)
}

// interruptErr maps an interrupt to the greenlet's error.
func interruptErr(v any) error {
	switch v := v.(type) {
	case *KillError:
		if errors.Is(v.Err, ErrGreenletExit) {
			return nil
		}
		return v.Err
	case *Timeout:
		return v.result()
	case error:
		return v
	}
	return fmt.Errorf("green: interrupted: %v", v)
}

// die records the outcome and schedules the links. Hub-only.
func (gl *Greenlet) die(v any, err error, killed bool) {
	if gl.state.Load() == stDead {
		return
	}
	// The body is done with: the field holds the outcome now (before the
	// context is cancelled: its cause is the error).
	if err != nil {
		gl.fn, gl.failed = err, true // a failed greenlet has no value
	} else {
		gl.fn = v
	}
	gl.killed = killed
	if gl.x != nil {
		gl.x.locals = nil
		gl.x.args = nil
		gl.stopTimeouts()
		gl.contextDone()
	}
	gl.state.Store(stDead)
	if gl.g.Hub().Current() == &gl.g {
		// Dying in its own coroutine: fire the links now rather than
		// from a loop callback one switch later. Wake-ups only queue
		// their greenlets and spawned links start on a later turn, so
		// the order is the same.
		if !gl.links.Empty() {
			gl.notify = true
			notifyLinks(gl)
		}
		return
	}
	gl.scheduleNotify()
}

// call runs the function with its arguments.
func (gl *Greenlet) call() (any, error) {
	// The body of most greenlets (servers' handlers among them): a
	// func() without arguments, called from a small frame (see Run).
	if f, ok := gl.fn.(func()); ok && f != nil && gl.x == nil {
		f()
		return nil, nil
	}
	return gl.callAny()
}

// callAny is call for the other bodies.
//
//go:noinline
func (gl *Greenlet) callAny() (any, error) {
	args := gl.args()
	if len(args) == 0 {
		switch f := gl.fn.(type) {
		case func():
			if f != nil {
				f()
				return nil, nil
			}
		case func() error:
			if f != nil {
				return nil, f()
			}
		case func() any:
			if f != nil {
				return f(), nil
			}
		case func() (any, error):
			if f != nil {
				return f()
			}
		case typedBody:
			return nil, f.callTyped(gl)
		}
	} else if len(args) == 1 {
		if f, ok := gl.fn.(func(*Greenlet)); ok && f != nil {
			if a, ok := args[0].(*Greenlet); ok {
				f(a)
				return nil, nil
			}
		}
	}
	return callReflect(gl.fn, args)
}

var errorType = reflect.TypeFor[error]()

func callReflect(fn any, args []any) (any, error) {
	fv := reflect.ValueOf(fn)
	if fv.Kind() != reflect.Func || fv.IsNil() {
		return nil, fmt.Errorf("%w: %T is not a function", ErrBadFunc, fn)
	}
	ft := fv.Type()
	if ft.IsVariadic() {
		if len(args) < ft.NumIn()-1 {
			return nil, fmt.Errorf("%w: %v needs at least %d arguments, got %d", ErrBadFunc, ft, ft.NumIn()-1, len(args))
		}
	} else if len(args) != ft.NumIn() {
		return nil, fmt.Errorf("%w: %v needs %d arguments, got %d", ErrBadFunc, ft, ft.NumIn(), len(args))
	}
	in := make([]reflect.Value, len(args))
	for i, a := range args {
		var t reflect.Type
		if ft.IsVariadic() && i >= ft.NumIn()-1 {
			t = ft.In(ft.NumIn() - 1).Elem()
		} else {
			t = ft.In(i)
		}
		if a == nil {
			switch t.Kind() {
			case reflect.Interface, reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan:
				in[i] = reflect.Zero(t)
				continue
			}
			return nil, fmt.Errorf("%w: argument %d: nil for %v", ErrBadFunc, i, t)
		}
		av := reflect.ValueOf(a)
		if !av.Type().AssignableTo(t) {
			if !av.Type().ConvertibleTo(t) || av.Kind() != t.Kind() {
				return nil, fmt.Errorf("%w: argument %d: %T is not %v", ErrBadFunc, i, a, t)
			}
			av = av.Convert(t)
		}
		in[i] = av
	}
	out := fv.Call(in)
	var err error
	if n := len(out); n > 0 && ft.Out(n-1) == errorType {
		if e := out[n-1].Interface(); e != nil {
			err = e.(error)
		}
		out = out[:n-1]
	}
	switch len(out) {
	case 0:
		return nil, err
	case 1:
		return out[0].Interface(), err
	}
	vals := make([]any, len(out))
	for i, o := range out {
		vals[i] = o.Interface()
	}
	return vals, err
}
