package green

import (
	"testing"
	"unsafe"
)

// TestGreenletSize keeps a Greenlet (the one allocation of a Spawn of a
// func()) in the 256-byte size class, and a Task of a word-sized result in
// the next one: growing past it costs every spawn 32 more bytes and the
// collector the scan of them (BenchmarkSpawnJoin, BenchmarkPoolMap).
func TestGreenletSize(t *testing.T) {
	if s := unsafe.Sizeof(Greenlet{}); s > 256 {
		t.Errorf("Greenlet is %d bytes, over the 256-byte size class", s)
	}
	// A link (Link, RawLink: a pool's member follows its greenlet with one)
	// is its own callback node: one 128-byte allocation, no closure.
	if s := unsafe.Sizeof(link{}); s > 128 {
		t.Errorf("link is %d bytes, over the 128-byte size class", s)
	}
	// A Task keeps its function in the Greenlet's body field: a Task of a
	// value of up to two words fits the next class.
	if s := unsafe.Sizeof(Task[int]{}); s > 288 {
		t.Errorf("Task[int] is %d bytes, over the 288-byte size class", s)
	}
	if s := unsafe.Sizeof(Task[string]{}); s > 288 {
		t.Errorf("Task[string] is %d bytes, over the 288-byte size class", s)
	}
}
