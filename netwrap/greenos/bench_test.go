//go:build unix

package greenos_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/internal/testutil"
	"github.com/greenrt/green/netwrap/greenos"
)

// BenchmarkPipePingPong: two greenlets of one hub bounce 64 bytes over two
// pipes; every read parks and is woken by epoll.
func BenchmarkPipePingPong(b *testing.B) {
	h := testutil.NewHubNoLeakCheck(b)
	r1, w1, _ := greenos.Pipe()
	r2, w2, _ := greenos.Pipe()
	defer func() { r1.Close(); w1.Close(); r2.Close(); w2.Close() }()
	msg := make([]byte, 64)
	echo := green.SpawnOn(h.Hub, func() {
		buf := make([]byte, 64)
		for {
			if _, err := r1.Read(buf); err != nil {
				return
			}
			w2.Write(buf)
		}
	})
	b.ReportAllocs()
	b.ResetTimer()
	green.SpawnOn(h.Hub, func() {
		buf := make([]byte, 64)
		for range b.N {
			w1.Write(msg)
			r2.Read(buf)
		}
	}).Join()
	b.StopTimer()
	w1.Close()
	echo.Join()
}

// BenchmarkRegularRead reads a cached 1 MiB file in 32 KiB chunks from a
// greenlet: through the thread pool (greenos) and, blocking the hub,
// through *os.File.
func BenchmarkRegularRead(b *testing.B) {
	h := testutil.NewHubNoLeakCheck(b)
	name := filepath.Join(b.TempDir(), "f")
	os.WriteFile(name, make([]byte, 1<<20), 0o600)
	buf := make([]byte, 32<<10)
	for _, kind := range []string{"greenos", "os.File"} {
		b.Run(kind, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(buf)))
			green.SpawnOn(h.Hub, func() {
				var r interface {
					ReadAt([]byte, int64) (int, error)
					Close() error
				}
				if kind == "greenos" {
					r, _ = greenos.Open(name)
				} else {
					r, _ = os.Open(name)
				}
				defer r.Close()
				b.ResetTimer()
				for i := range b.N {
					r.ReadAt(buf, int64(i%32)*int64(len(buf)))
				}
			}).Join()
		})
	}
}
