package hub

import "sync/atomic"

// storeRunning records which goroutine acts for the hub. Only the running
// context writes it, twice per switch; other goroutines read it only to
// compare it with their own identity (OnHub, Current). It is an atomic
// store in every build, so that the code the race detector checks is the
// code that ships (BenchmarkSwitch measures it).
func storeRunning(h *Hub, gid uintptr) { atomic.StoreUintptr(&h.runningG, gid) }

func loadRunning(h *Hub) uintptr { return atomic.LoadUintptr(&h.runningG) }
