package hub

import (
	"runtime"
	_ "unsafe" // for go:linkname
)

// lockedOSThread reports whether the calling goroutine is locked to its
// thread (runtime.LockOSThread).
//
//go:linkname lockedOSThread runtime.lockedOSThread
func lockedOSThread() bool

// refuseLockedThread is called by a coroutine about to switch away. The
// runtime cannot switch coroutines on a locked thread (it is a fatal error
// that ends the process), so a coroutine that called runtime.LockOSThread
// is unlocked and fails with ErrLockedThread instead, a panic that unwinds
// it like any other.
//
// The check is inlined into the switch paths; failLocked is out of line.
func refuseLockedThread() {
	if lockedOSThread() {
		failLocked()
	}
}

//go:noinline
func failLocked() {
	for lockedOSThread() {
		runtime.UnlockOSThread()
	}
	panic(ErrLockedThread)
}
