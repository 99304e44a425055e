package pool

import (
	"fmt"

	"github.com/greenrt/green/green"
	"github.com/sourcegraph/conc/panics"
)

// task is one function call run in its own greenlet, for Imap,
// ImapUnordered, Apply and ApplyAsync. Its fields are written by the
// greenlet before it dies and read after (by a link or a Join).
type task[In, Out any] struct {
	fn       func(In) (Out, error)
	in       In
	idx      int
	v        Out
	err      error
	pan      *panics.Recovered
	returned bool
}

// run is the greenlet's body. A user panic is captured with its stack; a
// kill or timeout interrupt keeps unwinding so that the greenlet dies of
// it.
func (t *task[In, Out]) run() {
	defer func() {
		if p := recover(); p != nil {
			if isInterrupt(p) {
				panic(p)
			}
			t.pan = recovered(p)
			t.returned = true
		}
	}()
	t.v, t.err = t.fn(t.in)
	t.returned = true
}

// settle fills in the error of a task whose greenlet died before fn
// returned (killed, or never started). Call it once gl is dead.
func (t *task[In, Out]) settle(gl *green.Greenlet) {
	if t.returned {
		return
	}
	t.returned = true
	t.err = killedErr(gl)
}

// killedErr is the error of a task whose greenlet gl died before its
// function returned: ErrTaskKilled, wrapping gl's own error if it has one
// (a kill with another error, a green.Timeout).
func killedErr(gl *green.Greenlet) error {
	if err := gl.Err(); err != nil {
		return fmt.Errorf("%w: %w", ErrTaskKilled, err)
	}
	return ErrTaskKilled
}
