//go:build unix

package greenos

import (
	"context"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/netwrap/internal/offload"
	"golang.org/x/sys/unix"
)

// Wrap makes f cooperative and takes it over: use the File from now on,
// and do not read, write or close f directly.
//
// A file that Go's netpoller already watches (what os.Pipe, os.OpenFile
// of a FIFO or tty, and os.NewFile of a non-blocking descriptor give) is
// used as it is. A blocking descriptor of a pipe, FIFO, tty, socket or
// other pollable kind (os.Stdin inherited from a shell, for instance) is
// duplicated and the duplicate made non-blocking; since the two share one
// open file description, f becomes non-blocking too until Close gives it
// back its flags (and closes it). Regular files, directories and
// descriptors that epoll refuses (/dev/null) use the thread pool.
//
// Wrap fails only for a nil or closed f (os.ErrInvalid, os.ErrClosed). A
// *File is cheap to make: a few fcntl/fstat calls.
func Wrap(f *os.File) (*File, error) {
	if f == nil {
		return nil, os.ErrInvalid
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	fd := -1
	if err := rc.Control(func(x uintptr) { fd = int(x) }); err != nil {
		return nil, err
	}
	if fd < 0 {
		return nil, os.ErrInvalid
	}
	if netpolled(f) {
		return newPollFile(f, fd, nil, 0), nil
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, &fs.PathError{Op: "stat", Path: f.Name(), Err: err}
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG, unix.S_IFDIR, unix.S_IFBLK:
		return &File{f: f, name: f.Name(), fd: fd}, nil
	}
	// Maybe pollable, but blocking: hand Go's netpoller a non-blocking
	// duplicate, which tells whether epoll accepts the descriptor.
	flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err != nil {
		return &File{f: f, name: f.Name(), fd: fd}, nil
	}
	nfd, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return &File{f: f, name: f.Name(), fd: fd}, nil
	}
	if err := unix.SetNonblock(nfd, true); err != nil {
		unix.Close(nfd)
		return &File{f: f, name: f.Name(), fd: fd}, nil
	}
	nf := os.NewFile(uintptr(nfd), f.Name())
	if !netpolled(nf) {
		nf.Close()
		unix.FcntlInt(uintptr(fd), unix.F_SETFL, flags)
		return &File{f: f, name: f.Name(), fd: fd}, nil
	}
	return newPollFile(nf, nfd, f, flags), nil
}

func newPollFile(f *os.File, fd int, orig *os.File, origFlags int) *File {
	return &File{f: f, name: f.Name(), fd: fd, poll: true, orig: orig, origFlags: origFlags}
}

// netpolled reports whether Go's netpoller watches f: only such files
// accept deadlines.
func netpolled(f *os.File) bool {
	return f.SetReadDeadline(time.Time{}) == nil
}

// NewFile returns a File for the open descriptor fd, like os.NewFile
// followed by Wrap. It returns nil if fd is not a valid descriptor.
func NewFile(fd uintptr, name string) *File {
	f := os.NewFile(fd, name)
	if f == nil {
		return nil
	}
	w, err := Wrap(f)
	if err != nil {
		f.Close()
		return nil
	}
	return w
}

// Open opens the named file for reading, like os.Open. See OpenFile.
func Open(name string) (*File, error) { return OpenFile(name, os.O_RDONLY, 0) }

// Create creates or truncates the named file, like os.Create. See
// OpenFile.
func Create(name string) (*File, error) {
	return OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666)
}

// OpenFile opens the named file like os.OpenFile and wraps it (see Wrap).
// In a greenlet the open itself runs on the thread pool while the greenlet
// parks, since it can block: opening a FIFO waits for the other end, a
// network file system for the server. If the greenlet is killed meanwhile,
// the kill goes on at once and a file opened afterwards is closed. From a
// plain goroutine it is os.OpenFile; in a hub callback it fails with
// hub.ErrNotCoroutine (in an *fs.PathError).
func OpenFile(name string, flag int, perm os.FileMode) (*File, error) {
	f, err := offload.Keep(func(context.Context) (*os.File, error) {
		return os.OpenFile(name, flag, perm)
	}, func(f *os.File) { f.Close() })
	if err == hub.ErrNotCoroutine {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	if err != nil {
		return nil, err
	}
	w, err := Wrap(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return w, nil
}

// Pipe returns a connected pair of Files, like os.Pipe: reads from r
// return bytes written to w. Both ends are pollable.
func Pipe() (r, w *File, err error) {
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	fd := func(f *os.File) int {
		n := -1
		if rc, err := f.SyscallConn(); err == nil {
			rc.Control(func(x uintptr) { n = int(x) })
		}
		return n
	}
	return newPollFile(pr, fd(pr), nil, 0), newPollFile(pw, fd(pw), nil, 0), nil
}

// ReadFile reads the named file, like os.ReadFile. A regular file is read
// on the thread pool in one round trip (its whole read runs to completion
// if the greenlet is killed meanwhile); a FIFO or other pollable file is
// read cooperatively until end of file.
func ReadFile(name string) ([]byte, error) {
	f, err := Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if f.poll {
		return io.ReadAll(f)
	}
	return threaded(f, "read", func() ([]byte, error) { return readAll(f.f) })
}

// readAll reads f to its end, sizing the buffer from its length as
// os.ReadFile does.
func readAll(f *os.File) ([]byte, error) {
	size := 512
	if fi, err := f.Stat(); err == nil && fi.Size() > 0 && fi.Size() < 1<<40 {
		size = int(fi.Size()) + 1
	}
	data := make([]byte, 0, size)
	for {
		n, err := f.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return data, err
		}
		if len(data) >= cap(data) {
			data = append(data, 0)[:len(data)]
		}
	}
}

// WriteFile writes data to the named file, creating it if necessary, like
// os.WriteFile. A regular file is written on the thread pool in one round
// trip that runs to completion; a FIFO or other pollable file cooperatively.
func WriteFile(name string, data []byte, perm os.FileMode) error {
	f, err := OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if f.poll {
		_, err = f.Write(data)
	} else {
		_, err = threaded(f, "write", func() (int, error) { return f.f.Write(data) })
	}
	if err1 := f.Close(); err == nil {
		err = err1
	}
	return err
}
