//go:build amd64 || arm64

package hub

// getg returns an identity for the calling goroutine (the address of its
// runtime g). It costs about a nanosecond.
func getg() uintptr
