//go:build !amd64 && !arm64

package hub

// getg returns an identity for the calling goroutine. On architectures
// without the assembly fast path it is the goroutine id, parsed out of
// runtime.Stack (about a microsecond).
func getg() uintptr { return uintptr(curGoid()) }

// getgLocked returns getg() and whether the goroutine is locked to its
// thread (see locked_fp.go).
func getgLocked() (gp, locked uintptr) {
	if lockedOSThread() {
		locked = 1
	}
	return getg(), locked
}

func checkLockedLayout() {}
