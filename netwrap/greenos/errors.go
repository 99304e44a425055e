//go:build unix

package greenos

import (
	"os"

	"github.com/greenrt/green/hub"
)

// ErrConcurrentUse is the error (inside an *fs.PathError) when a greenlet
// reads (or writes) a pollable File while another greenlet of the same hub
// is already parked reading (or writing) it: gevent's
// ConcurrentObjectUseError. The call fails at once; the first greenlet
// keeps waiting. It is the same error as netwrap.ErrConcurrentUse
// (hub.ErrFDBusy); compare with errors.Is.
//
// Other errors are those of package os: *fs.PathError wrapping
// os.ErrClosed after Close, os.ErrDeadlineExceeded after a deadline, a
// syscall.Errno from the system call; io.EOF unwrapped at end of file.
var ErrConcurrentUse = hub.ErrFDBusy

// Errors of package os that greenos returns, named once.
var (
	errClosed   = os.ErrClosed
	errDeadline = os.ErrDeadlineExceeded
)
