//go:build unix

package netwrap

import (
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/greenrt/green/hub"
)

// TestParallelServer: connections to a ParallelServer spread over its hubs
// (SO_REUSEPORT listeners), each is echoed by a handler on the hub that
// accepted it, Stop ends Serve with ErrServerClosed and leaves nothing
// behind.
func TestParallelServer(t *testing.T) {
	checkLeaks(t)
	var mu sync.Mutex // handlers of different hubs run in parallel
	perHub := map[*hub.Hub]int{}
	p := &ParallelServer{Hubs: 3, Handler: func(c net.Conn) {
		_, h := hub.Current()
		mu.Lock()
		perHub[h]++
		mu.Unlock()
		io.Copy(c, c)
	}}
	served := make(chan error, 1)
	go func() { served <- p.Serve() }()
	for p.LocalAddr() == nil {
		time.Sleep(time.Millisecond)
	}
	if p.NumHubs() != 3 {
		t.Fatalf("NumHubs = %d", p.NumHubs())
	}
	const n = 60
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", p.LocalAddr().String())
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			msg := []byte{byte(i), 1, 2, 3}
			c.Write(msg)
			got := make([]byte, len(msg))
			if _, err := io.ReadFull(c, got); err != nil || got[0] != byte(i) {
				errs <- errors.New("bad echo")
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if err := p.Stop(time.Second); err != nil {
		t.Fatal(err)
	}
	if err := within(t, served, "Serve"); !errors.Is(err, ErrServerClosed) {
		t.Fatalf("Serve: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	total := 0
	for _, k := range perHub {
		total += k
	}
	// 60 connections over 3 listeners by a hash: every hub gets some
	// (all on two of them: probability 3*(2/3)^60, about 1e-10).
	if len(perHub) != 3 || total != n {
		t.Fatalf("connections per hub: %v", perHub)
	}
	if err := p.Start(); !errors.Is(err, ErrServerStarted) {
		t.Fatalf("second Start: %v", err)
	}
}

func TestParallelServerBadInput(t *testing.T) {
	checkLeaks(t)
	if err := (&ParallelServer{}).Start(); !errors.Is(err, ErrNoHandler) {
		t.Fatalf("no handler: %v", err)
	}
	var nilp *ParallelServer
	if nilp.Start() == nil || nilp.Stop(0) != nil || nilp.LocalAddr() != nil || nilp.NumHubs() != 0 {
		t.Fatal("nil server")
	}
	if _, err := ListenReusePort("unix", "x", 2); !errors.Is(err, ErrUnknownNetwork) {
		t.Fatalf("unix: %v", err)
	}
	if _, err := ListenReusePort("tcp", "127.0.0.1:0", 0); err == nil {
		t.Fatal("n = 0 accepted")
	}
	p := &ParallelServer{Handler: func(net.Conn) {}, Addr: "256.0.0.1:0"}
	if err := p.Start(); err == nil {
		t.Fatal("bad address accepted")
		p.Stop(0)
	}
}
