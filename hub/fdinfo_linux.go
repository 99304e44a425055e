package hub

import (
	"fmt"
	"net"

	"golang.org/x/sys/unix"
)

// Describe says what the descriptor is, for run-info: "fd 7 (tcp
// 127.0.0.1:8080 <- 127.0.0.1:53211)" for a connected socket (its local
// and peer addresses, asked of the kernel), "fd 5 (tcp 0.0.0.0:8080)" for
// a listening or unconnected one, "fd 9" for anything else. Hub-only
// (the descriptor must stay open meanwhile).
func (d *FD) Describe() string {
	s := fmt.Sprintf("fd %d", d.fd)
	if d.closed {
		return s + " (closed)"
	}
	la, err := unix.Getsockname(d.fd)
	if err != nil {
		return s
	}
	proto := "socket"
	if t, err := unix.GetsockoptInt(d.fd, unix.SOL_SOCKET, unix.SO_TYPE); err == nil {
		switch la.(type) {
		case *unix.SockaddrInet4, *unix.SockaddrInet6:
			if t == unix.SOCK_STREAM {
				proto = "tcp"
			} else if t == unix.SOCK_DGRAM {
				proto = "udp"
			}
		case *unix.SockaddrUnix:
			proto = "unix"
		}
	}
	s += " (" + proto + " " + sockaddrString(la)
	if ra, err := unix.Getpeername(d.fd); err == nil {
		if r := sockaddrString(ra); r != "" {
			s += " <- " + r
		}
	}
	return s + ")"
}

func sockaddrString(sa unix.Sockaddr) string {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return net.JoinHostPort(net.IP(a.Addr[:]).String(), fmt.Sprint(a.Port))
	case *unix.SockaddrInet6:
		return net.JoinHostPort(net.IP(a.Addr[:]).String(), fmt.Sprint(a.Port))
	case *unix.SockaddrUnix:
		if a.Name == "" {
			return "@"
		}
		return a.Name
	}
	return ""
}
