//go:build unix

package greenselect_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/internal/testutil"
	"github.com/greenrt/green/netwrap"
	"github.com/greenrt/green/netwrap/greenselect"
	"golang.org/x/sys/unix"
)

// A greenlet polls three pipes; a writer greenlet of the same hub writes
// into the second after a pause. The hub keeps ticking meanwhile and only
// that pipe is reported.
func TestPollParks(t *testing.T) {
	h := testutil.NewHub(t)
	var rs, ws [3]int
	for i := range rs {
		rs[i], ws[i] = pipe(t)
	}
	// A poll that blocked the hub would make a gap as long as the pause:
	// long enough that a loaded machine's own gaps (167 ms seen at load
	// average 6 with a 200 ms pause) stay far below the bound.
	const pause = time.Second
	gt := testutil.StartGapTicker(h.Hub, time.Millisecond)
	green.SpawnOn(h.Hub, func() {
		green.Sleep(pause)
		unix.Write(ws[1], []byte("x"))
	})
	run(t, h.Hub, func() error {
		fds := make([]unix.PollFd, 3)
		for i, fd := range rs {
			fds[i] = unix.PollFd{Fd: int32(fd), Events: unix.POLLIN}
		}
		n, err := greenselect.Poll(fds)
		if err != nil {
			return err
		}
		if n != 1 || fds[1].Revents&unix.POLLIN == 0 || fds[0].Revents != 0 || fds[2].Revents != 0 {
			return fmt.Errorf("poll: n=%d, revents %v", n, fds)
		}
		return nil
	})
	if gap := gt.Stop(); gap > pause*3/4 {
		t.Errorf("largest hub gap %v while a greenlet polled for %v", gap, pause)
	}
}

// PollTimeout returns 0 once the timeout has passed, and checks without
// waiting for d <= 0; what poll(2) reports of bad, negative and regular
// descriptors is kept.
func TestPollTimeoutAndSpecialDescriptors(t *testing.T) {
	h := testutil.NewHub(t)
	r, _ := pipe(t)
	reg, err := os.CreateTemp(t.TempDir(), "f")
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	run(t, h.Hub, func() error {
		fds := []unix.PollFd{{Fd: int32(r), Events: unix.POLLIN}}
		start := time.Now()
		if n, err := greenselect.PollTimeout(fds, 30*time.Millisecond); n != 0 || err != nil {
			return fmt.Errorf("timeout: %d, %v", n, err)
		}
		if took := time.Since(start); took < 30*time.Millisecond {
			return fmt.Errorf("returned after %v, before the timeout", took)
		}
		for _, d := range []time.Duration{0, -time.Second} {
			if n, err := greenselect.PollTimeout(fds, d); n != 0 || err != nil {
				return fmt.Errorf("check with d=%v: %d, %v", d, n, err)
			}
		}
		fds = []unix.PollFd{
			{Fd: int32(r), Events: unix.POLLIN},
			{Fd: -1, Events: unix.POLLIN},
			{Fd: int32(reg.Fd()), Events: unix.POLLIN},
			{Fd: 1 << 30, Events: unix.POLLIN}, // not open
		}
		n, err := greenselect.Poll(fds)
		if err != nil {
			return err
		}
		if n != 2 || fds[0].Revents != 0 || fds[1].Revents != 0 || fds[2].Revents&unix.POLLIN == 0 || fds[3].Revents&unix.POLLNVAL == 0 {
			return fmt.Errorf("special descriptors: n=%d %+v", n, fds)
		}
		if _, err := greenselect.Poll(nil); !errors.Is(err, greenselect.ErrNoFDs) {
			return fmt.Errorf("Poll(nil): %v", err)
		}
		if _, err := greenselect.Poll([]unix.PollFd{{Fd: -1}}); !errors.Is(err, greenselect.ErrNoFDs) {
			return fmt.Errorf("Poll of only negative fds: %v", err)
		}
		if n, err := greenselect.PollTimeout(nil, time.Millisecond); n != 0 || err != nil {
			return fmt.Errorf("PollTimeout(nil): %d, %v", n, err)
		}
		return nil
	})
}

// Poll waits on a descriptor that a netwrap Conn of the same hub has
// registered, without disturbing that registration: the Conn's parked
// Read still wakes.
func TestPollBesideRegisteredConn(t *testing.T) {
	h := testutil.NewHub(t)
	a, b, err := socketPair()
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	defer b.Close()
	run(t, h.Hub, func() error {
		// Bind a to the hub with a first read that parks and times out.
		a.SetReadDeadline(time.Now().Add(5 * time.Millisecond))
		a.Read(make([]byte, 1))
		a.SetReadDeadline(time.Time{})
		green.SpawnOn(h.Hub, func() { green.Sleep(10 * time.Millisecond); b.Write([]byte("12")) })
		fd := connFD(a)
		if _, _, _, err := greenselect.Select([]int{fd}, nil, nil); err != nil {
			return err
		}
		buf := make([]byte, 1)
		if n, err := a.Read(buf); n != 1 || err != nil {
			return fmt.Errorf("read: %d, %v", n, err)
		}
		a.Read(buf) // drain
		green.SpawnOn(h.Hub, func() { green.Sleep(10 * time.Millisecond); b.Write([]byte("3")) })
		if n, err := a.Read(buf); n != 1 || err != nil || buf[0] != '3' {
			return fmt.Errorf("parked read after a Select: %d %q, %v", n, buf, err)
		}
		return nil
	})
}

// Select reports each list's ready descriptors in order; a bad
// descriptor is EBADF; nothing at all is ErrNoFDs without a timeout and a
// sleep with one.
func TestSelect(t *testing.T) {
	h := testutil.NewHub(t)
	r1, w1 := pipe(t)
	r2, _ := pipe(t)
	run(t, h.Hub, func() error {
		unix.Write(w1, []byte("x"))
		rr, wr, xr, err := greenselect.Select([]int{r2, r1}, []int{w1}, []int{r1})
		if err != nil {
			return err
		}
		if !slices.Equal(rr, []int{r1}) || !slices.Equal(wr, []int{w1}) || len(xr) != 0 {
			return fmt.Errorf("select: %v %v %v", rr, wr, xr)
		}
		rr, wr, xr, err = greenselect.SelectTimeout([]int{r2}, nil, nil, 10*time.Millisecond)
		if err != nil || rr != nil || wr != nil || xr != nil {
			return fmt.Errorf("select timeout: %v %v %v %v", rr, wr, xr, err)
		}
		for _, bad := range []int{-1, 1 << 30} {
			if _, _, _, err := greenselect.Select([]int{r1, bad}, nil, nil); !errors.Is(err, unix.EBADF) {
				return fmt.Errorf("select of %d: %v", bad, err)
			}
		}
		if _, _, _, err := greenselect.Select(nil, nil, nil); !errors.Is(err, greenselect.ErrNoFDs) {
			return fmt.Errorf("empty select: %v", err)
		}
		if _, _, _, err := greenselect.SelectTimeout(nil, nil, nil, time.Millisecond); err != nil {
			return fmt.Errorf("empty select with a timeout: %v", err)
		}
		return nil
	})
}

// WaitReadWrite reports which way a descriptor is ready, times out with
// os.ErrDeadlineExceeded, and reports a bad descriptor as EBADF.
func TestWaitReadWrite(t *testing.T) {
	h := testutil.NewHub(t)
	r, w := pipe(t)
	run(t, h.Hub, func() error {
		if rd, wr, err := greenselect.WaitReadWrite(w); rd || !wr || err != nil {
			return fmt.Errorf("write end: %v %v %v", rd, wr, err)
		}
		if _, _, err := greenselect.WaitReadWriteTimeout(r, 10*time.Millisecond); !errors.Is(err, os.ErrDeadlineExceeded) {
			return fmt.Errorf("silent read end: %v", err)
		}
		green.SpawnOn(h.Hub, func() { green.Sleep(10 * time.Millisecond); unix.Write(w, []byte("x")) })
		if rd, wr, err := greenselect.WaitReadWrite(r); !rd || wr || err != nil {
			return fmt.Errorf("read end: %v %v %v", rd, wr, err)
		}
		if _, _, err := greenselect.WaitReadWrite(-3); !errors.Is(err, unix.EBADF) {
			return fmt.Errorf("bad fd: %v", err)
		}
		return nil
	})
}

// A plain goroutine's Poll is poll(2); a hub callback may check but not
// wait; a greenlet killed in Poll unwinds and its temporary epoll set is
// closed (the leak check counts descriptors).
func TestPollCallersAndKill(t *testing.T) {
	h := testutil.NewHub(t)
	r, w := pipe(t)
	go func() { time.Sleep(10 * time.Millisecond); unix.Write(w, []byte("x")) }()
	fds := []unix.PollFd{{Fd: int32(r), Events: unix.POLLIN}}
	if n, err := greenselect.Poll(fds); n != 1 || err != nil {
		t.Fatalf("plain goroutine: %d, %v", n, err)
	}
	var buf [1]byte
	unix.Read(r, buf[:])
	var cbN int
	var cbCheck, cbWait error
	h.Call(func() {
		cbN, cbCheck = greenselect.PollTimeout(fds, 0)
		_, cbWait = greenselect.Poll(fds)
	})
	if cbN != 0 || cbCheck != nil || !errors.Is(cbWait, hub.ErrNotCoroutine) {
		t.Fatalf("hub callback: check %d %v, wait %v", cbN, cbCheck, cbWait)
	}
	fd0 := testutil.OpenFDs()
	poller := green.SpawnOn(h.Hub, func() error {
		_, err := greenselect.Poll([]unix.PollFd{{Fd: int32(r), Events: unix.POLLIN}})
		return err
	})
	green.SpawnOn(h.Hub, green.Yield).Join()
	if fd1 := testutil.OpenFDs(); fd1 <= fd0 {
		t.Logf("no temporary epoll descriptor seen (%d -> %d)", fd0, fd1)
	}
	if err := poller.Kill(); err != nil || !poller.Killed() {
		t.Fatalf("kill: %v, killed %v", err, poller.Killed())
	}
	if fd := testutil.OpenFDs(); fd != fd0 {
		t.Fatalf("descriptors %d before the poll, %d after it was killed", fd0, fd)
	}
}

func socketPair() (*netwrap.Conn, *netwrap.Conn, error) {
	dir, err := os.MkdirTemp("", "sel")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(dir)
	ln, err := netwrap.Listen("unix", filepath.Join(dir, "s"))
	if err != nil {
		return nil, nil, err
	}
	defer ln.Close()
	ch := make(chan *netwrap.Conn, 1)
	go func() {
		c, err := ln.AcceptConn()
		if err != nil {
			ch <- nil
			return
		}
		ch <- c
	}()
	a, err := netwrap.Dial("unix", ln.Addr().String())
	if err != nil {
		return nil, nil, err
	}
	b := <-ch
	if b == nil {
		a.Close()
		return nil, nil, errors.New("accept failed")
	}
	return a, b, nil
}

func connFD(c *netwrap.Conn) int {
	fd := -1
	rc, _ := c.SyscallConn()
	rc.Control(func(x uintptr) { fd = int(x) })
	return fd
}
