//go:build unix

package greenhttp

import (
	"bufio"
	"container/list"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/greenrt/green/netwrap"
	"golang.org/x/sys/unix"
)

// persistConn is one client connection. While a request uses it, only
// that request's caller (and whoever reads its body) touches it; in the
// pool, only the pool does, under its lock.
type persistConn struct {
	t        *Transport
	pk       poolKey
	cm       connectMethod
	conn     net.Conn      // what HTTP is spoken over
	raw      *netwrap.Conn // the socket, when known
	tlsState *tls.ConnectionState
	br       *bufio.Reader
	bw       *bufio.Writer
	lr       pcReader
	nwrite   int64
	reused   bool
	sawEOF   bool

	lruElem   *list.Element // in the idle pool (guarded by the pool's lock)
	idleTimer *time.Timer
	idleAt    time.Time

	closed   atomic.Bool
	released atomic.Bool // its slot was given back

	// dlMu orders the cancellation of the request's context against the
	// caller's own deadline changes, so that a cancellation is never
	// undone. Held only around SetDeadline calls.
	dlMu     sync.Mutex
	canceled bool
	rdlSet   bool // a read deadline is set (guarded by dlMu)
}

// aLongTimeAgo is a deadline in the past: it fails pending I/O at once.
var aLongTimeAgo = time.Unix(1, 0)

// pcReader is what the connection's bufio.Reader reads from: the
// connection, limited while a response header is read.
type pcReader struct {
	pc     *persistConn
	remain int64
}

func (r *pcReader) Read(p []byte) (int, error) {
	if r.remain <= 0 {
		return 0, fmt.Errorf("read limit of %d bytes exhausted", r.pc.t.maxHeaderBytes())
	}
	if int64(len(p)) > r.remain {
		p = p[:r.remain]
	}
	n, err := r.pc.conn.Read(p)
	if err == io.EOF {
		r.pc.sawEOF = true
	}
	r.remain -= int64(n)
	return n, err
}

type pcWriter struct{ pc *persistConn }

func (w pcWriter) Write(p []byte) (int, error) {
	n, err := w.pc.conn.Write(p)
	w.pc.nwrite += int64(n)
	return n, err
}

func (t *Transport) maxHeaderBytes() int64 {
	if v := t.MaxResponseHeaderBytes; v > 0 {
		return v
	}
	return 10 << 20
}

// dialConn makes a new connection for cm: TCP (or the proxy), CONNECT,
// TLS, as needed, all in the caller.
func (t *Transport) dialConn(ctx context.Context, cm connectMethod, pk poolKey) (_ *persistConn, err error) {
	pc := &persistConn{t: t, pk: pk, cm: cm}
	pc.lr = pcReader{pc: pc, remain: maxInt64}
	defer func() {
		if err != nil && pc.conn != nil {
			pc.conn.Close()
		}
	}()
	if cm.targetScheme == "https" && t.DialTLSContext != nil && cm.proxyURL == nil {
		err = pc.dialTLS(ctx)
	} else {
		err = pc.dialLayers(ctx)
	}
	if err != nil {
		return nil, err
	}
	pc.br = bufio.NewReaderSize(&pc.lr, positiveOr(t.ReadBufferSize, 4<<10))
	pc.bw = bufio.NewWriterSize(pcWriter{pc}, positiveOr(t.WriteBufferSize, 4<<10))
	return pc, nil
}

// positiveOr returns v, or def where v is not positive.
func positiveOr(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

// dialTLS makes the connection with the Transport's DialTLSContext (an
// HTTPS target without a proxy).
func (pc *persistConn) dialTLS(ctx context.Context) error {
	c, err := pc.t.DialTLSContext(ctx, "tcp", pc.cm.addr())
	if err != nil {
		return err
	}
	pc.setConn(c)
	if tc, ok := c.(*tls.Conn); ok {
		st := tc.ConnectionState()
		pc.tlsState = &st
	}
	return nil
}

// dialLayers dials TCP to the target or the proxy, then adds what cm
// needs over it, in order: TLS to an HTTPS proxy, a CONNECT tunnel
// through the proxy to an HTTPS target, TLS to the target.
func (pc *persistConn) dialLayers(ctx context.Context) error {
	cm := pc.cm
	c, err := pc.t.dialTCP(ctx, cm.addr())
	if err != nil {
		return err
	}
	pc.setConn(c)
	if cm.proxyURL != nil && cm.proxyURL.Scheme == "https" {
		if err := pc.handshake(ctx, cm.proxyURL.Hostname()); err != nil {
			return err
		}
	}
	if cm.proxyURL != nil && cm.targetScheme == "https" {
		if err := pc.connect(ctx); err != nil {
			return err
		}
	}
	if cm.targetScheme == "https" {
		return pc.handshake(ctx, cm.tlsHost())
	}
	return nil
}

// dialTCP dials addr with the Transport's DialContext (netwrap's by
// default), reporting it to the request's trace.
func (t *Transport) dialTCP(ctx context.Context, addr string) (net.Conn, error) {
	dial := t.DialContext
	if dial == nil {
		dial = zeroDial
	}
	trace := httptrace.ContextClientTrace(ctx)
	if trace != nil && trace.ConnectStart != nil {
		trace.ConnectStart("tcp", addr)
	}
	c, err := dial(ctx, "tcp", addr)
	if trace != nil && trace.ConnectDone != nil {
		trace.ConnectDone("tcp", addr, err)
	}
	return c, err
}

// setConn adopts a dialled connection, making it cooperative if it is a
// socket netwrap did not make.
func (pc *persistConn) setConn(c net.Conn) {
	switch x := c.(type) {
	case *netwrap.Conn:
		pc.raw, pc.conn = x, x
	case *tls.Conn:
		pc.conn = x
		if w, ok := x.NetConn().(*netwrap.Conn); ok {
			pc.raw = w
		}
	default:
		if w, err := netwrap.Wrap(c); err == nil {
			pc.raw, pc.conn = w, w
		} else {
			pc.conn = &blockingConn{Conn: c}
		}
	}
}

// handshake runs TLS over the connection, for host's certificate.
func (pc *persistConn) handshake(ctx context.Context, host string) error {
	t := pc.t
	cfg := &tls.Config{}
	if t.TLSClientConfig != nil {
		cfg = t.TLSClientConfig.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = host
	}
	cfg.NextProtos = slices.DeleteFunc(cfg.NextProtos, func(p string) bool { return p == "h2" })
	if len(cfg.NextProtos) == 0 {
		cfg.NextProtos = []string{"http/1.1"}
	}
	trace := httptrace.ContextClientTrace(ctx)
	if trace != nil && trace.TLSHandshakeStart != nil {
		trace.TLSHandshakeStart()
	}
	tc := tls.Client(pc.conn, cfg)
	if d := t.TLSHandshakeTimeout; d > 0 {
		tc.SetDeadline(time.Now().Add(d))
	}
	err := tc.HandshakeContext(ctx)
	if err != nil && t.TLSHandshakeTimeout > 0 && isTimeout(err) && ctx.Err() == nil {
		err = ErrTLSHandshakeTimeout
	}
	if ctx.Err() != nil {
		err = context.Cause(ctx)
	}
	st := tc.ConnectionState()
	if trace != nil && trace.TLSHandshakeDone != nil {
		trace.TLSHandshakeDone(st, err)
	}
	if err != nil {
		return err
	}
	tc.SetDeadline(time.Time{})
	pc.conn = tc
	pc.tlsState = &st
	return nil
}

// proxyAuth returns the Proxy-Authorization value for u's user, or "".
func proxyAuth(u *url.URL) string {
	if u == nil || u.User == nil {
		return ""
	}
	pass, _ := u.User.Password()
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(u.User.Username()+":"+pass))
}

// connect opens a tunnel to the target through the proxy (HTTP CONNECT).
func (pc *persistConn) connect(ctx context.Context) error {
	t, cm := pc.t, pc.cm
	hdr := t.ProxyConnectHeader
	if t.GetProxyConnectHeader != nil {
		var err error
		if hdr, err = t.GetProxyConnectHeader(ctx, cm.proxyURL, cm.targetAddr); err != nil {
			return err
		}
	}
	hdr = hdr.Clone()
	if hdr == nil {
		hdr = make(http.Header)
	}
	if pa := proxyAuth(cm.proxyURL); pa != "" && hdr.Get("Proxy-Authorization") == "" {
		hdr.Set("Proxy-Authorization", pa)
	}
	req := (&http.Request{
		Method: "CONNECT",
		URL:    &url.URL{Opaque: cm.targetAddr},
		Host:   cm.targetAddr,
		Header: hdr,
	}).WithContext(ctx)
	stop := context.AfterFunc(ctx, func() { pc.conn.SetDeadline(aLongTimeAgo) })
	defer stop()
	if _, ok := ctx.Deadline(); !ok {
		pc.conn.SetDeadline(time.Now().Add(time.Minute)) // net/http's bound too
		defer pc.conn.SetDeadline(time.Time{})
	}
	if err := req.Write(pc.conn); err != nil {
		return connectErr(ctx, err)
	}
	// The buffered reader may be dropped: a TLS server does not speak
	// before it is spoken to.
	br := bufio.NewReader(&io.LimitedReader{R: pc.conn, N: t.maxHeaderBytes()})
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		return connectErr(ctx, err)
	}
	if t.OnProxyConnectResponse != nil {
		if err := t.OnProxyConnectResponse(ctx, cm.proxyURL, req, resp); err != nil {
			return err
		}
	}
	if resp.StatusCode != 200 {
		return fmt.Errorf("%w: %s", ErrProxyConnect, resp.Status)
	}
	return nil
}

func connectErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return err
}

// cancelIO fails the connection's pending and future I/O: the request's
// context ended. Runs on the context's goroutine.
func (pc *persistConn) cancelIO() {
	pc.dlMu.Lock()
	pc.canceled, pc.rdlSet = true, true
	pc.conn.SetDeadline(aLongTimeAgo)
	pc.dlMu.Unlock()
}

func (pc *persistConn) setReadDeadline(t time.Time) {
	pc.dlMu.Lock()
	if pc.canceled {
		t = aLongTimeAgo
	}
	if !t.IsZero() || pc.rdlSet {
		pc.conn.SetReadDeadline(t)
		pc.rdlSet = !t.IsZero()
	}
	pc.dlMu.Unlock()
}

// alive reports whether an idle connection can still be used: the
// server has not closed it or sent anything unasked.
func (pc *persistConn) alive() bool {
	if pc.closed.Load() || pc.sawEOF || pc.br.Buffered() > 0 {
		return false
	}
	if pc.raw == nil {
		return true
	}
	rc, err := pc.raw.SyscallConn()
	if err != nil {
		return false
	}
	ok := false
	if err := rc.Control(func(fd uintptr) {
		var b [1]byte
		_, _, err := unix.Recvfrom(int(fd), b[:], unix.MSG_PEEK|unix.MSG_DONTWAIT)
		ok = err == unix.EAGAIN
	}); err != nil {
		return false
	}
	return ok
}

// closeConn closes the connection and gives its slot back, once.
func (pc *persistConn) closeConn() {
	if pc.closed.Swap(true) {
		return
	}
	pc.conn.Close()
	pc.releaseSlot()
}

func (pc *persistConn) releaseSlot() {
	if !pc.released.Swap(true) {
		pc.t.pool.release(pc.pk.key)
	}
}

// Errors of a failed round trip that say whether it may be retried on a
// new connection; RoundTrip returns what they wrap.
type (
	nothingWrittenError struct{ error }
	readFromServerError struct{ error }
)

func (e nothingWrittenError) Unwrap() error { return e.error }
func (e readFromServerError) Unwrap() error { return e.error }

// shouldRetryRequest reports whether req, which failed with err on pc,
// may be sent again on a new connection (net/http's rules: only on a
// reused connection, and only when the server can have seen nothing, or
// the request can be replayed).
func (pc *persistConn) shouldRetryRequest(req *http.Request, err error) bool {
	if !pc.reused {
		return false
	}
	var nw nothingWrittenError
	if errors.As(err, &nw) {
		return outgoingLength(req) == 0 || req.GetBody != nil
	}
	if !isReplayable(req) {
		return false
	}
	var rf readFromServerError
	return errors.As(err, &rf) || errors.Is(err, ErrServerClosedIdle)
}

func isReplayable(r *http.Request) bool {
	if r.Body == nil || r.Body == http.NoBody || r.GetBody != nil {
		switch r.Method {
		case "", "GET", "HEAD", "OPTIONS", "TRACE":
			return true
		}
		if _, ok := r.Header["Idempotency-Key"]; ok {
			return true
		}
		if _, ok := r.Header["X-Idempotency-Key"]; ok {
			return true
		}
	}
	return false
}

func outgoingLength(r *http.Request) int64 {
	if r.Body == nil || r.Body == http.NoBody {
		return 0
	}
	if r.ContentLength != 0 {
		return r.ContentLength
	}
	return -1
}

// unwrapRoundTripErr returns the error a caller sees for a round trip
// that is not retried.
func unwrapRoundTripErr(err error) error {
	switch e := err.(type) {
	case nothingWrittenError:
		return e.error
	case readFromServerError:
		return e.error
	}
	return err
}
