//go:build unix

package greenselect

import (
	"errors"

	"github.com/greenrt/green/hub"
)

// Sentinel errors of package greenselect; compare with errors.Is. System
// call failures come as *os.SyscallError ("poll", "epoll_ctl"...), and an
// invalid descriptor given to Select or WaitReadWrite as one wrapping
// syscall.EBADF, as select(2) reports it.
var (
	// ErrNoFDs is the error of a wait without a timeout over nothing
	// (Poll, Select or Selector.Select with no descriptor), which could
	// never return. With a timeout, waiting over nothing is a sleep, as
	// poll(2) with no descriptors is.
	ErrNoFDs = errors.New("greenselect: no descriptors to wait for")

	// ErrConcurrentUse is the error when a Selector is waited on while
	// another greenlet or goroutine already waits on it (it is the same
	// error as netwrap.ErrConcurrentUse, hub.ErrFDBusy).
	ErrConcurrentUse = hub.ErrFDBusy

	// ErrRegistered is the error of Selector.Register for a descriptor
	// that is registered already (use Modify).
	ErrRegistered = errors.New("greenselect: descriptor already registered")

	// ErrNotRegistered is the error of Selector.Modify and Unregister for
	// a descriptor that is not registered.
	ErrNotRegistered = errors.New("greenselect: descriptor not registered")

	// ErrBadEvents is the error of Selector.Register and Modify for an
	// event set that is empty or has bits other than EventRead and
	// EventWrite, and of Register for a negative descriptor.
	ErrBadEvents = errors.New("greenselect: invalid events or descriptor")
)
