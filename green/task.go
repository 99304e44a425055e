package green

import (
	"time"
	"unsafe"

	"github.com/greenrt/green/hub"
)

// Task is a greenlet with a typed result, made by Go: what Spawn gives,
// without reflection or boxing of the value. It embeds the *Greenlet (Join,
// Kill, Link, Name, Dead...), whose methods see an untyped nil value; Get,
// GetTimeout and Value return the typed one.
//
// Cost: one allocation (the greenlet and the value together: for a T of
// up to two words, 288 bytes, a Greenlet's size class); spawning and
// joining it is cheaper than Spawn of a function returning a value (see
// BenchmarkSpawnJoin).
type Task[T any] struct {
	Greenlet // first: callTyped finds the Task from its Greenlet
	val      T
}

// typedBody is how a Greenlet calls its Task's function without knowing T:
// Greenlet.fn holds the function as a typedFn[T] (a func is one pointer,
// so storing it in the interface does not allocate, and the Task needs no
// field of its own for it).
type typedBody interface{ callTyped(gl *Greenlet) error }

type typedFn[T any] func() (T, error)

// callTyped runs f, the body of the Task whose Greenlet is gl.
func (f typedFn[T]) callTyped(gl *Greenlet) error {
	v, err := f()
	if err == nil {
		// gl is the first field of a Task[T] (only goAt stores a
		// typedFn[T]), so its address is the Task's.
		(*Task[T])(unsafe.Pointer(gl)).val = v // a failed task has the zero value
	}
	return err
}

// Go spawns fn in a new greenlet of the caller's hub (the default hub from
// a plain goroutine) and returns its typed handle: gevent's spawn for a Go
// function returning a value and an error. A nil fn makes the task fail
// with ErrBadFunc.
//
//go:noinline
func Go[T any](fn func() (T, error)) *Task[T] { return goAt(callerPC(), nil, fn) }

// GoOn is Go on a given hub.
//
//go:noinline
func GoOn[T any](h *hub.Hub, fn func() (T, error)) *Task[T] { return goAt(callerPC(), h, fn) }

func goAt[T any](pc uintptr, h *hub.Hub, fn func() (T, error)) *Task[T] {
	t := &Task[T]{}
	if fn != nil {
		t.Greenlet.fn = typedFn[T](fn)
	}
	t.initAt(pc, h)
	t.Start()
	return t
}

// G returns the task's greenlet (for JoinAll, Wait, pools).
func (t *Task[T]) G() *Greenlet { return &t.Greenlet }

// Get waits until the task has finished and returns its value and error
// (the zero value if it failed or was killed).
func (t *Task[T]) Get() (T, error) {
	if err := t.waitDead(forever); err != nil {
		var zero T
		return zero, err
	}
	return t.Value(), t.Err()
}

// GetTimeout is Get giving up after d with ErrTimeout (d <= 0 only looks).
func (t *Task[T]) GetTimeout(d time.Duration) (T, error) {
	if err := t.waitDead(max(d, 0)); err != nil {
		var zero T
		return zero, err
	}
	return t.Value(), t.Err()
}

// Value returns the task's result: the zero value until it has finished
// successfully.
func (t *Task[T]) Value() T {
	if !t.Dead() || t.failed {
		var zero T
		return zero
	}
	return t.val
}
