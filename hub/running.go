//go:build !race

package hub

import (
	"sync/atomic"
	"unsafe"
)

// storeRunning records which goroutine acts for the hub. Only the running
// context writes it, twice per switch, so it is a plain store: other
// goroutines read it only to compare it with their own identity, which it
// can never equal, and the coroutine switched to reads it on the same
// thread after the runtime's switch, which is a full barrier. Race-enabled
// builds use an atomic store instead (running_race.go).
func storeRunning(h *Hub, gid uintptr) {
	*(*uintptr)(unsafe.Pointer(&h.runningG)) = gid
}

func loadRunning(h *Hub) uintptr { return atomic.LoadUintptr(&h.runningG) }
