//go:build unix && !linux

package netwrap

import "golang.org/x/sys/unix"

// streamSocketpair returns a non-blocking, close-on-exec Unix stream
// socketpair (in steps: socketpair(2) has no such flags here).
func streamSocketpair() ([2]int, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		return fds, err
	}
	for _, fd := range fds {
		unix.CloseOnExec(fd)
		if err := unix.SetNonblock(fd, true); err != nil {
			unix.Close(fds[0])
			unix.Close(fds[1])
			return fds, err
		}
	}
	return fds, nil
}
