//go:build unix

package netwrap

import (
	"context"
	"crypto/tls"
	"net"
	"sync/atomic"
	"syscall"
	"time"
)

// TLSConn is a TLS connection that greenlets can share: one may read while
// another writes, several may write (each Write whole, as on a Conn), and
// none of them ever blocks its hub. Create one with TLSServer or
// TLSClient over a Conn (or any net.Conn); StreamServer hands one to its
// handlers when TLSConfig is set.
//
// Why not a plain *tls.Conn: crypto/tls holds a sync.Mutex across the
// underlying Write (and another across the underlying Read and the
// handshake). Over a netwrap conn, a greenlet parked in such a Write keeps
// the mutex while a second greenlet of its hub that wants it blocks the
// hub's thread, so the first is never resumed: the hub is wedged for good.
// That happens with two writers, with a reader that must answer the peer
// (an alert, a TLS 1.3 key update) while a writer is parked, and with any
// call during a handshake.
//
// TLSConn keeps every park out of crypto/tls's mutexes. Its callers queue
// on locks of their own, which park greenlets (plain goroutines block):
// a read lock for Read, a write lock for Write, both for the handshake.
// crypto/tls writes its records into a buffer instead of the conn, and the
// holder of the write lock sends that buffer once crypto/tls has returned
// (at most 64 KiB at a time, so a large Write costs no more memory); the
// handshake, which must exchange messages while crypto/tls holds its
// locks, runs under both locks and writes straight through.
//
// The methods mirror *tls.Conn's. Deadlines apply as on the conn
// underneath. A write error (a deadline, a reset) is permanent, as with
// crypto/tls. Close sends close_notify (waiting at most 5 s for it to
// leave) unless a Write is in flight, which it breaks instead, as
// crypto/tls does.
//
// Renegotiation (a client whose config enables it, TLS 1.2 only) makes the
// handshake happen inside Read: such a TLSConn runs each Read under both
// locks, so a Read waiting for data holds up Writes. Other configs keep
// full duplex.
//
// Cost: besides TLS itself, one copy of the encrypted bytes into the
// buffer and one write system call per 64 KiB written (crypto/tls alone
// makes one per 16 KiB record).
type TLSConn struct {
	tc   *tls.Conn
	conn net.Conn // the conn TLS runs on (NetConn)
	tr   tlsBuffer
	r, w ioLock
	err  error // construction error: every method returns it

	hsDone atomic.Bool // the handshake succeeded
	serial bool        // renegotiation allowed: Read holds both locks
}

var _ net.Conn = (*TLSConn)(nil)

// closeNotifyWait bounds the sending of close_notify, as crypto/tls does.
const closeNotifyWait = 5 * time.Second

// tlsChunk is how much of a Write goes to crypto/tls between two flushes.
const tlsChunk = 64 << 10

// TLSServer returns the server side of a TLS connection over conn, like
// tls.Server; config must hold a certificate (or GetCertificate). A nil
// conn or config makes every method fail with syscall.EINVAL.
func TLSServer(conn net.Conn, config *tls.Config) *TLSConn {
	c := &TLSConn{conn: conn}
	if conn == nil || config == nil {
		c.err = syscall.EINVAL
		return c
	}
	c.tr.Conn = conn
	c.tc = tls.Server(&c.tr, config)
	return c
}

// TLSClient returns the client side of a TLS connection over conn, like
// tls.Client; config should set ServerName or InsecureSkipVerify (a nil
// config fails at the handshake, as with tls.Client). A nil conn makes
// every method fail with syscall.EINVAL.
func TLSClient(conn net.Conn, config *tls.Config) *TLSConn {
	c := &TLSConn{conn: conn}
	if conn == nil {
		c.err = syscall.EINVAL
		return c
	}
	c.tr.Conn = conn
	c.tc = tls.Client(&c.tr, config)
	c.serial = config != nil && config.Renegotiation != tls.RenegotiateNever
	return c
}

// check returns the error of an unusable TLSConn (nil, or made from bad
// arguments).
func (c *TLSConn) check() error {
	if c == nil {
		return syscall.EINVAL
	}
	return c.err
}

// opErr is the error of a call that found the TLSConn closed.
func (c *TLSConn) opErr(op string, err error) error {
	e := &net.OpError{Op: op, Net: "tcp", Err: err}
	if a := c.conn.LocalAddr(); a != nil {
		e.Net, e.Source = a.Network(), a
	}
	e.Addr = c.conn.RemoteAddr()
	return e
}

// lockBoth takes the read lock, then the write lock (always in that order).
func (c *TLSConn) lockBoth() error {
	if err := c.r.lock(); err != nil {
		return err
	}
	if err := c.w.lock(); err != nil {
		c.r.unlock()
		return err
	}
	return nil
}

func (c *TLSConn) unlockBoth() {
	c.unlockW()
	c.r.unlock()
}

// Handshake runs the TLS handshake if it has not run yet; Read and Write
// call it first. Other callers wait for a handshake in progress.
func (c *TLSConn) Handshake() error { return c.HandshakeContext(context.Background()) }

// HandshakeContext is Handshake bounded by ctx (a nil ctx is the
// background context), as (*tls.Conn).HandshakeContext. A ctx that can be
// cancelled is watched by a goroutine of crypto/tls's, which the handshake
// waits for (briefly, on a Go channel) as it ends.
func (c *TLSConn) HandshakeContext(ctx context.Context) error {
	if err := c.check(); err != nil {
		return err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	return c.handshake(ctx)
}

func (c *TLSConn) handshake(ctx context.Context) error {
	if c.hsDone.Load() {
		return nil
	}
	if err := c.lockBoth(); err != nil {
		return c.opErr("handshake", err)
	}
	defer c.unlockBoth()
	if c.hsDone.Load() {
		return nil
	}
	// The handshake exchanges messages while crypto/tls holds its locks:
	// its writes must leave at once. Both locks keep everybody else out
	// of crypto/tls meanwhile.
	c.tr.setDirect(true)
	defer c.tr.setDirect(false) // also when a kill unwinds the handshake
	err := c.tc.HandshakeContext(ctx)
	if err == nil {
		c.hsDone.Store(true)
	}
	return err
}

// Read reads application data, running the handshake first if needed.
// Readers queue; writers are not held up.
func (c *TLSConn) Read(p []byte) (int, error) {
	if err := c.check(); err != nil {
		return 0, err
	}
	if err := c.handshake(context.Background()); err != nil {
		return 0, err
	}
	if c.serial {
		return c.readSerial(p)
	}
	if err := c.r.lock(); err != nil {
		return 0, c.opErr("read", err)
	}
	defer c.r.unlock()
	n, err := c.tc.Read(p)
	if c.tr.pending() && c.w.tryLock() {
		// crypto/tls answered the peer while reading (an alert, a key
		// update): send it. If a Write holds the write lock, its
		// holder sends it (see unlockW), after its own bytes.
		c.tr.flush() // a failure is kept for the next Write
		c.unlockW()
	}
	return n, err
}

// unlockW releases the write lock. Bytes that a reader queued meanwhile
// (see Read) are sent by whoever takes the lock next; if nobody has, this
// caller takes it back and sends them, so that none are left behind.
func (c *TLSConn) unlockW() {
	for {
		c.w.unlock()
		if !c.tr.pending() || !c.w.tryLock() {
			return
		}
		c.tr.flush()
	}
}

// readSerial is Read for a conn that may renegotiate: under both locks,
// writing straight through.
func (c *TLSConn) readSerial(p []byte) (int, error) {
	if err := c.lockBoth(); err != nil {
		return 0, c.opErr("read", err)
	}
	defer c.unlockBoth()
	c.tr.setDirect(true)
	defer c.tr.setDirect(false)
	return c.tc.Read(p)
}

// Write writes p as application data, running the handshake first if
// needed. Writers queue: another Write's data never lands inside p's.
func (c *TLSConn) Write(p []byte) (int, error) {
	if err := c.check(); err != nil {
		return 0, err
	}
	if err := c.handshake(context.Background()); err != nil {
		return 0, err
	}
	if err := c.w.lock(); err != nil {
		return 0, c.opErr("write", err)
	}
	defer c.unlockW()
	nn := 0
	for {
		chunk := p[nn:min(len(p), nn+tlsChunk)]
		n, err := c.tc.Write(chunk) // into the buffer: never parks
		if err == nil {
			err = c.tr.flush()
		}
		if err != nil {
			return nn, err
		}
		nn += n
		if nn >= len(p) {
			return nn, nil
		}
	}
}

// CloseWrite sends close_notify (the peer reads io.EOF) after the Writes
// before it; later Writes fail, as with (*tls.Conn).CloseWrite. The
// handshake must be complete.
func (c *TLSConn) CloseWrite() error {
	if err := c.check(); err != nil {
		return err
	}
	if err := c.w.lock(); err != nil {
		return c.opErr("close", err)
	}
	defer c.unlockW()
	if err := c.tc.CloseWrite(); err != nil {
		return err
	}
	// crypto/tls has set a write deadline of now, for later writes:
	// give close_notify its own bounded wait, then restore that.
	c.conn.SetWriteDeadline(time.Now().Add(closeNotifyWait))
	err := c.tr.flush()
	c.conn.SetWriteDeadline(time.Now())
	return err
}

// Close closes the connection: it sends close_notify if the handshake is
// done and no Write is in flight (a Write in flight is broken instead, as
// crypto/tls does), then closes the conn underneath. Queued callers fail
// with net.ErrClosed.
func (c *TLSConn) Close() error {
	if err := c.check(); err != nil {
		return err
	}
	c.r.close()
	if !c.w.tryLock() {
		// A Write, a handshake or a close is in flight: break it.
		c.w.close()
		return c.conn.Close()
	}
	c.tr.setClosing()
	err := c.tc.Close() // close_notify into the buffer; the buffer's Close sends it
	c.w.close()
	c.w.unlock()
	return err
}

// ConnectionState returns the state of the connection, as
// (*tls.Conn).ConnectionState; during a handshake it waits for its end.
func (c *TLSConn) ConnectionState() tls.ConnectionState {
	if c.check() != nil {
		return tls.ConnectionState{}
	}
	if c.hsDone.Load() && !c.serial {
		// Nobody holds crypto/tls's handshake mutex across a park now.
		return c.tc.ConnectionState()
	}
	if c.lockBoth() != nil {
		return tls.ConnectionState{} // closed before any handshake
	}
	defer c.unlockBoth()
	return c.tc.ConnectionState()
}

// NetConn returns the conn TLS runs on (nil for a nil TLSConn). Reading or
// writing it directly corrupts the TLS stream.
func (c *TLSConn) NetConn() net.Conn {
	if c == nil {
		return nil
	}
	return c.conn
}

// LocalAddr returns the local address of the conn underneath.
func (c *TLSConn) LocalAddr() net.Addr {
	if c.check() != nil {
		return nil
	}
	return c.conn.LocalAddr()
}

// RemoteAddr returns the peer's address.
func (c *TLSConn) RemoteAddr() net.Addr {
	if c.check() != nil {
		return nil
	}
	return c.conn.RemoteAddr()
}

// SetDeadline sets the read and write deadlines of the conn underneath.
func (c *TLSConn) SetDeadline(t time.Time) error {
	if err := c.check(); err != nil {
		return err
	}
	return c.conn.SetDeadline(t)
}

// SetReadDeadline sets the read deadline.
func (c *TLSConn) SetReadDeadline(t time.Time) error {
	if err := c.check(); err != nil {
		return err
	}
	return c.conn.SetReadDeadline(t)
}

// SetWriteDeadline sets the write deadline; a Write that passes it breaks
// the connection for good, as with crypto/tls.
func (c *TLSConn) SetWriteDeadline(t time.Time) error {
	if err := c.check(); err != nil {
		return err
	}
	return c.conn.SetWriteDeadline(t)
}
