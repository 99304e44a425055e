//go:build unix

package netwrap

import (
	"crypto/tls"
	"io"
	"net"
	"os"
	"sync"
	"testing"

	"github.com/greenrt/green/green"
)

// BenchmarkRoundTrip is one write and one read in each direction over a
// socketpair, from one greenlet: the data is always there, so nothing
// parks. It measures the cost netwrap adds to the system calls; it must
// not allocate.
func BenchmarkRoundTrip(b *testing.B) {
	h := newHub(b)
	x, y := socketPair(b)
	defer x.Close()
	defer y.Close()
	msg := make([]byte, 64)
	buf := make([]byte, 64)
	inGreenlet(b, h, func() error {
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			x.Write(msg)
			y.Read(buf)
			y.Write(buf)
			x.Read(buf)
		}
		return nil
	})
}

// BenchmarkPingPongGreenlets is a round trip between two greenlets of one
// hub over a socketpair: every read parks and is woken by epoll.
func BenchmarkPingPongGreenlets(b *testing.B) {
	h := newHub(b)
	x, y := socketPair(b)
	defer x.Close()
	defer y.Close()
	n := b.N
	inGreenlet(b, h, func() error {
		echo := green.Spawn(func() error {
			buf := make([]byte, 64)
			for range n {
				m, err := y.Read(buf)
				if err != nil {
					return err
				}
				if _, err := y.Write(buf[:m]); err != nil {
					return err
				}
			}
			return nil
		})
		msg := make([]byte, 64)
		buf := make([]byte, 64)
		b.ReportAllocs()
		b.ResetTimer()
		for range n {
			x.Write(msg)
			x.Read(buf)
		}
		return echo.Join()
	})
}

// BenchmarkRoundTripStdlib is BenchmarkRoundTrip on package net conns
// from a plain goroutine, for comparison.
func BenchmarkRoundTripStdlib(b *testing.B) {
	cs := stdSocketPair(b)
	msg := make([]byte, 64)
	buf := make([]byte, 64)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		cs[0].Write(msg)
		cs[1].Read(buf)
		cs[1].Write(buf)
		cs[0].Read(buf)
	}
}

// BenchmarkTLSRoundTrip is a 1 KiB TLS round trip over a socketpair: one
// greenlet with two TLSConns ("TLSConn"), and a plain goroutine with two
// *tls.Conn over package net conns ("stdlib", the baseline). It measures
// what TLSConn's locks and write buffer add to crypto/tls.
func BenchmarkTLSRoundTrip(b *testing.B) {
	srvCfg, cliCfg := selfSigned(b)
	msg := make([]byte, 1024)
	buf := make([]byte, 1024)
	roundTrips := func(b *testing.B, cli, srv net.Conn) error {
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if _, err := cli.Write(msg); err != nil {
				return err
			}
			if _, err := io.ReadFull(srv, buf); err != nil {
				return err
			}
			if _, err := srv.Write(buf); err != nil {
				return err
			}
			if _, err := io.ReadFull(cli, buf); err != nil {
				return err
			}
		}
		return nil
	}
	b.Run("TLSConn", func(b *testing.B) {
		h := newHub(b)
		x, y := socketPair(b)
		cli, srv := TLSClient(x, cliCfg), TLSServer(y, srvCfg)
		defer cli.Close()
		defer srv.Close()
		inGreenlet(b, h, func() error {
			hs := green.Spawn(srv.Handshake)
			if err := cli.Handshake(); err != nil {
				return err
			}
			if err := hs.Join(); err != nil {
				return err
			}
			return roundTrips(b, cli, srv)
		})
	})
	b.Run("stdlib", func(b *testing.B) {
		cs := stdSocketPair(b)
		cli, srv := tls.Client(cs[0], cliCfg), tls.Server(cs[1], srvCfg)
		defer cli.Close()
		defer srv.Close()
		hs := make(chan error, 1)
		go func() { hs <- srv.Handshake() }()
		if err := cli.Handshake(); err != nil {
			b.Fatal(err)
		}
		if err := <-hs; err != nil {
			b.Fatal(err)
		}
		if err := roundTrips(b, cli, srv); err != nil {
			b.Fatal(err)
		}
	})
}

// stdSocketPair returns the two ends of a Unix stream socketpair as
// package net conns, closed when the benchmark ends.
func stdSocketPair(b *testing.B) [2]net.Conn {
	fds, err := streamSocketpair()
	if err != nil {
		b.Fatal(err)
	}
	var cs [2]net.Conn
	for i, fd := range fds {
		f := os.NewFile(uintptr(fd), "")
		cs[i], _ = net.FileConn(f)
		f.Close()
		b.Cleanup(func() { cs[i].Close() })
	}
	return cs
}

// BenchmarkPingPongWaitRead is BenchmarkPingPongGreenlets with an echo
// greenlet that holds no buffer while idle: WaitRead, then a buffer from a
// sync.Pool, Read, Write, and the buffer back. WaitRead trusts the hub's
// readiness state, so the idiom costs no system call over plain Reads.
func BenchmarkPingPongWaitRead(b *testing.B) {
	h := newHub(b)
	x, y := socketPair(b)
	defer x.Close()
	defer y.Close()
	n := b.N
	pool := sync.Pool{New: func() any { return new([64]byte) }}
	inGreenlet(b, h, func() error {
		echo := green.Spawn(func() error {
			for range n {
				if err := y.WaitRead(); err != nil {
					return err
				}
				buf := pool.Get().(*[64]byte)
				m, err := y.Read(buf[:])
				if err == nil {
					_, err = y.Write(buf[:m])
				}
				pool.Put(buf)
				if err != nil {
					return err
				}
			}
			return nil
		})
		msg := make([]byte, 64)
		buf := make([]byte, 64)
		b.ReportAllocs()
		b.ResetTimer()
		for range n {
			x.Write(msg)
			x.Read(buf)
		}
		return echo.Join()
	})
}

// BenchmarkPingPongStdlib is the plain-Go baseline of the ping-pong
// benchmarks: two goroutines over package net conns on a socketpair.
func BenchmarkPingPongStdlib(b *testing.B) {
	cs := stdSocketPair(b)
	n := b.N
	done := make(chan error, 1)
	go func() {
		buf := make([]byte, 64)
		for range n {
			m, err := cs[1].Read(buf)
			if err == nil {
				_, err = cs[1].Write(buf[:m])
			}
			if err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	msg := make([]byte, 64)
	buf := make([]byte, 64)
	b.ReportAllocs()
	b.ResetTimer()
	for range n {
		cs[0].Write(msg)
		cs[0].Read(buf)
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
}
