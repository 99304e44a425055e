package green

// Local holds one value of T per greenlet (gevent's local): each greenlet
// sees only the value it set, and a greenlet's values are dropped when it
// dies, so they do not outlive it.
//
// The zero value is ready to use; New, if set, makes the value a greenlet
// sees before setting one (gevent runs a local subclass's __init__ per
// greenlet). Get, Lookup, Set and Delete act on the calling greenlet. In a
// plain goroutine or a hub callback there is no greenlet: Get returns
// New() (or the zero value) without storing it, Lookup reports false, Set
// returns ErrNotGreenlet and Delete does nothing.
//
// Cost: a map lookup in the greenlet's local storage; the first Set in a
// greenlet allocates that map.
type Local[T any] struct {
	// New returns the initial value of a greenlet that has not set one.
	// Zero value: the zero T.
	New func() T
}

// Lookup returns the calling greenlet's value and whether it has one
// (New is not called).
func (l *Local[T]) Lookup() (T, bool) {
	var zero T
	gl := Current()
	if gl == nil {
		return zero, false
	}
	v, ok := localsOf(gl, false)[l]
	if !ok {
		return zero, false
	}
	return v.(T), true
}

// Get returns the calling greenlet's value. A greenlet without one gets
// New(), which is stored, or the zero T.
func (l *Local[T]) Get() T {
	if v, ok := l.Lookup(); ok {
		return v
	}
	var v T
	if l.New != nil {
		v = l.New()
		l.Set(v)
	}
	return v
}

// Set sets the calling greenlet's value. It fails with ErrNotGreenlet
// outside a greenlet.
func (l *Local[T]) Set(v T) error {
	gl := Current()
	if gl == nil {
		return ErrNotGreenlet
	}
	localsOf(gl, true)[l] = v
	return nil
}

// Delete removes the calling greenlet's value.
func (l *Local[T]) Delete() {
	if gl := Current(); gl != nil {
		delete(localsOf(gl, false), l)
	}
}

// localsOf returns gl's local storage (extra.locals, dropped by die),
// creating it if asked; nil if there is none. Hub-only.
func localsOf(gl *Greenlet, create bool) map[any]any {
	if gl.x == nil && !create {
		return nil
	}
	x := gl.extra()
	if x.locals == nil && create {
		x.locals = make(map[any]any)
	}
	return x.locals
}
