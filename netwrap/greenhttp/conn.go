//go:build unix

package greenhttp

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/netwrap"
	"github.com/sourcegraph/conc/panics"
)

// conn is one server connection, served by one greenlet of the server's
// hub. Everything in it is touched only by greenlets of that hub (one at
// a time), except where noted.
type conn struct {
	s       *Server
	h       *hub.Hub
	gl      *green.Greenlet
	rwc     net.Conn      // what HTTP is spoken over: raw, TLS over raw, or an adapter
	orig    net.Conn      // as accepted
	raw     *netwrap.Conn // the socket; nil for connections that are not sockets
	tc      *tls.Conn
	created time.Time

	remoteAddr string
	tlsState   *tls.ConnectionState

	cr         connReader
	pre        []byte // bytes read while idle, before the reader was taken
	preBuf     *[preSize]byte
	bufs       *bufSet       // nil while idle (plain sockets)
	br         *bufio.Reader // bufs's, for short
	bw         *bufio.Writer // nil while idle
	ww         *bufio.Writer // the responses' pre-chunking buffer
	werr       error         // first write error
	lastMethod string
	cur        *response // the request being served
	state      http.ConnState
	hijackedv  bool
	rdl, wdl   time.Time // deadlines last set on rwc
	watcher    *green.Greenlet
}

func newConn(s *Server, rw net.Conn, tlsCfg *tls.Config) *conn {
	c := &conn{s: s, h: s.h, orig: rw, created: time.Now()}
	c.cr.c = c
	var base net.Conn
	if w, ok := rw.(*netwrap.Conn); ok {
		c.raw, base = w, w
	} else if w, err := netwrap.Wrap(rw); err == nil {
		c.raw, base = w, w
	} else {
		base = &blockingConn{Conn: rw}
	}
	c.rwc = base
	if tlsCfg != nil {
		c.tc = tls.Server(base, tlsCfg)
		c.rwc = c.tc
	}
	return c
}

// bufSet is the buffers a connection holds while it serves a request:
// the reader, the writer, and the responses' pre-chunking buffer. An
// idle plain connection holds none (it waits in a small read, see
// preSize). Sets are recycled through a short free list owned by the
// server's hub (no lock, no sync.Pool round trip per request), overflow
// going to a sync.Pool so that a burst of connections leaves nothing
// behind once the garbage collector has run.
type bufSet struct {
	br *bufio.Reader
	bw *bufio.Writer
	ww *bufio.Writer
}

// maxFreeBufs bounds a server's free list (about 22 KiB a set).
const maxFreeBufs = 64

// writeBufferSize is the connection's output buffer: a response header
// with a body of up to about 15 KiB leaves in one write. (net/http's 4
// KiB makes a 10 KiB answer three writes; each write on a loopback
// socket costs as much as the rest of a small request's work.)
const writeBufferSize = 16 << 10

var bufSetPool sync.Pool

// bufferBeforeChunkingSize is how much of a response body is held back
// to compute a Content-Length and sniff a Content-Type (net/http's).
const bufferBeforeChunkingSize = 2048

// preSize is the buffer an idle plain connection waits with: the next
// request's first bytes (a whole small request) land there, and the
// buffers are taken only then. Reading into it is the wait itself (a
// read, then a park on EAGAIN), which costs no more system calls than
// net/http's idle read.
const preSize = 512

func (c *conn) getBuffers() {
	if c.bufs != nil {
		return
	}
	s := c.s
	var b *bufSet
	if n := len(s.freeBufs); n > 0 {
		b = s.freeBufs[n-1]
		s.freeBufs[n-1] = nil
		s.freeBufs = s.freeBufs[:n-1]
	} else if v := bufSetPool.Get(); v != nil {
		b = v.(*bufSet)
	} else {
		b = &bufSet{
			br: bufio.NewReaderSize(nil, 4<<10),
			bw: bufio.NewWriterSize(nil, writeBufferSize),
			ww: bufio.NewWriterSize(nil, bufferBeforeChunkingSize),
		}
	}
	b.br.Reset(&c.cr)
	b.bw.Reset(connWriter{c})
	c.bufs, c.br, c.bw, c.ww = b, b.br, b.bw, b.ww
}

// putBuffers gives the buffers back, unless they hold data.
func (c *conn) putBuffers() {
	b := c.bufs
	if b == nil || c.br.Buffered() > 0 || c.bw.Buffered() > 0 {
		return
	}
	c.bufs, c.br, c.bw, c.ww = nil, nil, nil, nil
	b.br.Reset(nil)
	b.bw.Reset(nil)
	b.ww.Reset(nil)
	if s := c.s; len(s.freeBufs) < maxFreeBufs {
		s.freeBufs = append(s.freeBufs, b)
	} else {
		bufSetPool.Put(b)
	}
}

func (c *conn) chunker(cw *chunkWriter) *bufio.Writer {
	c.ww.Reset(cw)
	return c.ww
}

// connReader is what the connection's bufio.Reader reads from: the
// connection, with a byte limit while a request header is read.
type connReader struct {
	c      *conn
	remain int64
}

const maxInt64 = 1<<63 - 1

func (cr *connReader) Read(p []byte) (int, error) {
	if cr.remain <= 0 {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	if int64(len(p)) > cr.remain {
		p = p[:cr.remain]
	}
	if c := cr.c; len(c.pre) > 0 {
		n := copy(p, c.pre)
		c.pre = c.pre[n:]
		cr.remain -= int64(n)
		return n, nil
	}
	n, err := cr.c.rwc.Read(p)
	cr.remain -= int64(n)
	if err != nil {
		// The connection is dead: so is the request.
		if w := cr.c.cur; w != nil {
			w.ctx.cancel(err)
		}
	}
	return n, err
}

func (cr *connReader) hitReadLimit() bool { return cr.remain <= 0 }

// connWriter is what the connection's bufio.Writer writes to; it records
// the first write error and cancels the request it was for.
type connWriter struct{ c *conn }

func (w connWriter) Write(p []byte) (int, error) {
	n, err := w.c.rwc.Write(p)
	if err != nil && w.c.werr == nil {
		w.c.werr = err
		if r := w.c.cur; r != nil {
			r.ctx.cancel(err)
		}
	}
	return n, err
}

func (c *conn) setReadDeadline(t time.Time) {
	if !t.Equal(c.rdl) {
		c.rdl = t
		c.rwc.SetReadDeadline(t)
	}
}

func (c *conn) setWriteDeadline(t time.Time) {
	if !t.Equal(c.wdl) {
		c.wdl = t
		c.rwc.SetWriteDeadline(t)
	}
}

func (c *conn) setState(state http.ConnState) {
	c.state = state
	if hook := c.s.ConnState; hook != nil {
		hook(c.rwc, state)
	}
}

// serve is the connection's greenlet.
func (c *conn) serve(ctx context.Context) {
	defer c.finish()
	ctx, ok := c.start(ctx)
	if !ok {
		return
	}
	// The loop's own frame stays small: an idle connection parks with
	// only this, waitRequest and netwrap's frames on its stack, so that
	// the garbage collector can shrink the stack that serving a request
	// grew (it shrinks a stack less than a quarter used).
	for first := true; ; first = false {
		if c.waitRequest(first) != nil || !c.serveRequest(ctx) {
			return
		}
	}
}

// start prepares the connection (TLS handshake, deadlines) and returns
// the connection's context.
//
//go:noinline
func (c *conn) start(ctx context.Context) (context.Context, bool) {
	if ra := c.rwc.RemoteAddr(); ra != nil {
		c.remoteAddr = ra.String()
	}
	ctx = context.WithValue(ctx, http.LocalAddrContextKey, c.rwc.LocalAddr())
	if c.tc != nil && !c.handshake(ctx) {
		return ctx, false
	}
	if c.tlsState == nil {
		if tc, ok := c.orig.(interface{ ConnectionState() tls.ConnectionState }); ok {
			st := tc.ConnectionState()
			c.tlsState = &st
		}
	}
	if d := c.s.readHeaderTimeout(); d > 0 {
		c.setReadDeadline(time.Now().Add(d))
	}
	return ctx, true
}

// serveRequest reads one request, runs the handler and finishes the
// response; it reports whether the connection may serve another.
//
//go:noinline
func (c *conn) serveRequest(ctx context.Context) bool {
	w, err := c.readRequest(ctx)
	if c.cr.remain != c.s.initialReadLimitSize() {
		c.setState(http.StateActive) // bytes of a request were read
	}
	if c.s.shuttingDown() {
		return false
	}
	if err != nil {
		c.replyError(err)
		return false
	}
	req := w.req
	if expectsContinue(req) {
		if req.ProtoAtLeast(1, 1) && req.ContentLength != 0 {
			w.body.ecr = true
			w.canWriteContinue.Store(continueAllowed)
		}
	} else if req.Header.Get("Expect") != "" {
		w.sendExpectationFailed()
		return false
	}
	c.cur = w
	c.s.serveHTTP(w, req)
	w.ctx.cancel(context.Canceled)
	if c.hijackedv {
		c.cur = nil
		return false
	}
	w.finishRequest()
	c.cur = nil
	c.setWriteDeadline(time.Time{})
	if !w.shouldReuseConnection() {
		if w.requestBodyLimitHit || w.body.earlyClose {
			c.closeWriteAndWait()
		}
		return false
	}
	c.setState(http.StateIdle)
	if !c.s.doKeepAlives() {
		return false
	}
	if d := c.s.idleTimeout(); d > 0 {
		c.setReadDeadline(time.Now().Add(d))
	} else {
		c.setReadDeadline(time.Time{})
	}
	return true
}

// waitRequest waits until the next request starts arriving (at least a
// byte is there), under the deadline already set (ReadHeaderTimeout for
// the first request, IdleTimeout afterwards), and then sets the header
// deadline. A plain connection gives its buffers back while it waits.
func (c *conn) waitRequest(first bool) error {
	if c.br == nil || c.br.Buffered() == 0 {
		if c.raw != nil && c.tc == nil {
			c.putBuffers()
			if c.preBuf == nil {
				c.preBuf = new([preSize]byte)
			}
			n, err := c.raw.Read(c.preBuf[:])
			if err != nil {
				return err
			}
			c.pre = c.preBuf[:n]
		} else if !first {
			// TLS may hold decrypted bytes the socket no longer shows:
			// wait by reading, as net/http does.
			c.getBuffers()
			if _, err := c.br.Peek(4); err != nil {
				return err
			}
		}
	}
	c.getBuffers()
	if !first {
		if d := c.s.readHeaderTimeout(); d > 0 {
			c.setReadDeadline(time.Now().Add(d))
		} else {
			c.setReadDeadline(time.Time{})
		}
	}
	return nil
}

// handshake runs the TLS handshake under the handshake timeout and
// reports whether HTTP can follow.
func (c *conn) handshake(ctx context.Context) bool {
	if d := c.s.tlsHandshakeTimeout(); d > 0 {
		dl := time.Now().Add(d)
		c.setReadDeadline(dl)
		c.setWriteDeadline(dl)
	}
	if err := c.tc.HandshakeContext(ctx); err != nil {
		// A client speaking plain HTTP to a TLS port gets a plain
		// answer (net/http's).
		var re tls.RecordHeaderError
		reason := err.Error()
		if errors.As(err, &re) && re.Conn != nil && tlsRecordHeaderLooksLikeHTTP(re.RecordHeader) {
			io.WriteString(re.Conn, "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n")
			reason = "client sent an HTTP request to an HTTPS server"
		}
		c.s.logf("http: TLS handshake error from %s: %v", c.remoteAddr, reason)
		return false
	}
	c.setReadDeadline(time.Time{})
	c.setWriteDeadline(time.Time{})
	st := c.tc.ConnectionState()
	c.tlsState = &st
	return true
}

func tlsRecordHeaderLooksLikeHTTP(hdr [5]byte) bool {
	switch string(hdr[:]) {
	case "GET /", "HEAD ", "POST ", "PUT /", "OPTIO":
		return true
	}
	return false
}

// rstAvoidanceDelay is how long a connection lingers after a half-close
// before it is closed with unread input, so that the client reads the
// answer before a reset (net/http's 500 ms).
const rstAvoidanceDelay = 500 * time.Millisecond

// closeWriteAndWait flushes, half-closes and lingers (parking the
// greenlet) before the connection is closed.
func (c *conn) closeWriteAndWait() {
	if c.bw != nil {
		c.bw.Flush()
	}
	if cw, ok := c.rwc.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
	green.Sleep(rstAvoidanceDelay)
}

// serveHTTP runs the handler (net/http's serverHandler).
func (s *Server) serveHTTP(w *response, req *http.Request) {
	if !s.DisableGeneralOptionsHandler && req.RequestURI == "*" && req.Method == "OPTIONS" {
		globalOptions(w, req)
		return
	}
	s.handler().ServeHTTP(w, req)
}

// globalOptions answers "OPTIONS *" (net/http's globalOptionsHandler).
func globalOptions(w *response, r *http.Request) {
	w.Header().Set("Content-Length", "0")
	if r.ContentLength != 0 {
		// Up to 4 KiB of body is read; more closes the connection.
		n, _ := io.CopyN(io.Discard, r.Body, 4<<10+1)
		if n > 4<<10 {
			w.requestTooLarge()
		}
	}
}

// finish ends the connection's greenlet: it reports a handler panic,
// closes the connection (unless hijacked) and lets the server forget it.
// A kill or timeout of the greenlet goes on unwinding afterwards.
func (c *conn) finish() {
	r := recover()
	g, _ := hub.Current()
	interrupted := r != nil && g != nil && r == g.Raised()
	if r != nil && !interrupted && r != http.ErrAbortHandler {
		rec := panics.NewRecovered(1, r)
		c.h.ReportError(fmt.Errorf("greenhttp: panic serving %s: %w", c.remoteAddr, rec.AsError()))
	}
	w := c.cur
	c.cur = nil
	if w != nil {
		w.ctx.cancel(context.Canceled)
		w.disableWriteContinue()
	}
	c.stopWatcher()
	if !c.hijackedv {
		if r != nil && c.raw != nil {
			c.raw.Close() // no lingering close_notify after a panic or a kill
		}
		c.close()
		c.setState(http.StateClosed)
	}
	c.s.connDone(c)
	if interrupted {
		panic(r)
	}
}

// close flushes what can be flushed and closes the connection.
func (c *conn) close() {
	if c.bw != nil && c.werr == nil {
		c.bw.Flush()
	}
	c.putBuffers()
	c.rwc.Close()
}

// closeSocket closes the connection's socket (never the TLS layer, whose
// close could wait on a lock held by the connection's own parked
// greenlet), which wakes the greenlet with net.ErrClosed. Called on the
// hub by another greenlet.
func (c *conn) closeSocket() {
	if c.raw != nil {
		c.raw.Close()
		return
	}
	c.orig.Close()
}

// abort cancels the request in flight with cause and closes the socket.
// Called on the hub by another greenlet (Close, Shutdown).
func (c *conn) abort(cause error) {
	if w := c.cur; w != nil {
		w.ctx.cancel(cause)
	}
	if !c.hijackedv {
		c.closeSocket()
	}
}
