//go:build unix

package netwrap

import (
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
)

// survivor is a handler that recovers its kill and keeps running: Stop
// must not wait for it without bound (gevent gives a kill one second).
func survivor(running *atomic.Int32) func() {
	return func() {
		running.Add(1)
		defer func() {
			recover()
			green.Sleep(time.Hour) // ended by the hub's Stop at cleanup
		}()
		green.Sleep(time.Hour)
	}
}

// untilRunning waits until n handlers are running.
func untilRunning(t *testing.T, running *atomic.Int32, n int32) {
	t.Helper()
	for i := 0; running.Load() < n; i++ {
		if i > 10000 {
			t.Fatal("handlers never ran")
		}
		time.Sleep(time.Millisecond)
	}
}

// stopWithin calls stop on a plain goroutine and returns its error, or
// fails the test if it does not return in 20 s (hang guard).
func stopWithin(t *testing.T, stop func(time.Duration) error, timeout time.Duration) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- stop(timeout) }()
	return within(t, done, "Stop")
}

func TestStreamServerStopBoundsSurvivors(t *testing.T) {
	checkLeaks(t)
	h := newHub(t)
	var running atomic.Int32
	handler := survivor(&running)
	srv := &StreamServer{Hub: h, Handler: func(net.Conn) { handler() }}
	srv.core.killWait = 20 * time.Millisecond
	if err := srv.Start(nil); err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", srv.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	untilRunning(t, &running, 1)
	err = stopWithin(t, srv.Stop, 10*time.Millisecond)
	if !errors.Is(err, ErrStopTimeout) || !errors.Is(err, hub.ErrTimeout) {
		t.Fatalf("Stop with a handler that survives its kill: %v, want ErrStopTimeout", err)
	}
}

func TestDatagramServerStopBoundsSurvivors(t *testing.T) {
	checkLeaks(t)
	h := newHub(t)
	var running atomic.Int32
	handler := survivor(&running)
	srv := &DatagramServer{Hub: h, Handler: func(*PacketConn, []byte, net.Addr) { handler() }}
	srv.core.killWait = 20 * time.Millisecond
	if err := srv.Start(nil); err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("udp", srv.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("x"))
	untilRunning(t, &running, 1)
	if err := stopWithin(t, srv.Stop, 10*time.Millisecond); !errors.Is(err, ErrStopTimeout) {
		t.Fatalf("Stop with a handler that survives its kill: %v, want ErrStopTimeout", err)
	}
}

// TestStreamServerStartTwice: a second Start or Serve fails with
// ErrServerStarted and leaves the running server alone (it used to bind a
// new socket, change LocalAddr and steal the accept loop).
func TestStreamServerStartTwice(t *testing.T) {
	checkLeaks(t)
	h := newHub(t)
	srv := &StreamServer{Hub: h, Handler: echoHandler}
	if err := srv.Start(nil); err != nil {
		t.Fatal(err)
	}
	defer srv.Stop(time.Second)
	addr := srv.LocalAddr().String()
	if err := srv.Start(nil); err != ErrServerStarted {
		t.Fatalf("second Start: %v", err)
	}
	ln, err := Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if err := srv.Serve(ln); err != ErrServerStarted {
		t.Fatalf("Serve on a started server: %v", err)
	}
	if got := srv.LocalAddr().String(); got != addr {
		t.Fatalf("LocalAddr changed from %s to %s", addr, got)
	}
	inGreenlet(t, h, func() error {
		for range 10 {
			if err := echoOnce(addr, "still serving"); err != nil {
				return err
			}
		}
		return nil
	})
	// The listener given to the failed Serve still belongs to the caller.
	if err := ln.SetDeadline(time.Now()); err != nil {
		t.Fatalf("the failed Serve closed the caller's listener: %v", err)
	}
}

func TestDatagramServerStartTwice(t *testing.T) {
	checkLeaks(t)
	h := newHub(t)
	srv := &DatagramServer{Hub: h, Handler: func(pc *PacketConn, data []byte, addr net.Addr) { pc.WriteTo(data, addr) }}
	if err := srv.Start(nil); err != nil {
		t.Fatal(err)
	}
	defer srv.Stop(time.Second)
	addr := srv.LocalAddr().String()
	if err := srv.Start(nil); err != ErrServerStarted {
		t.Fatalf("second Start: %v", err)
	}
	if got := srv.LocalAddr().String(); got != addr {
		t.Fatalf("LocalAddr changed from %s to %s", addr, got)
	}
	c, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	for range 5 {
		c.Write([]byte("ping"))
		b := make([]byte, 10)
		if n, err := c.Read(b); err != nil || string(b[:n]) != "ping" {
			t.Fatalf("echo after a second Start: %q, %v", b[:n], err)
		}
	}
}

// TestServeWaitsForStop: Serve returns once Stop has finished draining the
// handlers, not as soon as the accept loop ends.
func TestServeWaitsForStop(t *testing.T) {
	checkLeaks(t)
	h := newHub(t)
	var finished atomic.Bool
	var running atomic.Int32
	srv := &StreamServer{Hub: h, Handler: func(net.Conn) {
		running.Add(1)
		green.Sleep(100 * time.Millisecond) // still draining after Stop
		finished.Store(true)
	}}
	ln, err := Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() {
		err := srv.Serve(ln)
		if !finished.Load() {
			err = errors.New("Serve returned while a handler was still draining")
		}
		served <- err
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	untilRunning(t, &running, 1)
	if err := srv.Stop(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	if err := within(t, served, "Serve"); err != ErrServerClosed {
		t.Fatal(err)
	}
}

// TestStartOnStoppedHub: a server cannot start on a hub that has stopped
// (it used to return nil with nobody accepting), and leaves nothing open.
func TestStartOnStoppedHub(t *testing.T) {
	checkLeaks(t)
	h, err := hub.New(hub.Config{})
	if err != nil {
		t.Fatal(err)
	}
	h.Start()
	h.Stop()
	ss := &StreamServer{Hub: h, Handler: echoHandler}
	if err := ss.Start(nil); !errors.Is(err, hub.ErrStopped) {
		t.Fatalf("StreamServer.Start on a stopped hub: %v", err)
	}
	ds := &DatagramServer{Hub: h, Handler: func(*PacketConn, []byte, net.Addr) {}}
	if err := ds.Start(nil); !errors.Is(err, hub.ErrStopped) {
		t.Fatalf("DatagramServer.Start on a stopped hub: %v", err)
	}
}

// TestServeClosedListener: Serve on a listener closed by its owner returns
// the accept error (net.ErrClosed), not ErrServerClosed, which means that
// Stop was called.
func TestServeClosedListener(t *testing.T) {
	checkLeaks(t)
	h := newHub(t)
	ln, err := Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	srv := &StreamServer{Hub: h, Handler: echoHandler}
	err = srv.Serve(ln)
	if errors.Is(err, ErrServerClosed) || !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Serve on a closed listener: %v, want net.ErrClosed", err)
	}
	srv.Stop(0)
	pc, err := ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pc.Close()
	ds := &DatagramServer{Hub: h, Handler: func(*PacketConn, []byte, net.Addr) {}}
	err = ds.Serve(pc)
	if errors.Is(err, ErrServerClosed) || !errors.Is(err, net.ErrClosed) {
		t.Fatalf("DatagramServer.Serve on a closed socket: %v, want net.ErrClosed", err)
	}
	ds.Stop(0)
}

// TestStopWhileWaitingForRoom: the accept loop parked because MaxConns
// handlers run is killed by Stop like any other wait.
func TestStopWhileWaitingForRoom(t *testing.T) {
	checkLeaks(t)
	h := newHub(t)
	var running atomic.Int32
	srv := &StreamServer{Hub: h, MaxConns: 1, Handler: func(c net.Conn) {
		running.Add(1)
		c.Read(make([]byte, 1))
	}}
	if err := srv.Start(nil); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		c, err := net.Dial("tcp", srv.LocalAddr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	untilRunning(t, &running, 1)
	if err := stopWithin(t, srv.Stop, 0); err != nil {
		t.Fatal(err)
	}
	if n := running.Load(); n != 1 {
		t.Fatalf("%d handlers ran with MaxConns 1", n)
	}
}

// TestServerBadArguments: nil servers and servers without a handler fail
// with an error (ErrNoHandler), never a panic; Stop and LocalAddr of a nil
// server do nothing.
func TestServerBadArguments(t *testing.T) {
	checkLeaks(t)
	mustFail := func(what string, fn func() error) {
		t.Helper()
		if err := noPanic(t, what, fn); !errors.Is(err, ErrNoHandler) {
			t.Errorf("%s: %v, want ErrNoHandler", what, err)
		}
	}
	var ns *StreamServer
	var nds *DatagramServer
	mustFail("(*StreamServer)(nil).Start", func() error { return ns.Start(nil) })
	mustFail("(*StreamServer)(nil).Serve", func() error { return ns.Serve(nil) })
	noPanic(t, "(*StreamServer)(nil).Stop", func() error { ns.LocalAddr(); return ns.Stop(0) })
	mustFail("(*DatagramServer)(nil).Start", func() error { return nds.Start(nil) })
	mustFail("(*DatagramServer)(nil).Serve", func() error { return nds.Serve(nil) })
	noPanic(t, "(*DatagramServer)(nil).Stop", func() error { nds.LocalAddr(); return nds.Stop(0) })
	mustFail("StreamServer without handler", func() error { return (&StreamServer{}).Start(nil) })
	mustFail("DatagramServer without handler", func() error { return (&DatagramServer{}).Start(nil) })
}
