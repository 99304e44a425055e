//go:build unix

package greenexec

import (
	"errors"
	"os/exec"
)

// The errors and error types of os/exec, under the same names, so that
// code switching its import keeps compiling and errors.Is / errors.As
// keep matching: Wait returns an *exec.ExitError for an unsuccessful exit
// and the lookup of Command an *exec.Error.
type (
	// ExitError is os/exec's ExitError: an unsuccessful exit, with the
	// process state and, from Output, the start and end of its
	// standard error.
	ExitError = exec.ExitError
	// Error is os/exec's Error: the name could not be run (not found,
	// not executable).
	Error = exec.Error
)

// Errors of os/exec, the same values.
var (
	ErrNotFound  = exec.ErrNotFound
	ErrDot       = exec.ErrDot
	ErrWaitDelay = exec.ErrWaitDelay
)

// Sentinel errors for misuse of a Cmd. Their texts are os/exec's, which
// makes them with errors.New on each call; here they can be compared with
// errors.Is.
var (
	ErrAlreadyStarted       = errors.New("exec: already started")
	ErrNotStarted           = errors.New("exec: not started")
	ErrWaitCalled           = errors.New("exec: Wait was already called")
	ErrNoCommand            = errors.New("exec: no command")
	ErrCancelWithoutContext = errors.New("exec: command with a non-nil Cancel was not created with CommandContext")
	ErrStdinSet             = errors.New("exec: Stdin already set")
	ErrStdoutSet            = errors.New("exec: Stdout already set")
	ErrStderrSet            = errors.New("exec: Stderr already set")
	ErrStdinPipeAfterStart  = errors.New("exec: StdinPipe after process started")
	ErrStdoutPipeAfterStart = errors.New("exec: StdoutPipe after process started")
	ErrStderrPipeAfterStart = errors.New("exec: StderrPipe after process started")
	errCopyInterrupted      = errors.New("greenexec: copying interrupted")
)

// wrappedError is os/exec's error for a failed Cancel or kill after the
// context was done: "exec: canceling Cmd: <err>".
type wrappedError struct {
	prefix string
	err    error
}

func (w wrappedError) Error() string { return w.prefix + ": " + w.err.Error() }
func (w wrappedError) Unwrap() error { return w.err }
