//go:build unix && !linux

package netwrap

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// The Linux system calls of sys_linux.go, for the other Unix systems. No
// hub runs there (hub.New fails with hub.ErrUnsupported), so these serve
// only the sockets of plain goroutines.

// socket opens a non-blocking, close-on-exec socket (in two steps, under
// syscall.ForkLock as package net does where SOCK_CLOEXEC is missing).
func socket(family, sotype int) (int, error) {
	syscall.ForkLock.RLock()
	fd, err := unix.Socket(family, sotype, 0)
	if err == nil {
		unix.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return -1, err
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

// accept takes a connection from the listening socket fd, non-blocking
// and close-on-exec.
func accept(fd int) (int, unix.Sockaddr, error) {
	syscall.ForkLock.RLock()
	nfd, sa, err := unix.Accept(fd)
	if err == nil {
		unix.CloseOnExec(nfd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return -1, nil, err
	}
	if err := unix.SetNonblock(nfd, true); err != nil {
		unix.Close(nfd)
		return -1, nil, err
	}
	return nfd, sa, nil
}

// hasPassCred reports whether the Unix socket fd passes credentials, Linux's
// SO_PASSCRED, which the other systems do not have.
func hasPassCred(int) bool { return false }
