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

// refuseLocked is called by a coroutine about to switch away (Park, Yield),
// with the locked word of its getgLocked. The runtime cannot switch
// coroutines on a locked thread (it is a fatal error that ends the
// process), so a coroutine that called runtime.LockOSThread is unlocked and
// fails with ErrLockedThread instead, a panic that unwinds it like any
// other. Inlined; failLocked is out of line.
func refuseLocked(locked uintptr) {
	if locked != 0 {
		failLocked()
	}
}

// failLocked asks the runtime (locked is only a hint: see locked_fp.go)
// and fails a locked coroutine.
//
//go:noinline
func failLocked() {
	if !lockedOSThread() {
		return
	}
	for lockedOSThread() {
		runtime.UnlockOSThread()
	}
	panic(ErrLockedThread)
}
