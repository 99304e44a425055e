//go:build unix

package netwrap

import (
	"net"
	"sync/atomic"
	"testing"
	"time"
)

// gevent's serve_forever after start: Serve(nil) on a started server waits
// until it stops, then returns ErrServerClosed.
func TestServeAfterStartWaits(t *testing.T) {
	checkLeaks(t)
	h := newHub(t)
	srv := &StreamServer{Hub: h, Handler: echoHandler}
	if err := srv.Start(nil); err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(nil) }()
	if err := echoOnce(srv.LocalAddr().String(), "hi"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-served:
		t.Fatalf("Serve returned %v while the server runs", err)
	case <-time.After(20 * time.Millisecond):
	}
	if err := srv.Stop(time.Second); err != nil {
		t.Fatal(err)
	}
	if err := within(t, served, "Serve"); err != ErrServerClosed {
		t.Fatalf("Serve = %v", err)
	}

	ds := &DatagramServer{Hub: h, Handler: func(*PacketConn, []byte, net.Addr) {}}
	if err := ds.Start(nil); err != nil {
		t.Fatal(err)
	}
	go func() { served <- ds.Serve(nil) }()
	ds.Stop(time.Second)
	if err := within(t, served, "datagram Serve"); err != ErrServerClosed {
		t.Fatalf("datagram Serve = %v", err)
	}
}

// gevent's stop_accepting/start_accepting: while paused the listener stays
// open and connections wait in the backlog, unserved; once resumed they are
// served.
func TestStopStartAccepting(t *testing.T) {
	checkLeaks(t)
	h := newHub(t)
	var served atomic.Int32
	srv := &StreamServer{Hub: h, MaxConns: 4, Handler: func(c net.Conn) {
		served.Add(1)
		echoHandler(c)
	}}
	if err := srv.Start(nil); err != nil {
		t.Fatal(err)
	}
	defer srv.Stop(time.Second)
	addr := srv.LocalAddr().String()
	if err := echoOnce(addr, "before"); err != nil {
		t.Fatal(err)
	}
	for round := range 3 {
		srv.StopAccepting()
		srv.StopAccepting() // twice is once
		for srv.Accepting() {
			time.Sleep(time.Millisecond)
		}
		before := served.Load()
		c, err := net.Dial("tcp", addr) // queued in the backlog
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(30 * time.Millisecond)
		if got := served.Load(); got != before {
			t.Fatalf("round %d: served %d connections while paused", round, got-before)
		}
		srv.StartAccepting()
		c.Write([]byte("x"))
		buf := make([]byte, 1)
		c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := c.Read(buf); err != nil {
			t.Fatalf("round %d: after StartAccepting: %v", round, err)
		}
		c.Close()
	}
	// Permits were given back: MaxConns connections still fit.
	var cs []net.Conn
	for range 4 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
		c.Write([]byte("y"))
		buf := make([]byte, 1)
		c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := c.Read(buf); err != nil {
			t.Fatalf("connection %d of MaxConns: %v", len(cs), err)
		}
	}
	for _, c := range cs {
		c.Close()
	}
	// Paused before the loop ever ran (Start then StopAccepting at once,
	// from a greenlet of the server's hub): it is paused, not dead.
	srv2 := &StreamServer{Hub: h, Handler: echoHandler}
	inGreenlet(t, h, func() error {
		if err := srv2.Start(nil); err != nil {
			return err
		}
		srv2.StopAccepting()
		return nil
	})
	time.Sleep(10 * time.Millisecond)
	if srv2.Accepting() {
		t.Error("srv2 accepting")
	}
	srv2.StartAccepting()
	if err := echoOnce(srv2.LocalAddr().String(), "late start"); err != nil {
		t.Errorf("srv2 after StartAccepting: %v", err)
	}
	srv2.Stop(time.Second)
	// A paused server stops.
	srv.StopAccepting()
	if err := srv.Stop(time.Second); err != nil {
		t.Fatal(err)
	}
	srv.StartAccepting() // after Stop: nothing
	if srv.Accepting() {
		t.Error("accepting after Stop")
	}
}
