//go:build amd64 || arm64

package hub

import (
	"runtime"
	"sync"
)

// The switch paths refuse a coroutine locked to its thread (locked.go).
// Asking the runtime (lockedOSThread, a linkname call that cannot inline)
// costs about 15 instructions per switch, a twentieth of a Yield; reading
// the flag out of the goroutine's record beside getg, which the switch
// paths call anyway, costs two. The record is private, so the offset is
// checked once, before the first hub exists, the way gstack_fp.go checks
// its own: on a goroutine of ours, the word must be zero, then equal to
// g.m while it is locked, then zero again.

// getgLocked returns getg() and the word at lockedmOff in that g (see
// refuseLocked).
func getgLocked() (gp, locked uintptr)

// lockedmOff is the offset of lockedm in the runtime's g (Go 1.26, 64-bit:
// runtime/runtime2.go) once checkLockedLayout has seen it hold. Until then,
// or if it does not hold, it is the offset of g.stack.lo, never zero: every
// switch then takes refuseLocked's slow path, which asks the runtime.
var lockedmOff uintptr = gStackLo

const (
	gM       = 48  // g.m
	gLockedm = 208 // g.lockedm
)

var lockedLayout sync.Once

// checkLockedLayout sets lockedmOff if the runtime's layout is the one
// expected. New calls it; the first call waits for a probe goroutine that
// only locks and unlocks its thread (microseconds, and nothing a greenlet
// holds), the others return at once.
func checkLockedLayout() {
	lockedLayout.Do(func() {
		ok := make(chan bool)
		go func() {
			g := getg()
			before := peek(g + gLockedm)
			runtime.LockOSThread()
			m, during := peek(g+gM), peek(g+gLockedm)
			runtime.UnlockOSThread()
			after := peek(g + gLockedm)
			ok <- before == 0 && during != 0 && during == m && after == 0
		}()
		if <-ok {
			lockedmOff = gLockedm
		}
	})
}
