//go:build unix

package tests

import (
	"bytes"
	"context"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/greenrt/green/internal/echo"
)

// exchange runs clients concurrent connections against addr; client i
// sends messages of several sizes, one after another, and collects what
// comes back.
func exchange(t *testing.T, addr string, clients int) [][]byte {
	t.Helper()
	got := make([][]byte, clients)
	errs := make([]error, clients)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				errs[i] = err
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(30 * time.Second))
			for _, size := range []int{1, 1000, 10 << 10, 100 << 10, 7} {
				msg := echo.Message(i*10+size, size)
				if _, err := c.Write(msg); err != nil {
					errs[i] = err
					return
				}
				back := make([]byte, size)
				if _, err := io.ReadFull(c, back); err != nil {
					errs[i] = err
					return
				}
				got[i] = append(got[i], back...)
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("client %d: %v", i, err)
		}
	}
	return got
}

// The greenlet echo server (one hub, netwrap) and the goroutine echo
// server (package net) return identical data to concurrent clients, the
// data that was sent, and release their goroutines and descriptors when
// closed.
func TestEchoServersIdentical(t *testing.T) {
	leakCheck(t)
	const clients = 20
	var results [][][]byte
	for _, start := range []func() (echo.Server, error){echo.StartGreen, echo.StartGoroutines} {
		srv, err := start()
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, exchange(t, srv.Addr(), clients))
		if err := srv.Close(); err != nil {
			t.Fatalf("close: %v", err)
		}
	}
	for i := range clients {
		var want []byte
		for _, size := range []int{1, 1000, 10 << 10, 100 << 10, 7} {
			want = append(want, echo.Message(i*10+size, size)...)
		}
		if !bytes.Equal(results[0][i], want) {
			t.Errorf("greenlet server: client %d got %d bytes, not its own", i, len(results[0][i]))
		}
		if !bytes.Equal(results[0][i], results[1][i]) {
			t.Errorf("client %d: servers answered differently", i)
		}
	}
}

// The bench's load client runs against both servers without errors and
// counts what it measured; closing a server under load ends cleanly.
func TestEchoLoadClient(t *testing.T) {
	leakCheck(t)
	for _, start := range []func() (echo.Server, error){echo.StartGreen, echo.StartGoroutines} {
		srv, err := start()
		if err != nil {
			t.Fatal(err)
		}
		for _, size := range []int{1 << 10, 100 << 10} {
			// A loaded machine (the race detector, other packages'
			// tests) may need longer than 100 ms for the first echo of
			// 100 KiB on every connection: lengthen the run until it
			// measured something, instead of depending on timing.
			var st echo.Stats
			for d := 100 * time.Millisecond; d < 10*time.Second && st.Requests == 0; d *= 4 {
				l := echo.Load{Addr: srv.Addr(), Size: size, Conns: 10, Duration: d}
				if st, err = l.Run(context.Background()); err != nil {
					t.Fatalf("%s, %d bytes: %v", srv.Addr(), size, err)
				}
			}
			if st.Requests == 0 || st.Bytes != int64(st.Requests)*int64(size) || st.P99 < st.P50 {
				t.Fatalf("%d bytes: implausible stats %+v", size, st)
			}
			t.Logf("%d bytes: %.0f req/s", size, st.ReqPerSec())
		}
		// Close while clients are connected and sending.
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			echo.Load{Addr: srv.Addr(), Size: 1000, Conns: 5, Duration: time.Minute}.Run(ctx)
		}()
		time.Sleep(20 * time.Millisecond)
		if err := srv.Close(); err != nil {
			t.Fatalf("close under load: %v", err)
		}
		cancel()
		<-done
	}
}
