//go:build linux && !race

package netwrap

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// sysRead and sysWrite are read(2) and write(2) on a non-blocking
// descriptor for a greenlet of the bound hub, without the runtime's
// system-call bookkeeping (entersyscall/exitsyscall, which exists so that
// a blocking call can hand its P to another thread): these calls never
// block, and the hub's goroutine keeps its P anyway. The errno comes back
// as a number, not an interface. Race builds use unix.Read and unix.Write
// (sysrw_std.go), whose race annotations order a write to a socket before
// the read that returns its bytes.
func sysRead(fd int, p []byte) (int, unix.Errno) {
	var ptr unsafe.Pointer
	if len(p) > 0 {
		ptr = unsafe.Pointer(&p[0])
	}
	r, _, e := unix.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(ptr), uintptr(len(p)))
	return int(r), e
}

func sysWrite(fd int, p []byte) (int, unix.Errno) {
	var ptr unsafe.Pointer
	if len(p) > 0 {
		ptr = unsafe.Pointer(&p[0])
	}
	r, _, e := unix.RawSyscall(unix.SYS_WRITE, uintptr(fd), uintptr(ptr), uintptr(len(p)))
	return int(r), e
}
