//go:build !linux || race

package netwrap

import "golang.org/x/sys/unix"

// sysRead and sysWrite: see sysrw_raw.go.
func sysRead(fd int, p []byte) (int, unix.Errno) {
	n, err := unix.Read(fd, p)
	return n, errno(err)
}

func sysWrite(fd int, p []byte) (int, unix.Errno) {
	n, err := unix.Write(fd, p)
	return n, errno(err)
}
