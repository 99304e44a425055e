package netwrap

import (
	"net"
	"os"
	"testing"

	"github.com/greenrt/green/green"
	"golang.org/x/sys/unix"
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
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		b.Fatal(err)
	}
	var cs [2]net.Conn
	for i, fd := range fds {
		f := os.NewFile(uintptr(fd), "")
		cs[i], _ = net.FileConn(f)
		f.Close()
		defer cs[i].Close()
	}
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
