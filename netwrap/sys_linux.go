package netwrap

import "golang.org/x/sys/unix"

// The system calls and options whose spelling differs between Linux and
// the other Unix systems (sys_other.go).

// socket opens a non-blocking, close-on-exec socket.
func socket(family, sotype int) (int, error) {
	return unix.Socket(family, sotype|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
}

// accept takes a connection from the listening socket fd, non-blocking
// and close-on-exec.
func accept(fd int) (int, unix.Sockaddr, error) {
	return unix.Accept4(fd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
}

// hasPassCred reports whether the Unix socket fd has SO_PASSCRED set.
func hasPassCred(fd int) bool {
	pc, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_PASSCRED)
	return err == nil && pc != 0
}

// tcpKeepIdle is the TCP option for the idle time before the first
// keep-alive probe.
const tcpKeepIdle = unix.TCP_KEEPIDLE
