package green

import "github.com/greenrt/green/hub"

// Main runs fn as a greenlet on the default hub and returns when it ends,
// with its error (a panic comes back as a PanicError, after being
// reported): the main greenlet of a ported gevent program, whose module
// code runs in a greenlet. Inside it, WithTimeout and Timeout work,
// waiting calls park instead of blocking, and the greenlets it spawns run
// on its hub, one at a time with it, so it does not race them.
//
//	func main() {
//		green.Main(func() {
//			g := green.Spawn(work)
//			green.WithTimeout(time.Second, func() { g.Join() })
//		})
//	}
//
// Main does not wait for the greenlets fn spawned and left running (as a
// gevent program ends with its main greenlet); JoinHub(nil) at the end of fn
// does. Called from a greenlet, Main runs fn in place.
//
//go:noinline
func Main(fn func()) error {
	if fn == nil {
		return ErrBadFunc
	}
	if g, _ := hub.Current(); g != nil {
		fn()
		return nil
	}
	gl := newAt(callerPC(), hub.Default(), fn, nil)
	gl.SetName("main")
	gl.held = true // Main returns its panic: not logged as unhandled
	gl.Start()
	return gl.Join()
}
