//go:build unix

package greenhttp

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"strings"
	"sync/atomic"
	"time"
)

// roundTrip writes req on pc and reads the response header, in the
// caller. On success the response's body owns pc (it returns it to the
// pool or closes it); on failure pc is closed.
func (pc *persistConn) roundTrip(ctx context.Context, cancel context.CancelCauseFunc, req *http.Request) (resp *http.Response, err error) {
	trace := httptrace.ContextClientTrace(ctx)
	pc.traceGotConn(trace)
	stop := context.AfterFunc(ctx, pc.cancelIO)
	owned := false // the body took over pc and stop
	defer func() {
		if !owned {
			stop()
			pc.closeConn()
			if ctx.Err() != nil {
				err = context.Cause(ctx)
			}
		}
	}()

	// What goes on the wire: a shallow copy of req with the Transport's
	// own headers added to a clone of the caller's.
	r2 := *req
	requestedGzip := pc.addTransportHeaders(&r2)
	if err := probeBody(&r2); err != nil {
		return nil, nothingWrittenError{err}
	}
	cont := pc.expectContinue(ctx, req, &r2)
	if resp, err = pc.exchange(ctx, req, &r2, cont, trace); err != nil {
		return nil, err
	}
	resp.TLS = pc.tlsState
	owned = true
	if isProtocolSwitchResponse(resp.StatusCode, resp.Header) {
		// The caller owns the connection now (websockets and the like).
		stop()
		pc.releaseSlot()
		resp.Body = &switchedBody{br: pc.br, conn: pc.conn}
		cancel(errRequestDone)
		return resp, nil
	}
	b := &bodyReader{pc: pc, body: resp.Body, alive: pc.keepAlive(req, resp), stop: stop, cancel: cancel, ctx: ctx, trace: trace, req: req}
	b.attach(resp, requestedGzip)
	return resp, nil
}

func (pc *persistConn) traceGotConn(trace *httptrace.ClientTrace) {
	if trace != nil && trace.GotConn != nil {
		trace.GotConn(httptrace.GotConnInfo{Conn: pc.conn, Reused: pc.reused, WasIdle: pc.reused, IdleTime: time.Since(pc.idleAt)})
	}
}

// toProxy reports whether requests on pc go to a proxy (plain HTTP
// through a proxy; HTTPS goes through a CONNECT tunnel instead).
func (pc *persistConn) toProxy() bool {
	return pc.cm.proxyURL != nil && pc.cm.targetScheme == "http"
}

// addTransportHeaders adds to r2 (a shallow copy of the caller's
// request) the headers the Transport sends of its own: Accept-Encoding:
// gzip (it then reports true: the Transport will decompress), Connection:
// close, Proxy-Authorization. The caller's header map is never changed:
// r2 gets a clone when something is added.
func (pc *persistConn) addTransportHeaders(r2 *http.Request) (requestedGzip bool) {
	t, h := pc.t, r2.Header
	var extra []string // key, value pairs
	if !t.DisableCompression && h.Get("Accept-Encoding") == "" && h.Get("Range") == "" && r2.Method != "HEAD" {
		requestedGzip = true
		extra = append(extra, "Accept-Encoding", "gzip")
	}
	if t.DisableKeepAlives && !wantsClose(r2) && !isProtocolSwitchHeader(h) {
		extra = append(extra, "Connection", "close")
	}
	if pc.toProxy() {
		if pa := proxyAuth(pc.cm.proxyURL); pa != "" && h.Get("Proxy-Authorization") == "" {
			extra = append(extra, "Proxy-Authorization", pa)
		}
	}
	if len(extra) == 0 {
		return requestedGzip
	}
	r2.Header = h.Clone()
	if r2.Header == nil {
		r2.Header = make(http.Header, len(extra)/2)
	}
	for i := 0; i < len(extra); i += 2 {
		r2.Header.Set(extra[i], extra[i+1])
	}
	return requestedGzip
}

// expectContinue wraps the body of r2 (what is sent of req) in a
// continueBody when req expects "100 Continue" (and the Transport waits
// for it), or returns nil.
func (pc *persistConn) expectContinue(ctx context.Context, req, r2 *http.Request) *continueBody {
	if !req.ProtoAtLeast(1, 1) || r2.Body == nil || r2.Body == http.NoBody || !hasToken(req.Header.Get("Expect"), "100-continue") || pc.t.ExpectContinueTimeout <= 0 {
		return nil
	}
	cont := &continueBody{pc: pc, body: r2.Body, req: req, ctx: ctx}
	r2.Body = cont
	return cont
}

// exchange writes r2 (what is sent of req) and returns the response: the
// one the server gave before the body was asked for (100-continue), the
// one it sent before a write failed, or the one read after the request.
func (pc *persistConn) exchange(ctx context.Context, req, r2 *http.Request, cont *continueBody, trace *httptrace.ClientTrace) (*http.Response, error) {
	pc.nwrite = 0
	var err error
	if pc.toProxy() {
		err = r2.WriteProxy(pc.bw)
	} else {
		err = r2.Write(pc.bw)
	}
	if err == nil {
		err = pc.bw.Flush()
	}
	switch {
	case cont != nil && cont.resp != nil:
		// The server answered before the body was asked for (the write
		// error, if any, is errStopBody: net/http wraps it in a type of
		// its own).
		if !cont.sent {
			cont.resp.Close = true // the body was not sent: the connection is out of step
		}
		return cont.resp, nil
	case err != nil:
		return pc.answerAfterWriteError(req, err)
	}
	return pc.awaitResponse(ctx, req, trace)
}

// answerAfterWriteError returns the response of a server that answered
// (and closed) before reading all of the request, if it is there, or the
// write's error.
func (pc *persistConn) answerAfterWriteError(req *http.Request, err error) (*http.Response, error) {
	if pc.nwrite == 0 {
		return nil, nothingWrittenError{err}
	}
	resp, rerr := pc.earlyResponse(req)
	if rerr != nil {
		return nil, err
	}
	resp.Close = true
	return resp, nil
}

// awaitResponse reads the response header, within ResponseHeaderTimeout
// if there is one.
func (pc *persistConn) awaitResponse(ctx context.Context, req *http.Request, trace *httptrace.ClientTrace) (*http.Response, error) {
	d := pc.t.ResponseHeaderTimeout
	if d <= 0 {
		return pc.readResponse(ctx, req, trace)
	}
	pc.setReadDeadline(time.Now().Add(d))
	resp, err := pc.readResponse(ctx, req, trace)
	pc.setReadDeadline(time.Time{})
	if err != nil && isTimeout(err) && ctx.Err() == nil {
		return nil, ErrResponseHeaderTimeout
	}
	return resp, err
}

// keepAlive reports whether pc may serve another request after resp.
func (pc *persistConn) keepAlive(req *http.Request, resp *http.Response) bool {
	return !resp.Close && !req.Close && resp.StatusCode > 199 && !pc.t.DisableKeepAlives
}

var errRequestDone = errors.New("greenhttp: request completed")

// readResponse reads the response header, skipping informational (1xx)
// answers but 101.
func (pc *persistConn) readResponse(ctx context.Context, req *http.Request, trace *httptrace.ClientTrace) (*http.Response, error) {
	if trace != nil && trace.GotFirstResponseByte != nil {
		if _, err := pc.br.Peek(1); err == nil {
			trace.GotFirstResponseByte()
		}
	}
	for {
		resp, err := pc.readOne(req)
		if err != nil {
			return nil, err
		}
		code := resp.StatusCode
		if code >= 100 && code <= 199 && code != http.StatusSwitchingProtocols {
			if trace != nil && trace.Got1xxResponse != nil {
				if err := trace.Got1xxResponse(code, textproto.MIMEHeader(resp.Header)); err != nil {
					return nil, err
				}
			}
			continue
		}
		return resp, nil
	}
}

// readOne reads one response header under the header size limit.
func (pc *persistConn) readOne(req *http.Request) (*http.Response, error) {
	first := pc.br.Buffered() == 0
	pc.lr.remain = pc.t.maxHeaderBytes()
	if first {
		if _, err := pc.br.Peek(1); err != nil {
			pc.lr.remain = maxInt64
			if err == io.EOF && pc.reused {
				return nil, ErrServerClosedIdle
			}
			return nil, readFromServerError{err}
		}
	}
	resp, err := http.ReadResponse(pc.br, req)
	if err != nil && pc.lr.remain <= 0 {
		err = fmt.Errorf("net/http: server response headers exceeded %d bytes; aborted", pc.t.maxHeaderBytes())
	}
	pc.lr.remain = maxInt64
	return resp, err
}

// earlyResponse reads a response that arrived while the request was
// still being written, if one is there already.
func (pc *persistConn) earlyResponse(req *http.Request) (*http.Response, error) {
	pc.setReadDeadline(time.Now().Add(10 * time.Millisecond))
	_, err := pc.br.Peek(1)
	pc.setReadDeadline(time.Time{})
	if err != nil {
		return nil, err
	}
	return pc.readOne(req)
}

// wantsClose reports whether the request asks to close the connection.
func wantsClose(r *http.Request) bool {
	return r.Close || hasToken(r.Header.Get("Connection"), "close")
}

func isProtocolSwitchHeader(h http.Header) bool {
	return h.Get("Upgrade") != "" && hasToken(h.Get("Connection"), "Upgrade")
}

// probeBody settles the length of a body of unknown length on a request
// whose method usually has none, as net/http does, but by reading its
// first byte in the caller: net/http reads it on a goroutine and waits
// for it on a channel, which would stall the hub.
func probeBody(r *http.Request) error {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength != 0 || len(r.TransferEncoding) > 0 {
		return nil
	}
	switch r.Method {
	case "GET", "HEAD", "DELETE", "OPTIONS", "PROPFIND", "SEARCH", "":
	default:
		return nil // sent chunked without probing, like net/http
	}
	var b [1]byte
	n, err := io.ReadFull(r.Body, b[:])
	switch {
	case err == io.EOF && n == 0:
		r.Body.Close()
		r.Body = http.NoBody
		return nil
	case err != nil:
		return err
	}
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(strings.NewReader(string(b[:n])), r.Body), r.Body}
	r.TransferEncoding = []string{"chunked"}
	r.ContentLength = -1
	return nil
}

// errStopBody ends the writing of a body the server answered without
// asking for it.
var errStopBody = errors.New("greenhttp: response arrived before the request body was asked for")

// continueBody wraps the body of a request with "Expect: 100-continue":
// before the first read it sends what was written (the header) and waits
// up to ExpectContinueTimeout for the server: "100 Continue" or silence
// let the body go; a final answer stops it, unless the connection is to
// be kept (then the body is sent anyway, as net/http does).
type continueBody struct {
	pc      *persistConn
	body    io.ReadCloser
	req     *http.Request
	ctx     context.Context
	started bool
	sent    bool
	resp    *http.Response
}

func (c *continueBody) Read(p []byte) (int, error) {
	if !c.started {
		c.started = true
		if !c.wait() {
			return 0, errStopBody
		}
		c.sent = true
	}
	return c.body.Read(p)
}

func (c *continueBody) Close() error { return c.body.Close() }

func (c *continueBody) wait() bool {
	pc := c.pc
	if err := pc.bw.Flush(); err != nil {
		return false
	}
	trace := httptrace.ContextClientTrace(c.ctx)
	if trace != nil && trace.Wait100Continue != nil {
		trace.Wait100Continue()
	}
	pc.setReadDeadline(time.Now().Add(pc.t.ExpectContinueTimeout))
	_, err := pc.br.Peek(1)
	pc.setReadDeadline(time.Time{})
	if err != nil {
		return isTimeout(err) && c.ctx.Err() == nil // silence: send it
	}
	for {
		resp, err := pc.readOne(c.req)
		if err != nil {
			return false
		}
		code := resp.StatusCode
		if code == http.StatusContinue {
			if trace != nil && trace.Got100Continue != nil {
				trace.Got100Continue()
			}
			return true
		}
		if code >= 100 && code <= 199 && code != http.StatusSwitchingProtocols {
			continue
		}
		c.resp = resp
		return !(resp.Close || c.req.Close)
	}
}

// bodyReader is a response body: it reads from the connection in the
// reader's greenlet and hands the connection back to the pool at the end
// of the body (or closes it, after an error or an early Close).
type bodyReader struct {
	pc      *persistConn
	body    io.ReadCloser // net/http's body reader
	alive   bool          // the connection may serve another request
	stop    func() bool   // ends the watch of the request's context
	cancel  context.CancelCauseFunc
	ctx     context.Context
	trace   *httptrace.ClientTrace
	req     *http.Request
	reading atomic.Int32
	done    atomic.Bool
	err     error // returned once done (io.EOF after a clean end)
}

// attach makes b the body of resp, decompressed when the Transport asked
// for gzip; a response without a body ends the request at once.
func (b *bodyReader) attach(resp *http.Response, requestedGzip bool) {
	if b.req.Method == "HEAD" || resp.ContentLength == 0 {
		resp.Body.Close()
		resp.Body = http.NoBody
		b.finish(true)
		return
	}
	resp.Body = b
	if requestedGzip && strings.EqualFold(resp.Header.Get("Content-Encoding"), "gzip") {
		resp.Body = &gzipReader{body: b}
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
		resp.ContentLength = -1
		resp.Uncompressed = true
	}
}

func (b *bodyReader) Read(p []byte) (int, error) {
	if b.done.Load() {
		return 0, b.errAfter()
	}
	b.reading.Add(1)
	n, err := b.body.Read(p)
	b.reading.Add(-1)
	switch {
	case err == io.EOF:
		b.finish(true)
	case err != nil:
		if b.ctx.Err() != nil {
			err = context.Cause(b.ctx)
		}
		b.err = err
		b.finish(false)
		awaitClientTimeout(b.req, err)
	}
	return n, err
}

func (b *bodyReader) errAfter() error {
	if b.err != nil {
		return b.err
	}
	return http.ErrBodyReadAfterClose
}

// Close ends the body. Before its end it closes the connection (the rest
// is not read), as net/http does; a Read parked meanwhile (in another
// greenlet) wakes with net.ErrClosed.
func (b *bodyReader) Close() error {
	if b.done.Load() {
		return nil
	}
	if b.reading.Load() > 0 {
		// Do not touch net/http's body reader while it reads (it holds
		// its lock): closing the socket makes the read return, and the
		// reader finishes.
		b.err = http.ErrBodyReadAfterClose
		if b.pc.raw != nil {
			b.pc.raw.Close()
		} else {
			b.pc.conn.Close()
		}
		return nil
	}
	b.err = http.ErrBodyReadAfterClose
	b.finish(false)
	return nil
}

// finish ends the request: the connection goes back to the pool (ok and
// alive) or is closed. Once.
func (b *bodyReader) finish(ok bool) {
	if b.done.Swap(true) {
		return
	}
	pc := b.pc
	stopped := b.stop()
	if ok && b.err == nil {
		b.err = io.EOF
	}
	if ok && b.alive && stopped && !pc.sawEOF && pc.br.Buffered() == 0 {
		pc.setReadDeadline(time.Time{})
		err := pc.t.putIdle(pc)
		if b.trace != nil && b.trace.PutIdleConn != nil {
			b.trace.PutIdleConn(err)
		}
		if err != nil {
			pc.closeConn()
		}
	} else {
		pc.closeConn()
	}
	b.cancel(errRequestDone)
}

// gzipReader decompresses a body the Transport asked gzip for.
type gzipReader struct {
	body *bodyReader
	zr   *gzip.Reader
	zerr error
}

func (g *gzipReader) Read(p []byte) (int, error) {
	if g.zerr != nil {
		return 0, g.zerr
	}
	if g.zr == nil {
		zr, err := gzip.NewReader(g.body)
		if err != nil {
			g.zerr = err
			return 0, err
		}
		g.zr = zr
	}
	n, err := g.zr.Read(p)
	if err != nil {
		g.zerr = err
	}
	return n, err
}

func (g *gzipReader) Close() error { return g.body.Close() }

// switchedBody is the body of a 101 Switching Protocols response: the
// connection itself, as an io.ReadWriteCloser (what websocket libraries
// expect of net/http's).
type switchedBody struct {
	br   *bufio.Reader
	conn interface {
		io.Writer
		io.Closer
	}
}

func (s *switchedBody) Read(p []byte) (int, error)  { return s.br.Read(p) }
func (s *switchedBody) Write(p []byte) (int, error) { return s.conn.Write(p) }
func (s *switchedBody) Close() error                { return s.conn.Close() }
