//go:build unix

package greenos

import (
	"golang.org/x/sys/unix"
)

// WaitRead waits until the File has something to read (or is at end of
// file, in error, or hung up), without reading: gevent's wait_read for a
// file object. It honours the read deadline (os.ErrDeadlineExceeded) and
// returns the errors Read would (os.ErrClosed after Close,
// ErrConcurrentUse). It lets a greenlet wait on descriptors that are not
// read with read(2), such as an epoll or inotify descriptor.
//
// In a greenlet it checks readiness with one poll(2) and parks on the hub
// if need be; from a plain goroutine it blocks in Go's netpoller; in a hub
// callback it fails with hub.ErrNotCoroutine. A non-pollable File is
// always ready (as poll(2) says of regular files).
func (f *File) WaitRead() error { return f.waitReady(false) }

// WaitWrite is WaitRead for room to write (gevent's wait_write).
func (f *File) WaitWrite() error { return f.waitReady(true) }

func (f *File) waitReady(write bool) error {
	op := "read"
	if write {
		op = "write"
	}
	if !f.poll {
		return nil
	}
	fd, err := f.p.enter(f.fd)
	if err != nil {
		return f.pathErr(op, err)
	}
	if fd == nil {
		rc, err := f.f.SyscallConn()
		if err != nil {
			return err
		}
		ready := func(fd uintptr) bool { return pollReady(int(fd), write) }
		if write {
			err = rc.Write(ready)
		} else {
			err = rc.Read(ready)
		}
		if err != nil {
			if f.p.closed.Load() {
				err = errClosed
			}
			return f.pathErr(op, err)
		}
		return nil
	}
	for {
		if f.p.expired(write) {
			return f.pathErr(op, errDeadline)
		}
		if f.p.closed.Load() {
			return f.pathErr(op, errClosed)
		}
		if pollReady(f.fd, write) {
			return nil
		}
		if err := f.p.wait(fd, write); err != nil {
			return f.pathErr(op, err)
		}
	}
}

// pollReady reports whether fd is ready to read (or write), or has an
// error or hang-up to report, without waiting.
func pollReady(fd int, write bool) bool {
	ev := int16(unix.POLLIN)
	if write {
		ev = unix.POLLOUT
	}
	p := []unix.PollFd{{Fd: int32(fd), Events: ev}}
	for {
		n, err := unix.Poll(p, 0)
		if err == unix.EINTR {
			continue
		}
		return err != nil || n > 0
	}
}
