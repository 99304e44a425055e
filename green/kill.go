package green

// KillError is what a kill raises in the greenlet it kills: the value a
// deferred recover() in that greenlet sees. It is an error that matches,
// with errors.Is, the error the kill was made with (ErrGreenletExit, or
// KillOptions.Err), and prints as that error.
//
// A greenlet that recovers it and goes on has swallowed the kill (a
// blocking Kill then waits, up to its Timeout, for the greenlet to end);
// recover helpers that should let kills through call Repanic.
type KillError struct {
	// Err is the error the greenlet was killed with.
	Err error
}

// Error describes the kill: the error it was made with.
func (k *KillError) Error() string {
	if k.Err == nil {
		return ErrGreenletExit.Error()
	}
	return k.Err.Error()
}

// Unwrap returns the error the kill was made with.
func (k *KillError) Unwrap() error { return k.Err }

// IsInterrupt reports whether r, a value returned by recover(), is an
// interrupt this module raised in the calling greenlet to unwind it: a
// kill (*KillError), an expired Timeout (*Timeout), the hub's stop
// (ErrHubStopped) or a deadlock (ErrDeadlock). Such values must not be
// swallowed: the greenlet is meant to end (or the Timeout's owner to
// return). IsInterrupt is a few loads; it is false outside a greenlet.
func IsInterrupt(r any) bool {
	if r == nil {
		return false
	}
	_, g, _ := current()
	if g == nil {
		return false
	}
	return r == g.Raised()
}

// Repanic panics again with r if it is an interrupt (see IsInterrupt), and
// otherwise returns. Call it first in recover helpers of your own, so that
// they catch your panics but let kills and timeouts go on unwinding:
//
//	defer func() {
//		r := recover()
//		green.Repanic(r)
//		if r != nil {
//			log.Print("recovered: ", r)
//		}
//	}()
//
// Without it such a helper swallows kills (Kill then times out) and
// timeouts (WithTimeout returns nil after its deadline).
func Repanic(r any) {
	if IsInterrupt(r) {
		panic(r)
	}
}

// killOnHub delivers a kill. A greenlet that has not started, or was
// started but has not run yet, is finished at once without ever running
// (gevent issue 330): nothing else runs in between, and a blocking Kill
// returns without a switch. Hub-only.
func (gl *Greenlet) killOnHub(sig *KillError) {
	switch gl.state.Load() {
	case stDead:
		return
	case stNew:
		if gl.x != nil && gl.x.later != nil {
			gl.g.Hub().StopTimer(gl.x.later)
			gl.x.later = nil
		}
		gl.dieUnstarted(sig)
		return
	}
	if gl.g.CancelStart() {
		gl.dieUnstarted(sig)
		return
	}
	if gl.x != nil && gl.x.cancel != nil {
		gl.x.cancel(sig) // libraries given the greenlet's context stop now
	}
	gl.g.Interrupt(sig)
	if cur := gl.g.Hub().Current(); cur == &gl.g {
		gl.g.Raise()
	}
}

// dieUnstarted finishes a greenlet that never ran and fires its links now,
// as a greenlet dying in its own coroutine does: when Kill returns, a pool
// has already let the member go. Raw links run here (they must not park),
// joiners are queued, spawned links start on a later turn.
func (gl *Greenlet) dieUnstarted(sig *KillError) {
	gl.die(nil, interruptErr(sig), isExit(sig))
	notifyLinks(gl) // the callback die scheduled finds nothing left to do
}
