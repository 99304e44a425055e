package green

import "github.com/greenrt/green/hub"

// JoinHub waits until h (nil: the caller's hub, or the default hub from a
// plain goroutine) has nothing left to do: gevent's wait() with no objects
// and hub.join(), for the end of a main greenlet (see Main) that should let
// the work it started finish. That is, until at once
//
//   - every greenlet of h has finished but the caller (and the other
//     JoinHub callers: they all return together), greenlets spawned
//     meanwhile included;
//   - no timer of h is armed: a Sleep or timeout, a SpawnLater not due
//     yet, a bare hub.Hub.AfterFunc until it fires, a hub.Hub.Repeat until
//     it is stopped;
//   - no FD wait or watch (hub.FD.OnRead) is pending, no hub callback is
//     ready, no hub.Hub.Post queued, no hub.Hub.Hold outstanding (a held
//     hub counts: something outside it will still act on it).
//
// A greenlet of h parks (hub.Hub.WaitEmpty); anybody else waits through a
// proxy greenlet on h, which does not count. The wait is interrupted like
// any park: a kill or timeout of the caller ends it. A greenlet of h
// parked for good (an Event nobody sets) keeps it going; if nothing can
// ever wake it and a plain goroutine waits on h (this one, or Main's
// caller), deadlock detection interrupts the longest-parked greenlet
// with ErrDeadlock, as for any wait: the stuck one (it dies, and JoinHub
// goes on) or the caller (a greenlet unwinds as from any interrupted
// wait; from elsewhere, JoinHub returns ErrDeadlock); never because only
// JoinHub callers are left. ErrHubStopped if h stops. Cost: nothing
// while nobody is in JoinHub; a comparison each time h is about to sleep
// with nothing to do while somebody is.
func JoinHub(h *hub.Hub) error {
	g, ch := blockingCaller()
	if h == nil {
		h = ch
		if h == nil {
			h = hub.Default()
		}
	}
	if g != nil && ch == h {
		h.WaitEmpty(g)
		return nil
	}
	p := NewOn(h, func() { g, _ := hub.Current(); h.WaitEmpty(g) })
	p.SetName("JoinHub")
	p.Start()
	return p.Join()
}
