//go:build linux

package greenos_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"testing"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/internal/testutil"
	"github.com/greenrt/green/netwrap/greenos"
	"golang.org/x/sys/unix"
)

// A reader greenlet parks on an empty pipe while a writer greenlet of the
// same hub sleeps and then writes: the hub keeps running meanwhile (the
// ticker sees no gap of the order of the writer's sleep).
func TestPipeReaderParks(t *testing.T) {
	h := testutil.NewHub(t)
	r, w, err := greenos.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if !r.Pollable() || !w.Pollable() {
		t.Fatal("pipe ends should be pollable")
	}
	const pause = 200 * time.Millisecond
	gt := testutil.StartGapTicker(h.Hub, time.Millisecond)
	writer := green.SpawnOn(h.Hub, func() error {
		green.Sleep(pause) // the reader parks meanwhile
		_, err := w.Write([]byte("wake up"))
		return err
	})
	run(t, h.Hub, func() error {
		buf := make([]byte, 16)
		n, err := r.Read(buf)
		if string(buf[:n]) != "wake up" {
			return fmt.Errorf("read %q, %v", buf[:n], err)
		}
		return err
	})
	if err := writer.Join(); err != nil {
		t.Fatal(err)
	}
	if gap := gt.Stop(); gap > pause*3/4 {
		t.Errorf("largest hub gap %v while a greenlet waited on a pipe for %v", gap, pause)
	}
}

// A transfer far larger than the pipe's buffer between two greenlets of
// one hub, each parking in turn: every byte arrives, in order.
func TestPipeBulkTransfer(t *testing.T) {
	h := testutil.NewHub(t)
	r, w, err := greenos.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	data := make([]byte, 4<<20)
	for i := range data {
		data[i] = byte(i * 7)
	}
	writer := green.SpawnOn(h.Hub, func() error {
		defer w.Close()
		_, err := w.Write(data)
		return err
	})
	var got []byte
	run(t, h.Hub, func() error {
		var err error
		got, err = io.ReadAll(r)
		return err
	})
	if err := writer.Join(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Fatalf("got %d bytes, want %d identical", len(got), len(data))
	}
}

// Deadlines: a greenlet's read of a silent pipe fails with
// os.ErrDeadlineExceeded in an *fs.PathError, a deadline moved while it is
// parked is re-read, and clearing the deadline lets reads wait again.
func TestPipeDeadline(t *testing.T) {
	h := testutil.NewHub(t)
	r, w, err := greenos.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	run(t, h.Hub, func() error {
		r.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
		n, err := r.Read(make([]byte, 8))
		var pe *fs.PathError
		if n != 0 || !errors.Is(err, os.ErrDeadlineExceeded) || !errors.As(err, &pe) || pe.Op != "read" {
			return fmt.Errorf("read past deadline: %d, %v", n, err)
		}
		// Parked with no deadline; another greenlet sets one.
		r.SetReadDeadline(time.Time{})
		green.SpawnOn(h.Hub, func() {
			green.Sleep(10 * time.Millisecond)
			r.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
		})
		if _, err := r.Read(make([]byte, 8)); !errors.Is(err, os.ErrDeadlineExceeded) {
			return fmt.Errorf("deadline set while parked: %v", err)
		}
		r.SetReadDeadline(time.Time{})
		go func() { time.Sleep(10 * time.Millisecond); w.Write([]byte("late")) }()
		release := h.Hold() // a plain goroutine will write
		defer release()
		buf := make([]byte, 8)
		n, err = r.Read(buf)
		if string(buf[:n]) != "late" || err != nil {
			return fmt.Errorf("read after clearing the deadline: %q, %v", buf[:n], err)
		}
		return nil
	})
}

// Close wakes a greenlet parked in Read with os.ErrClosed, from another
// greenlet and from a plain goroutine; a second Close reports
// os.ErrClosed; I/O after Close fails with it.
func TestPipeCloseWakesReader(t *testing.T) {
	h := testutil.NewHub(t)
	for _, from := range []string{"greenlet", "goroutine"} {
		t.Run(from, func(t *testing.T) {
			r, w, err := greenos.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			reader := green.SpawnOn(h.Hub, func() error {
				_, err := r.Read(make([]byte, 8))
				return err
			})
			green.SpawnOn(h.Hub, green.Yield).Join() // the reader is parked
			if from == "greenlet" {
				green.SpawnOn(h.Hub, r.Close).Join()
			} else if err := r.Close(); err != nil {
				t.Fatal(err)
			}
			if err := reader.Join(); !errors.Is(err, os.ErrClosed) {
				t.Fatalf("parked reader after Close: %v", err)
			}
			if err := r.Close(); !errors.Is(err, os.ErrClosed) {
				t.Errorf("second Close: %v", err)
			}
			run(t, h.Hub, func() error {
				if _, err := r.Read(make([]byte, 1)); !errors.Is(err, os.ErrClosed) {
					return fmt.Errorf("read after close: %v", err)
				}
				return nil
			})
		})
	}
}

// Two greenlets reading one pipe: the second fails at once with
// ErrConcurrentUse and the first keeps waiting; a kill unwinds a parked
// reader and leaves the File usable.
func TestPipeConcurrentUseAndKill(t *testing.T) {
	h := testutil.NewHub(t)
	r, w, err := greenos.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	first := green.SpawnOn(h.Hub, func() (string, error) {
		buf := make([]byte, 8)
		n, err := r.Read(buf)
		return string(buf[:n]), err
	})
	run(t, h.Hub, func() error {
		green.Yield()
		_, err := r.Read(make([]byte, 8))
		if !errors.Is(err, greenos.ErrConcurrentUse) {
			return fmt.Errorf("second reader: %v, want ErrConcurrentUse", err)
		}
		return nil
	})
	if err := first.Kill(); err != nil {
		t.Fatal(err)
	}
	if !first.Killed() {
		t.Fatal("first reader not killed")
	}
	run(t, h.Hub, func() error {
		w.Write([]byte("hi"))
		buf := make([]byte, 8)
		n, err := r.Read(buf)
		if string(buf[:n]) != "hi" || err != nil {
			return fmt.Errorf("read after a killed reader: %q, %v", buf[:n], err)
		}
		w.Close()
		if n, err := r.Read(buf); n != 0 || err != io.EOF {
			return fmt.Errorf("read at end: %d, %v; want io.EOF", n, err)
		}
		return nil
	})
}

// From a plain goroutine a File is an *os.File; in a hub callback a read
// that could wait fails with hub.ErrNotCoroutine.
func TestPipeFromGoroutineAndCallback(t *testing.T) {
	h := testutil.NewHub(t)
	r, w, err := greenos.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	go w.Write([]byte("plain"))
	buf := make([]byte, 8)
	n, err := r.Read(buf)
	if string(buf[:n]) != "plain" || err != nil {
		t.Fatalf("plain goroutine: %q, %v", buf[:n], err)
	}
	var cbErr error
	h.Call(func() { _, cbErr = r.Read(buf) })
	var pe *fs.PathError
	if !errors.Is(cbErr, hub.ErrNotCoroutine) || !errors.As(cbErr, &pe) {
		t.Fatalf("read in a hub callback: %v", cbErr)
	}
}

// An eventfd wrapped with NewFile: a greenlet parks reading its counter
// until another greenlet adds to it.
func TestEventfd(t *testing.T) {
	h := testutil.NewHub(t)
	fd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		t.Skip("eventfd:", err)
	}
	f := greenos.NewFile(uintptr(fd), "eventfd")
	defer f.Close()
	if !f.Pollable() {
		t.Fatal("eventfd should be pollable")
	}
	adder := green.SpawnOn(h.Hub, func() error {
		green.Sleep(10 * time.Millisecond)
		var one [8]byte
		one[0] = 5
		_, err := f.Write(one[:])
		return err
	})
	run(t, h.Hub, func() error {
		var v [8]byte
		if _, err := f.Read(v[:]); err != nil {
			return err
		}
		if v[0] != 5 {
			return fmt.Errorf("counter %v, want 5", v)
		}
		return nil
	})
	if err := adder.Join(); err != nil {
		t.Fatal(err)
	}
}

// A blocking pipe descriptor (as inherited from a shell) is duplicated and
// made non-blocking by Wrap, and gets its flags back on Close.
func TestWrapBlockingDescriptor(t *testing.T) {
	h := testutil.NewHub(t)
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(p[1])
	// keep another descriptor of the read end's description, to look at
	// its flags after the File is closed
	spy, err := unix.Dup(p[0])
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(spy)
	f, err := greenos.Wrap(os.NewFile(uintptr(p[0]), "blocking-pipe"))
	if err != nil {
		t.Fatal(err)
	}
	if !f.Pollable() {
		t.Fatal("a blocking pipe should become pollable")
	}
	go func() { time.Sleep(10 * time.Millisecond); unix.Write(p[1], []byte("x")) }()
	run(t, h.Hub, func() error {
		defer h.Hold()()
		buf := make([]byte, 4)
		n, err := f.Read(buf)
		if n != 1 || err != nil {
			return fmt.Errorf("read: %d, %v", n, err)
		}
		return nil
	})
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	flags, err := unix.FcntlInt(uintptr(spy), unix.F_GETFL, 0)
	if err != nil {
		t.Fatal(err)
	}
	if flags&unix.O_NONBLOCK != 0 {
		t.Error("Close did not restore the blocking mode")
	}
	if err := unix.Fstat(p[0], new(unix.Stat_t)); err == nil {
		// p[0] may have been reused by another test's descriptor; only
		// a same-inode match would mean it was left open.
		var a, b unix.Stat_t
		unix.Fstat(p[0], &a)
		unix.Fstat(spy, &b)
		if a.Ino == b.Ino && a.Dev == b.Dev {
			t.Error("Close left the original descriptor open")
		}
	}
}

// /dev/null cannot be polled: it is served by the thread pool.
func TestDevNullIsThreaded(t *testing.T) {
	h := testutil.NewHub(t)
	f, err := greenos.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Pollable() {
		t.Fatal("/dev/null reported pollable")
	}
	run(t, h.Hub, func() error {
		if n, err := f.Write([]byte("gone")); n != 4 || err != nil {
			return fmt.Errorf("write: %d, %v", n, err)
		}
		if n, err := f.Read(make([]byte, 4)); n != 0 || err != io.EOF {
			return fmt.Errorf("read: %d, %v", n, err)
		}
		if err := f.SetDeadline(time.Now()); !errors.Is(err, os.ErrNoDeadline) {
			return fmt.Errorf("deadline on /dev/null: %v", err)
		}
		return nil
	})
}

// WaitRead waits for data without reading it, in a greenlet and in a
// plain goroutine, and honours the read deadline in both.
func TestWaitRead(t *testing.T) {
	h := testutil.NewHub(t)
	r, w, err := greenos.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	green.SpawnOn(h.Hub, func() { green.Sleep(10 * time.Millisecond); w.Write([]byte("k")) })
	run(t, h.Hub, func() error {
		if err := r.WaitRead(); err != nil {
			return err
		}
		if err := w.WaitWrite(); err != nil {
			return fmt.Errorf("WaitWrite on an empty pipe: %v", err)
		}
		buf := make([]byte, 1)
		if n, err := r.Read(buf); n != 1 || err != nil {
			return fmt.Errorf("read after WaitRead: %d, %v", n, err)
		}
		r.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
		if err := r.WaitRead(); !errors.Is(err, os.ErrDeadlineExceeded) {
			return fmt.Errorf("WaitRead past the deadline: %v", err)
		}
		return nil
	})
	if err := r.WaitRead(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("plain goroutine, past the deadline: %v", err)
	}
	r.SetReadDeadline(time.Time{})
	go func() { time.Sleep(10 * time.Millisecond); w.Write([]byte("g")) }()
	if err := r.WaitRead(); err != nil {
		t.Fatal(err)
	}
}
