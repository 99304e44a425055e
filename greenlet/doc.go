// Package greenlet is the layer gevent is built on, for Go: Python's
// greenlet module, raw coroutines that switch to each other explicitly,
// passing values, with no scheduler deciding who runs next.
//
//	var gr1, gr2 *greenlet.Greenlet
//	gr1 = greenlet.New(func(any) any { fmt.Println(12); gr2.Switch(nil); fmt.Println(34); return nil })
//	gr2 = greenlet.New(func(any) any { fmt.Println(56); gr1.Switch(nil); fmt.Println(78); return nil })
//	gr1.Switch(nil) // prints 12, 56, 34
//
// A Greenlet runs its function the first time something switches to it,
// with the value passed; each Switch suspends the caller and resumes the
// target, whose own pending Switch returns the value; when a greenlet's
// function returns, its parent (the greenlet that created it, unless set
// otherwise) resumes with the result. Throw resumes the target by raising
// an error in it (a panic its code may recover); an error that escapes a
// greenlet's function is raised in its parent.
//
// The switches are the hub's coroutine switches: every raw greenlet is
// backed by a package green greenlet of the caller's hub, parked while it
// is not running, so raw greenlets may also use everything of package
// green (Sleep, queues, sockets) and share the hub with ordinary
// greenlets. The raw greenlets of one tree (those created, directly or
// not, from one green greenlet, their root) must stay on that hub. When
// the root greenlet ends, the raw greenlets it left suspended are killed
// (greenlet throws GreenletExit into the greenlets it collects).
//
// Every function must be called from a green greenlet (inside green.Main
// for instance): outside one they panic with green.ErrNotGreenlet.
package greenlet
