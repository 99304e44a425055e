//go:build unix

package greenos

import (
	"io"
	"io/fs"
	"os"
	"syscall"
	"time"

	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/netwrap/internal/offload"
	"golang.org/x/sys/unix"
)

// File is a cooperative *os.File: gevent's FileObjectPosix for descriptors
// that can be polled (pipes, FIFOs, ttys, sockets, eventfds, signalfds,
// timerfds) and FileObjectThread for those that cannot (regular files,
// directories, block devices). Create one with Open, OpenFile, Create,
// Pipe, NewFile or Wrap; the zero value is not usable.
//
// A File is usable from any goroutine, like an *os.File:
//
//   - In a greenlet, a pollable File reads and writes with non-blocking
//     system calls and parks the greenlet on its hub when a call would
//     block; every other call (Stat, Seek...) is made directly, as it
//     cannot block. On a non-pollable File every call that touches the
//     file system runs on the thread pool while the greenlet parks, and
//     runs to completion even if the greenlet is killed meanwhile (the
//     kill takes effect when the call returns): a regular-file call is
//     bounded, and this way the buffer is never touched after the call
//     returned and no byte read is lost.
//   - In a plain goroutine, each method is the *os.File method.
//   - In a hub callback, which must never block, the methods that may
//     wait return hub.ErrNotCoroutine (inside an *fs.PathError).
//
// A pollable File binds to the hub of the first greenlet that waits on it;
// greenlets of another hub still use it, but in blocking style (their hub
// waits with them): keep a File on one hub. Two greenlets of the hub
// reading (or writing) at once: the second gets ErrConcurrentUse.
//
// Deadlines (SetDeadline...) work on pollable Files, as hub timers for
// greenlets; on other files they fail with os.ErrNoDeadline, as with
// package os. Errors are those of package os: an *fs.PathError naming the
// operation and file, io.EOF unwrapped.
//
// Cost: on a pollable File, a read or write that does not block is one
// system call and no allocation; the first wait registers the descriptor
// with the hub (one epoll_ctl). On a non-pollable File, every call is a
// thread-pool round trip (about 2 µs and 14 allocations on top of the
// system call, see BenchmarkRegularRead): read and write in large chunks
// (bufio) there.
type File struct {
	f    *os.File // the file operated on
	name string
	fd   int
	poll bool   // pollable: the cooperative core below is used
	p    poller // pollable files only

	// orig is the caller's *os.File when f is a non-blocking duplicate of
	// its blocking descriptor (see Wrap); origFlags its file status flags
	// to restore on Close.
	orig      *os.File
	origFlags int
}

var (
	_ io.ReadWriteCloser = (*File)(nil)
	_ io.ReaderAt        = (*File)(nil)
	_ io.WriterAt        = (*File)(nil)
	_ io.Seeker          = (*File)(nil)
	_ io.StringWriter    = (*File)(nil)
)

// Name returns the name of the file as given to Open (or NewFile).
func (f *File) Name() string { return f.name }

// Fd returns the descriptor number. Unlike os.File.Fd it does not put the
// descriptor in blocking mode, and the descriptor stays owned by the File:
// do not close it, and use it only while the File is open.
func (f *File) Fd() uintptr { return uintptr(f.fd) }

// Pollable reports whether the File waits on the hub (a pipe, FIFO, tty,
// socket or eventfd) rather than on the thread pool (a regular file).
func (f *File) Pollable() bool { return f.poll }

// OSFile returns the *os.File underneath, for plain goroutines and for
// APIs that insist on one (exec.Cmd.Stdin...). Reading or writing it from a
// greenlet blocks the hub; do not close it: close the File.
func (f *File) OSFile() *os.File { return f.f }

// SyscallConn returns the raw file of the *os.File underneath.
func (f *File) SyscallConn() (syscall.RawConn, error) { return f.f.SyscallConn() }

func (f *File) pathErr(op string, err error) error {
	return &fs.PathError{Op: op, Path: f.name, Err: err}
}

// Read reads up to len(p) bytes into p. It returns 0, io.EOF at end of
// file, like os.File.Read.
func (f *File) Read(p []byte) (int, error) {
	if !f.poll {
		return threaded(f, "read", func() (int, error) { return f.f.Read(p) })
	}
	fd, err := f.p.enter(f.fd)
	if fd == nil {
		if err != nil {
			return 0, f.pathErr("read", err)
		}
		return f.f.Read(p)
	}
	if len(p) == 0 {
		return 0, nil
	}
	for {
		if f.p.expired(false) {
			return 0, f.pathErr("read", errDeadline)
		}
		if f.p.closed.Load() {
			return 0, f.pathErr("read", errClosed)
		}
		n, rerr := unix.Read(f.fd, p)
		switch rerr {
		case nil:
			if n == 0 {
				return 0, io.EOF
			}
			return n, nil
		case unix.EINTR:
		case unix.EAGAIN:
			if err := f.p.wait(fd, false); err != nil {
				return 0, f.pathErr("read", err)
			}
		default:
			return 0, f.pathErr("read", rerr)
		}
	}
}

// Write writes all of p unless an error stops it (a deadline, Close, a
// closed pipe: EPIPE) and returns how much was written, like
// os.File.Write.
func (f *File) Write(p []byte) (int, error) {
	if !f.poll {
		return threaded(f, "write", func() (int, error) { return f.f.Write(p) })
	}
	fd, err := f.p.enter(f.fd)
	if fd == nil {
		if err != nil {
			return 0, f.pathErr("write", err)
		}
		return f.f.Write(p)
	}
	nn := 0
	for {
		if f.p.expired(true) {
			return nn, f.pathErr("write", errDeadline)
		}
		if f.p.closed.Load() {
			return nn, f.pathErr("write", errClosed)
		}
		n, werr := unix.Write(f.fd, p[nn:])
		if n > 0 {
			nn += n
		}
		if nn == len(p) && werr == nil {
			return nn, nil
		}
		switch werr {
		case nil:
			if n == 0 {
				return nn, f.pathErr("write", io.ErrUnexpectedEOF)
			}
		case unix.EINTR:
		case unix.EAGAIN:
			if err := f.p.wait(fd, true); err != nil {
				return nn, f.pathErr("write", err)
			}
		default:
			return nn, f.pathErr("write", werr)
		}
	}
}

// WriteString is Write of the bytes of s.
func (f *File) WriteString(s string) (int, error) { return f.Write([]byte(s)) }

// ReadAt reads len(p) bytes at offset off (pread), like os.File.ReadAt:
// it returns a non-nil error, io.EOF at end of file, when n < len(p).
// Pipes and other streams fail with ESPIPE at once.
func (f *File) ReadAt(p []byte, off int64) (int, error) {
	if f.poll {
		return f.f.ReadAt(p, off)
	}
	return threaded(f, "read", func() (int, error) { return f.f.ReadAt(p, off) })
}

// WriteAt writes p at offset off (pwrite), like os.File.WriteAt.
func (f *File) WriteAt(p []byte, off int64) (int, error) {
	if f.poll {
		return f.f.WriteAt(p, off)
	}
	return threaded(f, "write", func() (int, error) { return f.f.WriteAt(p, off) })
}

// Seek sets the offset for the next Read or Write, like os.File.Seek.
func (f *File) Seek(offset int64, whence int) (int64, error) {
	if f.poll {
		return f.f.Seek(offset, whence)
	}
	return threaded(f, "seek", func() (int64, error) { return f.f.Seek(offset, whence) })
}

// Stat returns the FileInfo of the file, like os.File.Stat.
func (f *File) Stat() (fs.FileInfo, error) {
	if f.poll {
		return f.f.Stat()
	}
	return threaded(f, "stat", f.f.Stat)
}

// Sync commits the file's contents to stable storage (fsync), like
// os.File.Sync.
func (f *File) Sync() error {
	if f.poll {
		return f.f.Sync()
	}
	_, err := threaded(f, "sync", func() (struct{}, error) { return struct{}{}, f.f.Sync() })
	return err
}

// Truncate changes the size of the file, like os.File.Truncate.
func (f *File) Truncate(size int64) error {
	if f.poll {
		return f.f.Truncate(size)
	}
	_, err := threaded(f, "truncate", func() (struct{}, error) { return struct{}{}, f.f.Truncate(size) })
	return err
}

// ReadDir reads the directory's entries, like os.File.ReadDir.
func (f *File) ReadDir(n int) ([]os.DirEntry, error) {
	if f.poll {
		return f.f.ReadDir(n)
	}
	return threaded(f, "readdirent", func() ([]os.DirEntry, error) { return f.f.ReadDir(n) })
}

// Close closes the File, like os.File.Close: greenlets and goroutines
// waiting in Read or Write fail with os.ErrClosed, and a second Close
// returns an *fs.PathError wrapping os.ErrClosed. A File made by Wrap from
// a blocking descriptor gets its original file status flags back (it was
// made non-blocking) and is closed too.
func (f *File) Close() error {
	if !f.poll {
		if g, h := hub.Current(); g == nil && h != nil {
			return f.f.Close() // a hub callback: close(2) of a file is short
		}
		_, err := threaded(f, "close", func() (struct{}, error) { return struct{}{}, f.f.Close() })
		return err
	}
	return f.p.close(f.closeFiles)
}

func (f *File) closeFiles() error {
	err := f.f.Close()
	if f.orig != nil && err == nil {
		if rc, e := f.orig.SyscallConn(); e == nil {
			rc.Control(func(fd uintptr) { unix.FcntlInt(fd, unix.F_SETFL, f.origFlags) })
		}
		f.orig.Close()
	}
	return err
}

// SetDeadline sets the read and write deadlines, like os.File.SetDeadline:
// a Read or Write waiting past t fails with os.ErrDeadlineExceeded; t zero
// means none. Non-pollable files fail with os.ErrNoDeadline.
func (f *File) SetDeadline(t time.Time) error { return f.setDeadline(t, true, true) }

// SetReadDeadline sets the read deadline (see SetDeadline).
func (f *File) SetReadDeadline(t time.Time) error { return f.setDeadline(t, true, false) }

// SetWriteDeadline sets the write deadline (see SetDeadline).
func (f *File) SetWriteDeadline(t time.Time) error { return f.setDeadline(t, false, true) }

func (f *File) setDeadline(t time.Time, r, w bool) error {
	var err error
	switch {
	case r && w:
		err = f.f.SetDeadline(t)
	case r:
		err = f.f.SetReadDeadline(t)
	default:
		err = f.f.SetWriteDeadline(t)
	}
	if err != nil || !f.poll {
		return err
	}
	f.p.setDeadline(t, r, w)
	return nil
}

// threaded runs a call of a non-pollable file: on the thread pool, run to
// completion, for a greenlet; directly for a plain goroutine. A hub
// callback gets hub.ErrNotCoroutine in an *fs.PathError for op.
func threaded[T any](f *File, op string, fn func() (T, error)) (T, error) {
	v, err := offload.Complete(fn)
	if err == hub.ErrNotCoroutine {
		return v, f.pathErr(op, err)
	}
	return v, err
}
