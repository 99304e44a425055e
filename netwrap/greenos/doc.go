//go:build unix

// Package greenos is gevent.fileobject and gevent.os for this project:
// files whose reads and writes park the calling greenlet instead of
// blocking its hub.
//
//	r, w, _ := greenos.Pipe()        // pipes, FIFOs, ttys, eventfds: parked on the hub
//	f, _ := greenos.Open("big.log")  // regular files: on the thread pool
//	n, err := f.Read(buf)            // the greenlet parks; the hub runs the others
//
// One type, File, mirrors *os.File (Read, Write, ReadAt, WriteAt, Seek,
// Stat, Sync, Truncate, ReadDir, Close, deadlines) and picks how to wait
// from the descriptor:
//
//   - Pollable descriptors (pipes, FIFOs, ttys and ptys, sockets,
//     eventfds, signalfds, timerfds): non-blocking system calls, and the
//     greenlet parks on the hub's epoll when a call would block, like
//     gevent's FileObjectPosix. Deadlines work, as hub timers.
//   - Everything else (regular files, directories, block devices): epoll
//     cannot wait on them (a disk read "would block" in the kernel, not in
//     a queue), so each call runs on the thread pool while the greenlet
//     parks, like gevent's FileObjectThread. Such a call runs to
//     completion even if the greenlet is killed meanwhile: the kill takes
//     effect when the call returns, so no byte is lost and the caller's
//     buffer is never used after the call.
//
// Open, OpenFile and Create run the open(2) on the thread pool too (it can
// block: a FIFO waits for its other end). ReadFile and WriteFile do a whole
// regular file in one thread-pool round trip.
//
// # Who may call what
//
// Every function and method is safe from any goroutine. From a plain
// goroutine each one is its package os counterpart. In a hub callback,
// which must never block, calls that may wait fail with
// hub.ErrNotCoroutine (inside an *fs.PathError); calls that cannot block
// (Stat of a pipe, Name, deadlines) work.
//
// A pollable File binds to the hub of the first greenlet that waits on
// it. Greenlets of another hub can still use it, but in blocking style
// (their whole hub waits): keep a File on one hub. Do not read (or write)
// one File from a greenlet and a plain goroutine at the same time either:
// each works, but they compete for the same bytes.
//
// # Errors
//
// Errors are those of package os: an *fs.PathError with the operation and
// file name, wrapping os.ErrClosed after Close (Close wakes greenlets
// parked on the File), os.ErrDeadlineExceeded after a deadline, or the
// syscall.Errno of the failed call; io.EOF is returned unwrapped. Two
// greenlets of one hub waiting to read (or write) the same pollable File:
// the second fails at once with ErrConcurrentUse. Kills and green.Timeout
// interrupts are raised inside the wait, as panics that unwind the
// greenlet.
//
// # Cost
//
// Pollable: a read or write that does not block is one system call, no
// allocation; the first wait registers the descriptor with the hub (one
// epoll_ctl). Two greenlets bouncing 64 bytes over two pipes, every read
// parking: 7-11 µs per round trip, 0 allocations (BenchmarkPipePingPong).
// Thread pool: each call adds a round trip to a pool goroutine, about 2 µs
// and 14 allocations (560 B) over the system call itself: a 32 KiB read
// of a cached file takes 3.8-4.7 µs against 1.8-2.0 µs with *os.File, which
// blocks the hub meanwhile (BenchmarkRegularRead). Read and write regular
// files in large chunks (bufio with a big buffer, ReadFile).
package greenos
