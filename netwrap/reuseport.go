//go:build unix

package netwrap

import (
	"context"
	"net"
	"os"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// ListenReusePort opens n TCP listeners on one address, each with its own
// accept queue, with SO_REUSEPORT: the kernel spreads incoming connections
// over them by a hash of the connection's addresses. It is how N hubs
// serve one port without sharing anything (see ParallelServer). With port
// 0 the first listener picks the port and the others join it. network is
// "tcp", "tcp4" or "tcp6"; n < 1 fails with syscall.EINVAL. On error no
// listener is left open.
func ListenReusePort(network, address string, n int) ([]*Listener, error) {
	switch network {
	case "tcp", "tcp4", "tcp6":
	default:
		return nil, &net.OpError{Op: "listen", Net: network, Err: ErrUnknownNetwork}
	}
	if n < 1 {
		return nil, &net.OpError{Op: "listen", Net: network, Err: syscall.EINVAL}
	}
	address, err := literalAddress(network, address)
	if err != nil {
		return nil, &net.OpError{Op: "listen", Net: network, Err: err}
	}
	lc := net.ListenConfig{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		if err := rc.Control(func(fd uintptr) {
			serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)
		}); err != nil {
			return err
		}
		return serr
	}}
	ls := make([]*Listener, 0, n)
	fail := func(err error) ([]*Listener, error) {
		for _, l := range ls {
			l.Close()
		}
		return nil, err
	}
	for len(ls) < n {
		nl, err := lc.Listen(context.Background(), network, address)
		if err != nil {
			return fail(err)
		}
		l, err := WrapListener(nl)
		if err != nil {
			nl.Close()
			return fail(err)
		}
		ls = append(ls, l)
		if len(ls) == 1 {
			// Port 0: the others join the port the first one got.
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return fail(err)
			}
			address = net.JoinHostPort(host, strconv.Itoa(nl.Addr().(*net.TCPAddr).Port))
		}
	}
	return ls, nil
}

// listenFD calls listen(2) again on a listening socket: it sets the
// backlog.
func listenFD(fd, backlog int) error {
	if err := unix.Listen(fd, backlog); err != nil {
		return os.NewSyscallError("listen", err)
	}
	return nil
}
