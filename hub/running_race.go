//go:build race

package hub

import "sync/atomic"

func storeRunning(h *Hub, gid uintptr) { atomic.StoreUintptr(&h.runningG, gid) }

func loadRunning(h *Hub) uintptr { return atomic.LoadUintptr(&h.runningG) }
