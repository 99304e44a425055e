//go:build unix

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
	// ErrNotSocket is returned by Wrap and WrapListener for values that do
	// not expose a socket descriptor (they do not implement syscall.Conn),
	// such as a *tls.Conn or one end of net.Pipe: those cannot be made
	// cooperative. Wrap the underlying conn instead.
	ErrNotSocket = errors.New("netwrap: value does not expose a socket descriptor (syscall.Conn)")

	// ErrServerClosed is returned by StreamServer.Serve and
	// DatagramServer.Serve after Stop, like http.ErrServerClosed.
	ErrServerClosed = errors.New("netwrap: server closed")

	// ErrStopTimeout is returned by StreamServer.Stop and
	// DatagramServer.Stop when handlers are still running a second after
	// their kill (they recovered it and went on): Stop gives up on them
	// and leaves them running, as gevent's bounded kill does. It matches
	// hub.ErrTimeout (and green.ErrTimeout) with errors.Is.
	ErrStopTimeout = hub.TimeoutErr(errors.New("netwrap: Stop timed out: handlers survived their kill"))

	// ErrServerStarted is returned by Start and Serve on a server that is
	// already running or was stopped (servers are not restartable).
	ErrServerStarted = errors.New("netwrap: server already started")

	// ErrNoHandler is returned by Start and Serve when the server's Handler
	// is nil (or the server is a nil pointer).
	ErrNoHandler = errors.New("netwrap: server has no handler")

	// ErrUnknownNetwork is the error of Dial, Listen and ListenPacket for
	// networks they do not support: streams are "tcp", "tcp4", "tcp6" and
	// "unix"; packets are "udp", "udp4", "udp6" and "unixgram".
	ErrUnknownNetwork = errors.New("netwrap: unsupported network")
)

// errTLSInterrupted is the permanent write error of a TLSConn whose Write
// was interrupted (its greenlet killed) in the middle of sending records.
var errTLSInterrupted = errors.New("netwrap: TLS write interrupted mid-record: the connection is unusable")

// Errors of package net and os that netwrap returns, named here once.
var (
	errClosed   = net.ErrClosed
	errDeadline = os.ErrDeadlineExceeded
)
