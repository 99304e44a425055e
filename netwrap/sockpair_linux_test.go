package netwrap

import "golang.org/x/sys/unix"

// streamSocketpair returns a non-blocking, close-on-exec Unix stream
// socketpair.
func streamSocketpair() ([2]int, error) {
	return unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
}
