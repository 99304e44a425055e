//go:build !amd64 && !arm64

package hub

import (
	"runtime"
	"strconv"
)

// getg returns an identity for the calling goroutine. On architectures
// without the assembly fast path it parses the goroutine id out of
// runtime.Stack, which costs about a microsecond.
func getg() uintptr {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	// "goroutine 123 [running]:"
	b = b[len("goroutine "):]
	i := 0
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	id, _ := strconv.ParseUint(string(b[:i]), 10, 64)
	return uintptr(id)
}
