//go:build unix && (!linux || race)

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

// errno is err as a number (0 for nil), so that hot paths compare
// integers, not interfaces. An error that is not an errno (none of
// unix.Read's) becomes EIO.
func errno(err error) unix.Errno {
	if err == nil {
		return 0
	}
	if e, ok := err.(unix.Errno); ok {
		return e
	}
	return unix.EIO
}
