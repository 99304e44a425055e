//go:build !amd64 && !arm64

package hub

import "time"

// Without frame pointers there is no way to read one other goroutine's
// stack: callers fall back to runtime.Stack (gstack.go), matching the
// goroutine id, which is what getg returns on these architectures.

func fastStack(gid uintptr, spin time.Duration) gstack {
	return gstack{goid: uint64(gid), note: "reading another goroutine's stack needs frame pointers (amd64, arm64)"}
}

func stackSupported() bool { return false }

func gidGoid(gid uintptr) uint64 { return uint64(gid) }

func fpFrames(gid uintptr) ([]rawFrame, uintptr) { return nil, 0 }
