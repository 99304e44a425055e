package hub

// The running word of a hub says which goroutine acts for it: the loop or
// the worker of the running coroutine (the low 48 bits), plus a tick (bits
// 48 to 62) that changes at every switch and every loop turn, and the
// polling bit (63), set while the loop waits in epoll. Other goroutines
// read it to compare it with their own identity (OnHub, Current) and the
// blocking monitor samples it: a word that stays the same, polling bit
// clear, means that one party has held the hub since the last sample.
//
// Only the running context writes it, at every switch, with one atomic
// store in every build, so that the code the race detector checks is the
// code that ships (BenchmarkSwitch measures it). Its read of the old value
// needs no ordering: the previous writer handed control over to it.
const (
	tickShift = 48
	gidMask   = 1<<tickShift - 1
	pollBit   = 1 << 63
	tickMask  = ^uint64(gidMask) &^ pollBit
)

func storeRunning(h *Hub, gid uintptr) {
	w := h.running.Load()
	h.running.Store((w+1<<tickShift)&tickMask | uint64(gid))
}

// setPolling marks the loop as waiting in the poller (a hub that waits for
// I/O is not blocked); the storeRunning that follows the wait clears it.
func setPolling(h *Hub) { h.running.Store(h.running.Load() | pollBit) }

func loadRunning(h *Hub) uintptr { return uintptr(h.running.Load() & gidMask) }
