package green

import (
	"testing"
	"unsafe"
)

// TestGreenletSize keeps a Greenlet (the one allocation of a Spawn of a
// func()) in the 240-byte size class, and a Task of a result of up to two
// words in the 256-byte one: growing past them costs every spawn 16 or 32
// more bytes and the collector the scan of them (BenchmarkSpawnJoin,
// BenchmarkPoolMap).
func TestGreenletSize(t *testing.T) {
	if s := unsafe.Sizeof(Greenlet{}); s > 240 {
		t.Errorf("Greenlet is %d bytes, over the 240-byte size class", s)
	}
	// A link (Link, RawLink: a pool's member follows its greenlet with one)
	// is its own callback node: one 128-byte allocation, no closure.
	if s := unsafe.Sizeof(link{}); s > 128 {
		t.Errorf("link is %d bytes, over the 128-byte size class", s)
	}
	// A Task keeps its function in the Greenlet's body field: a Task of a
	// value of up to two words fits the 256-byte class.
	if s := unsafe.Sizeof(Task[int]{}); s > 256 {
		t.Errorf("Task[int] is %d bytes, over the 256-byte size class", s)
	}
	if s := unsafe.Sizeof(Task[string]{}); s > 256 {
		t.Errorf("Task[string] is %d bytes, over the 256-byte size class", s)
	}
}
