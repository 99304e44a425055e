package greenselect_test

import "golang.org/x/sys/unix"

func unixPipe(p []int) error { return unix.Pipe2(p, unix.O_CLOEXEC|unix.O_NONBLOCK) }
func closeFD(fd int)         { unix.Close(fd) }
