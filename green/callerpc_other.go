//go:build !amd64 && !arm64

package green

import "runtime"

// callerPC returns a PC in the caller of the function that calls it,
// through runtime.Callers (about 200 ns) where there is no frame pointer
// to read it from.
//
//go:noinline
func callerPC() uintptr {
	var pcs [1]uintptr
	runtime.Callers(3, pcs[:])
	return pcs[0]
}
