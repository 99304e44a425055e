//go:build unix

// Package netwrap provides cooperative sockets: drop-in net.Conn,
// net.Listener and net.PacketConn implementations that, inside a greenlet,
// park on the hub instead of blocking a thread. It is this project's
// answer to gevent's monkey-patching of the socket module: Go cannot patch
// package net, so code written against the standard interfaces (bufio,
// io.Copy, crypto/tls, encoding/json, net/http's ReadRequest, textproto)
// works unchanged on top of these types.
//
//	ln, _ := netwrap.Listen("tcp", "127.0.0.1:0")
//	srv := &netwrap.StreamServer{Handler: func(c net.Conn) { io.Copy(c, c) }}
//	srv.Start(ln)
//	c, _ := netwrap.Dial("tcp", ln.Addr().String()) // in a greenlet: parks
//
// # Who may call what
//
// Every type is usable from any goroutine. In a greenlet, I/O makes raw
// non-blocking system calls and parks the greenlet on its hub when the
// call would block, so other greenlets run meanwhile. In a plain
// goroutine, I/O blocks like package net, whose conn, listener and packet
// conn are underneath (they are what plain goroutines use). In a hub loop
// callback, which must never block, I/O panics with hub.ErrNotCoroutine.
//
// # The read path
//
// The hub's epoll registrations are edge-triggered, and a Conn trusts the
// readiness state the hub keeps per descriptor (hub.FD.ReadReady): on a
// stream socket, a read that returns less than asked proves the socket
// drained (epoll(7)), so the next Read parks until the next edge at once,
// without a read that would only return EAGAIN (libuv and tokio do the
// same); a read that fills its buffer leaves the state "maybe", and a
// hang-up is sticky, so the end of stream after a short read is never
// missed. WaitRead parks on the same state, with no poll(2) before or
// after the wait unless the state cannot tell. On the lockstep echo this
// takes one read system call per request away (1.21 to 1.00 reads per
// request under strace). Outside race builds the non-blocking read and
// write skip the runtime's system-call bookkeeping (they never block).
//
// # Lazy adoption
//
// A TCP conn that netwrap accepts or dials in a greenlet starts as a bare
// descriptor: accept4 (non-blocking, close-on-exec, the peer's address
// from the call) and one setsockopt (TCP_NODELAY, as package net), four
// heap objects. Package net adopts the socket (net.FileConn on a
// duplicate, and a registration with Go's netpoller) only when something
// needs it: a plain goroutine's Read, Write or WaitRead, a greenlet of
// another hub, NetConn, or a SyscallConn used outside the conn's hub. The
// usual server connection, served by greenlets of one hub only, never
// pays for it. Plain goroutines can use every conn all the same: their
// first call adopts it. Unlike package net's Accept, an accepted conn has
// no TCP keep-alive probes unless SetKeepAlive turns them on.
//
// A socket binds to the hub of the first greenlet that does I/O on it.
// Greenlets of another hub may still use it, but in blocking style (their
// hub waits with them during the system call); keep each socket on one hub.
//
// # Concurrent callers queue
//
// As on a package net socket, callers of one direction of a socket are
// served one at a time, in arrival order, whoever they are: a Write holds
// the socket's write side for its whole length (two writers never
// interleave their bytes), a Read (or Accept, ReadFrom, Conn.WaitRead) the
// read side for one call. A caller that finds the side busy waits: a
// greenlet parks (its hub runs on; a kill or a green.Timeout ends the wait
// and the greenlet leaves the queue), a plain goroutine blocks. Greenlets,
// which make raw system calls, and plain goroutines, which call package
// net's methods, share one queue, so neither can cut into the other's
// call. Reads and writes do not wait for each other. Close fails every
// queued caller with net.ErrClosed. The uncontended case costs two
// compare-and-swaps and no hub round trip.
//
// (Earlier versions failed a second greenlet at once with
// ErrConcurrentUse, gevent's ConcurrentObjectUseError, and let a plain
// goroutine's bytes land inside a parked greenlet's Write. Both are gone:
// package net's semantics are what net.Conn users expect.)
//
// # Errors
//
// Errors are those of package net: a *net.OpError wrapping net.ErrClosed
// after Close (Close wakes parked and queued callers), os.ErrDeadlineExceeded
// with Timeout() true after a deadline (deadlines are hub timers in
// greenlets), io.EOF at end of stream (a zero-length Read returns 0, nil on
// an open conn and net.ErrClosed on a closed one, as package net's). Nil and
// zero-value sockets fail with syscall.EINVAL, as nil package net conns do;
// Wrap of a nil value fails with ErrNotSocket. The package's sentinel
// errors are in errors.go. Kills and green.Timeout interrupts are raised
// inside the wait, as panics that unwind the greenlet, like everywhere in
// package green.
//
// # Libraries that lock, and TLS
//
// Code that holds a sync.Mutex while doing I/O stalls the whole hub if a
// second greenlet of the hub then waits for that mutex: a Go mutex blocks
// the thread, it does not park the greenlet, and the greenlet holding it
// can then never be resumed. crypto/tls does this: over a netwrap conn, a
// *tls.Conn shared by two greenlets (two writers; a reader that must send
// an alert while a writer is parked; any call during the handshake) wedges
// its hub for good. Use TLSServer and TLSClient instead of tls.Server and
// tls.Client: their TLSConn keeps crypto/tls's mutexes free whenever a
// greenlet parks, and queues its callers like a Conn, so any number of
// greenlets may read and write it (full duplex). StreamServer's TLSConfig
// hands handlers a TLSConn. A *tls.Conn used by a single greenlet (a
// client that writes a request, then reads the answer) needs no care.
//
// # Servers
//
// StreamServer runs a handler greenlet per accepted connection and
// DatagramServer one per received packet, like gevent's servers. A server
// starts once (Start or Serve; a second one fails with ErrServerStarted
// and leaves it alone) on a running or not yet started hub (a stopped one
// fails with hub.ErrStopped). Stop closes the socket, waits for the
// handlers up to its timeout, kills the rest and gives them a second to
// die (ErrStopTimeout names those that survived their kill). Serve returns
// ErrServerClosed once Stop has finished, or the error that ended the
// serving loop (a listener closed by its owner gives net.ErrClosed).
//
// # One hub per core
//
// ParallelServer (and greenhttp.ParallelServer) serve one address from N
// hubs, GOMAXPROCS by default, each with its own SO_REUSEPORT listener
// (ListenReusePort): the kernel spreads the connections, every core runs
// an event loop of its own and the hubs share nothing. Handlers of one hub
// still never run at once, so what only they share needs no lock; handlers
// of different hubs run in parallel, and what they all share needs a lock
// or atomics as between goroutines (held briefly, never across a park), or
// one copy per hub. See ParallelServer for why not one acceptor.
//
// # Name resolution and datagrams
//
// Dial, Listen and ListenPacket resolve host names on a plain goroutine
// while the calling greenlet parks, so the hub keeps running. Dial also
// connects datagram sockets ("udp", "udp4", "udp6", "unixgram"), in a
// greenlet as from a plain goroutine: the Conn's Read and Write carry one
// datagram each.
//
// # Raw descriptors
//
// WaitRead and WaitWrite wait on any descriptor through an epoll set of
// their own, so they never disturb a registration of the hub (a Conn's, a
// greenos File's).
//
// # Systems
//
// Greenlets run on Linux only (hub.New fails with hub.ErrUnsupported
// elsewhere). netwrap and its subpackages also build on the other Unix
// systems, where only plain goroutines use them (greenselect.NewSelector
// fails there with hub.ErrUnsupported); they are excluded from Windows
// builds, having no descriptors to wrap there.
package netwrap
