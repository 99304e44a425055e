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
// Every type is usable from any goroutine. In a greenlet, I/O tries the
// system call first and parks the greenlet on its hub only when the call
// would block (the read loop is "read; on EAGAIN wait for readiness;
// retry"), so other greenlets run meanwhile. In a plain goroutine, I/O
// blocks like package net, whose conn, listener and packet conn are
// underneath (they are what plain goroutines use). In a hub loop callback,
// which must never block, I/O panics with hub.ErrNotCoroutine.
//
// A socket binds to the hub of the first greenlet that does I/O on it.
// Greenlets of another hub may still use it, but in blocking style (their
// hub waits with them); keep each socket on one hub.
//
// # Errors
//
// Errors are those of package net: a *net.OpError wrapping net.ErrClosed
// after Close (Close wakes parked greenlets), os.ErrDeadlineExceeded with
// Timeout() true after a deadline (deadlines are hub timers in greenlets),
// io.EOF at end of stream. Two greenlets waiting to read (or to write) the
// same socket at once: the second fails at once with ErrConcurrentUse,
// gevent's ConcurrentObjectUseError. The package's sentinel errors are in
// errors.go. Kills and green.Timeout interrupts are raised inside the wait,
// as panics that unwind the greenlet, like everywhere in package green.
//
// # Libraries that lock
//
// Code that holds a sync.Mutex while doing I/O stalls the whole hub if a
// second greenlet of the hub then waits for that mutex: a Go mutex blocks
// the thread, it does not park the greenlet. crypto/tls does this during
// its handshake: over a netwrap conn, call (*tls.Conn).Handshake before
// letting one greenlet read while another writes. Single-greenlet use of a
// *tls.Conn (a handler that reads then writes) needs no care.
//
// # Servers
//
// StreamServer runs a handler greenlet per accepted connection and
// DatagramServer one per received packet, like gevent's servers.
//
// # Name resolution
//
// Dial, Listen and ListenPacket resolve host names on a plain goroutine
// while the calling greenlet parks, so the hub keeps running.
package netwrap
