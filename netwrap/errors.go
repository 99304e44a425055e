package netwrap

import (
	"errors"
	"net"
	"os"

	"github.com/greenrt/green/hub"
)

// Sentinel errors of package netwrap. Compare with errors.Is. I/O methods
// return them wrapped in a *net.OpError, exactly as package net does, so
// that errors.Is(err, net.ErrClosed) and errors.Is(err,
// os.ErrDeadlineExceeded) (with Timeout() true) work unchanged.
var (
	// ErrConcurrentUse is returned (inside a *net.OpError) when a greenlet
	// reads (or writes) a conn while another greenlet of the same hub is
	// already parked reading (or writing) it: gevent's
	// ConcurrentObjectUseError. The call fails at once and the first
	// greenlet keeps waiting. It matches hub.ErrFDBusy with errors.Is.
	// Plain goroutines are not subject to it: they serialise like they do
	// on a package net conn.
	ErrConcurrentUse = hub.ErrFDBusy

	// ErrNotSocket is returned by Wrap and WrapListener for values that do
	// not expose a socket descriptor (they do not implement syscall.Conn),
	// such as a *tls.Conn or one end of net.Pipe: those cannot be made
	// cooperative. Wrap the underlying conn instead.
	ErrNotSocket = errors.New("netwrap: value does not expose a socket descriptor (syscall.Conn)")

	// ErrServerClosed is returned by StreamServer.Serve and
	// DatagramServer.Serve after Stop, like http.ErrServerClosed.
	ErrServerClosed = errors.New("netwrap: server closed")

	// ErrServerStarted is returned by Start and Serve on a server that is
	// already running or was stopped (servers are not restartable).
	ErrServerStarted = errors.New("netwrap: server already started")

	// ErrNoHandler is returned by Start and Serve when the server's Handler
	// is nil.
	ErrNoHandler = errors.New("netwrap: server has no handler")

	// ErrUnknownNetwork is the error of Dial, Listen and ListenPacket for
	// networks they do not support: streams are "tcp", "tcp4", "tcp6" and
	// "unix"; packets are "udp", "udp4", "udp6" and "unixgram".
	ErrUnknownNetwork = errors.New("netwrap: unsupported network")
)

// errDeadlineChanged is the Cancel error with which SetDeadline wakes a
// parked greenlet so that it re-reads the deadline. Never returned.
var errDeadlineChanged = errors.New("netwrap: deadline changed")

// Errors of package net and os that netwrap returns, named here once.
var (
	errClosed   = net.ErrClosed
	errDeadline = os.ErrDeadlineExceeded
)
