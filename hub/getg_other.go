//go:build !amd64 && !arm64

package hub

// getg returns an identity for the calling goroutine. On architectures
// without the assembly fast path it is the goroutine id, parsed out of
// runtime.Stack (about a microsecond).
func getg() uintptr { return uintptr(curGoid()) }
