//go:build unix && !linux

package greenselect_test

import "golang.org/x/sys/unix"

// unixPipe is pipe2(2) with O_CLOEXEC|O_NONBLOCK, in steps.
func unixPipe(p []int) error {
	if err := unix.Pipe(p); err != nil {
		return err
	}
	for _, fd := range p {
		unix.CloseOnExec(fd)
		unix.SetNonblock(fd, true)
	}
	return nil
}

func closeFD(fd int) { unix.Close(fd) }
