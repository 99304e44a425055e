//go:build linux

package hub

import (
	"errors"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func pipe(t *testing.T) (r, w int) {
	t.Helper()
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(p[0]); unix.Close(p[1]) })
	return p[0], p[1]
}

func TestFDWaitRead(t *testing.T) {
	h := newHub(t, Config{})
	r, w := pipe(t)
	var got string
	var errs []error
	reader := spawn(t, h, func(g *G) {
		d, err := h.Register(r)
		if err != nil {
			t.Error(err)
			return
		}
		defer d.Close()
		buf := make([]byte, 16)
		for {
			n, err := unix.Read(r, buf)
			if err == unix.EAGAIN {
				if err := d.WaitRead(-1); err != nil {
					errs = append(errs, err)
					return
				}
				continue
			}
			got = string(buf[:n])
			break
		}
		// Timeout, then busy, then close.
		errs = append(errs, d.WaitRead(time.Millisecond))
		errs = append(errs, d.WaitRead(0))
	})
	time.Sleep(2 * time.Millisecond)
	unix.Write(w, []byte("hello"))
	<-reader.done
	if got != "hello" {
		t.Fatalf("read %q", got)
	}
	if len(errs) != 2 || !errors.Is(errs[0], ErrTimeout) || !errors.Is(errs[1], ErrTimeout) {
		t.Fatalf("errs %v", errs)
	}
}

func TestFDBusyCancelClose(t *testing.T) {
	h := newHub(t, Config{})
	r, _ := pipe(t)
	var d *FD
	var first, second, third error
	errCustom := errors.New("custom")
	a := spawn(t, h, func(g *G) {
		var err error
		if d, err = h.Register(r); err != nil {
			t.Error(err)
			return
		}
		d.r.ready = false
		first = d.WaitRead(-1) // cancelled below
		third = d.WaitRead(-1) // closed below
	})
	b := spawn(t, h, func(g *G) {
		g.Yield()
		second = d.WaitRead(-1) // busy: a waits
		d.Cancel(true, false, errCustom)
		g.Yield()
		d.Close()
		if err := d.Close(); err != nil {
			t.Error(err)
		}
	})
	<-a.done
	<-b.done
	if !errors.Is(first, errCustom) || !errors.Is(second, ErrFDBusy) || !errors.Is(third, ErrFDClosed) {
		t.Fatalf("errors %v, %v, %v", first, second, third)
	}
}

func TestFDCallbackAndStaleReuse(t *testing.T) {
	h := newHub(t, Config{})
	r, w := pipe(t)
	fired := make(chan error, 2)
	h.Call(func() {
		d, err := h.Register(r)
		if err != nil {
			t.Error(err)
			return
		}
		d.r.ready = false
		if err := d.OnRead(func(err error) { fired <- err }); err != nil {
			t.Error(err)
		}
		if err := d.OnRead(func(error) {}); !errors.Is(err, ErrFDBusy) {
			t.Errorf("second callback: %v", err)
		}
	})
	unix.Write(w, []byte("x"))
	if err := <-fired; err != nil {
		t.Fatal(err)
	}
	// Re-registering the same number (as after a close and reuse) kills
	// the old registration.
	var old, fresh *FD
	h.Call(func() {
		old = h.fds.get(r)
		var err error
		if fresh, err = h.Register(r); err != nil {
			t.Error(err)
		}
	})
	h.Call(func() {
		if !old.Closed() || fresh.Closed() || h.fds.get(r) != fresh {
			t.Error("stale registration survived")
		}
		fresh.Close()
	})
}

func TestFDWaitOutsideCoroutine(t *testing.T) {
	h := newHub(t, Config{})
	r, _ := pipe(t)
	got := make(chan any, 1)
	h.Post(func() {
		d, _ := h.Register(r)
		defer d.Close()
		defer func() { got <- recover() }()
		d.WaitRead(-1)
	})
	if v := <-got; v != ErrNotCoroutine {
		t.Fatalf("wait in a callback: %v", v)
	}
	defer func() {
		if v := recover(); v != ErrNotOnHub {
			t.Fatalf("Register off the hub: %v", v)
		}
	}()
	h.Register(r)
}

// Regression: a callback registered on a side that was already ready must
// not leave the wait counted (it would disable deadlock detection).
func TestOnReadWhenReadyReleasesWait(t *testing.T) {
	h := newHub(t, Config{})
	r, _ := pipe(t)
	fired := make(chan struct{})
	h.Call(func() {
		d, _ := h.Register(r)
		d.OnRead(func(error) { close(fired); d.Close() })
	})
	<-fired
	var w int
	h.Call(func() { w = h.waits })
	if w != 0 {
		t.Fatalf("h.waits = %d after the callback fired", w)
	}
}

// Regression: a wake-up after Stop must not write into a reused eventfd
// number.
func TestNoWakeAfterStop(t *testing.T) {
	h, _ := New(Config{})
	release := h.Hold()
	h.Start()
	h.Stop()
	evfd := h.poll.evfd
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(p[0])
	defer unix.Close(p[1])
	if p[1] != evfd {
		t.Skip("descriptor number not reused")
	}
	release()
	done := h.Waiting()
	done()
	buf := make([]byte, 16)
	if n, _ := unix.Read(p[0], buf); n > 0 {
		t.Fatalf("wrote %v into an unrelated descriptor", buf[:n])
	}
}
