//go:build unix

package netwrap

import (
	"context"
	"net"
	"net/netip"

	"golang.org/x/sys/unix"
)

// Listen announces on a local stream address, like net.Listen: network is
// "tcp", "tcp4", "tcp6" or "unix". Use port 0 to let the system choose.
// In a greenlet a host name is resolved on a plain goroutine while the
// greenlet parks (the other steps never block).
func Listen(network, address string) (*Listener, error) {
	return listenBacklog(network, address, 0)
}

// listenBacklog is Listen with the accept queue length set to backlog
// (zero value: the system's maximum, as package net uses).
func listenBacklog(network, address string, backlog int) (*Listener, error) {
	switch network {
	case "tcp", "tcp4", "tcp6", "unix":
	default:
		return nil, &net.OpError{Op: "listen", Net: network, Err: ErrUnknownNetwork}
	}
	address, err := literalAddress(network, address)
	if err != nil {
		return nil, &net.OpError{Op: "listen", Net: network, Err: err}
	}
	l, err := net.Listen(network, address)
	if err != nil {
		return nil, err
	}
	w, err := WrapListener(l)
	if err != nil {
		l.Close()
		return nil, err
	}
	if backlog > 0 {
		// Calling listen(2) again on a listening socket sets its
		// backlog.
		var lerr error
		if err := w.s.rc.Control(func(fd uintptr) { lerr = unix.Listen(int(fd), backlog) }); err == nil && lerr != nil {
			w.Close()
			return nil, &net.OpError{Op: "listen", Net: network, Addr: l.Addr(), Err: lerr}
		}
	}
	return w, nil
}

// ListenPacket announces on a local packet address, like net.ListenPacket:
// network is "udp", "udp4", "udp6" or "unixgram".
func ListenPacket(network, address string) (*PacketConn, error) {
	switch network {
	case "udp", "udp4", "udp6", "unixgram":
	default:
		return nil, &net.OpError{Op: "listen", Net: network, Err: ErrUnknownNetwork}
	}
	address, err := literalAddress(network, address)
	if err != nil {
		return nil, &net.OpError{Op: "listen", Net: network, Err: err}
	}
	pc, err := net.ListenPacket(network, address)
	if err != nil {
		return nil, err
	}
	w, err := WrapPacketConn(pc)
	if err != nil {
		pc.Close()
		return nil, err
	}
	return w, nil
}

// literalAddress resolves the host part of an IP address on a plain
// goroutine (when the caller is a greenlet), so that package net's own
// resolution, which would block the hub, is never reached.
func literalAddress(network, address string) (string, error) {
	if network == "unix" || network == "unixgram" {
		return address, nil
	}
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return "", err
	}
	if host == "" {
		return address, nil
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return address, nil
	}
	aps, err := resolveTCP(context.Background(), network, address, true)
	if err != nil {
		return "", err
	}
	return aps[0].String(), nil
}
