package green

import (
	"fmt"
	"runtime"
	"strings"
	"time"
)

// SwitchError is the error of AssertSwitches: the function held the hub
// for longer than allowed without switching, or never switched.
type SwitchError struct {
	// Max is the bound given to AssertSwitches (0: it only had to
	// switch at least once).
	Max time.Duration
	// Longest is the longest stretch the function ran without switching,
	// Switches the number of times it switched away.
	Longest  time.Duration
	Switches int
	// Where is the stack (innermost first) at the switch that ended the
	// longest stretch, "" if that stretch lasted until the function
	// returned.
	Where string
}

func (e *SwitchError) Error() string {
	var b strings.Builder
	if e.Max <= 0 {
		fmt.Fprintf(&b, "green: AssertSwitches: the function never switched (ran %v without letting another greenlet run)", e.Longest.Round(time.Microsecond))
	} else {
		fmt.Fprintf(&b, "green: AssertSwitches: the function held the hub for %v without switching (max %v, %d switches)",
			e.Longest.Round(time.Microsecond), e.Max, e.Switches)
	}
	if e.Where != "" {
		b.WriteString("; the longest stretch ended at:\n")
		b.WriteString(e.Where)
	} else {
		b.WriteString("; the longest stretch lasted until the function returned")
	}
	return b.String()
}

// AssertSwitches runs fn in the calling greenlet and returns a
// *SwitchError if fn ran longer than max in one stretch without switching
// to another greenlet (it blocked the hub), or, with max <= 0, if it never
// switched at all: gevent's assert_switches, for tests of code that must
// stay cooperative.
//
//	if err := green.AssertSwitches(10*time.Millisecond, func() { client.Get(url) }); err != nil {
//		t.Fatal(err)
//	}
//
// It measures the calling greenlet only: time its hub spends running
// other greenlets does not count. It returns ErrNotGreenlet outside a
// greenlet (after running fn). A panic in fn propagates after the
// measurement stops. Cost while fn runs: a clock read at each of its
// switches.
func AssertSwitches(max time.Duration, fn func()) error {
	_, g, _ := current()
	if g == nil {
		fn()
		return ErrNotGreenlet
	}
	w := g.WatchSwitches()
	func() {
		defer w.Stop()
		fn()
	}()
	switches, longest, where := w.Stop()
	if (max > 0 && longest <= max) || (max <= 0 && switches > 0) {
		return nil
	}
	e := &SwitchError{Max: max, Longest: longest, Switches: switches}
	if len(where) > 0 {
		var b strings.Builder
		frames := runtime.CallersFrames(where)
		for {
			f, more := frames.Next()
			fmt.Fprintf(&b, "%s(...)\n\t%s:%d\n", f.Function, f.File, f.Line)
			if !more {
				break
			}
		}
		e.Where = b.String()
	}
	return e
}
