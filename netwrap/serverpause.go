//go:build unix

package netwrap

import (
	"errors"

	"github.com/greenrt/green/green"
)

// Pausing the serving loop (gevent's stop_accepting / start_accepting).
//
// StopAccepting interrupts the loop with a kill of errPaused, which the
// loop recovers (it is not a kill of the server): the listener stays open,
// connections wait in the kernel's backlog, and the loop parks on the
// accepting gate until StartAccepting sets it. A pause that lands while the
// loop holds a handler permit gives the permit back.

// errPaused is the kill that pauses a serving loop.
var errPaused = errors.New("netwrap: server paused (StopAccepting)")

// pause stops the loop from accepting; a no-op before Start, after Stop or
// when already paused. The flag, the gate and the kill change together on
// the hub (posted from elsewhere, never waiting), so that pauses and
// resumes from anywhere apply in the order they were made.
func (s *serverCore) pause() { s.onHub(true) }

// resume lets a paused loop accept again.
func (s *serverCore) resume() { s.onHub(false) }

func (s *serverCore) onHub(pause bool) {
	s.mu.Lock()
	h, running := s.h, s.state == coreRunning
	s.mu.Unlock()
	if !running {
		return
	}
	fn := func() {
		if s.paused.Load() == pause || s.stopped() {
			return
		}
		s.paused.Store(pause)
		if pause {
			s.gate.Clear()
			if s.loopRan {
				// Interrupt its accept. A loop that has not run yet
				// sees the flag at its first step instead: a kill
				// would finish it without running.
				s.loop.KillWith(green.KillOptions{Err: errPaused, NoWait: true})
			}
		} else {
			s.gate.Set()
		}
	}
	if h.OnHub() {
		fn()
	} else {
		h.Post(fn) // a stopped hub has no loop to pause
	}
}

// accepting reports whether the server runs and is not paused.
func (s *serverCore) accepting() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state == coreRunning && !s.paused.Load()
}

// step runs one turn of the serving loop (wait for room, accept, spawn),
// parking first while the server is paused. A pause that interrupts the
// turn is recovered here: step then returns false, nil and the loop goes
// round again. Any other kill goes on unwinding.
func (s *serverCore) step(turn func() (bool, error)) (done bool, err error) {
	s.loopRan = true
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if k, ok := r.(*green.KillError); !ok || k.Err != errPaused {
			panic(r)
		}
		if s.roomHeld {
			s.unusedRoom()
		}
		done, err = false, nil
		if s.stopped() {
			done, err = true, ErrServerClosed
		}
	}()
	for s.paused.Load() { // set and cleared on the hub, with the gate
		s.gate.Wait()
	}
	return turn()
}

// started reports whether Start has handed the server its socket (it may
// have stopped since).
func (s *serverCore) started() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loop != nil && (s.state == coreRunning || s.state == coreStopped)
}
