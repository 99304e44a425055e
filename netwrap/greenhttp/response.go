//go:build unix

package greenhttp

import (
	"bufio"
	"net"
	"net/http"
	"net/textproto"
	"path"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/greenrt/green/green"
	"golang.org/x/net/http/httpguts"
)

// response is the http.ResponseWriter of one request. It implements
// http.Flusher, http.Hijacker, http.CloseNotifier, io.StringWriter and
// what http.NewResponseController looks for (FlushError, Hijack,
// SetReadDeadline, SetWriteDeadline, EnableFullDuplex). Like net/http's,
// it is meant for the handler's greenlet; the body may also be read from
// elsewhere (another greenlet, an offloaded goroutine).
//
// The write path is net/http's: the handler writes into a 2 KiB buffer
// (chunkWriter decides, when it fills or at the end, between a
// Content-Length and chunked encoding, and sniffs the Content-Type),
// then into the connection's 4 KiB buffer, flushed once per response.
type response struct {
	c                *conn
	req              *http.Request
	ctx              *reqCtx
	body             reqBody // req.Body, unless the request has none
	wroteHeader      bool    // a non-1xx header has been (logically) written
	wants10KeepAlive bool
	wantsClose       bool

	// canWriteContinue says whether the body reader may still send
	// "100 Continue" (continueAllowed), is sending it (continueWriting)
	// or may not (0). The body may be read by another greenlet or
	// goroutine than the one writing the response: they agree through
	// this word, never through a lock (a lock held across the write
	// would stall the hub).
	canWriteContinue atomic.Int32

	w  *bufio.Writer // buffers output in chunks to cw
	cw chunkWriter

	handlerHeader http.Header
	calledHeader  bool

	written       int64
	contentLength int64 // declared Content-Length, or -1
	status        int

	closeAfterReply     bool
	fullDuplex          bool
	requestBodyLimitHit bool
	trailers            []string
	handlerDone         atomic.Bool

	dateBuf   [len(http.TimeFormat)]byte
	clenBuf   [10]byte
	statusBuf [3]byte

	closeNotifyCh        chan bool
	closeNotifyTriggered bool
}

const (
	continueAllowed = 1
	continueWriting = 2
)

func newResponse(c *conn, req *http.Request) *response {
	w := &response{
		c:                c,
		req:              req,
		handlerHeader:    make(http.Header),
		contentLength:    -1,
		wants10KeepAlive: req.ProtoMajor == 1 && req.ProtoMinor == 0 && hasToken(req.Header.Get("Connection"), "keep-alive"),
		wantsClose:       req.Close || hasToken(req.Header.Get("Connection"), "close"),
	}
	w.cw.res = w
	w.w = c.chunker(&w.cw)
	return w
}

var (
	_ http.ResponseWriter = (*response)(nil)
	_ http.Flusher        = (*response)(nil)
	_ http.Hijacker       = (*response)(nil)
	//lint:ignore SA1019 old handlers still use it; net/http keeps it too
	_ http.CloseNotifier = (*response)(nil)
)

// Header returns the header map; see http.ResponseWriter.
func (w *response) Header() http.Header {
	if w.cw.header == nil && w.wroteHeader && !w.cw.wroteHeader {
		// Between logically writing the header and writing it out: a
		// handler that changes the map now must not change what is
		// sent.
		w.cw.header = w.handlerHeader.Clone()
	}
	w.calledHeader = true
	return w.handlerHeader
}

// WriteHeader sends the status code; see http.ResponseWriter. 1xx codes
// but 101 are sent at once, as informational responses.
func (w *response) WriteHeader(code int) {
	if w.c.hijackedv {
		caller := relevantCaller()
		w.c.s.logf("http: response.WriteHeader on hijacked connection from %s (%s:%d)", caller.Function, path.Base(caller.File), caller.Line)
		return
	}
	if w.wroteHeader {
		caller := relevantCaller()
		w.c.s.logf("http: superfluous response.WriteHeader call from %s (%s:%d)", caller.Function, path.Base(caller.File), caller.Line)
		return
	}
	if code < 100 || code > 999 {
		panic("invalid WriteHeader code " + strconv.Itoa(code))
	}
	if code < 101 || code > 199 {
		w.disableWriteContinue()
	}
	if code >= 100 && code <= 199 && code != http.StatusSwitchingProtocols {
		bw := w.c.bw
		writeStatusLine(bw, w.req.ProtoAtLeast(1, 1), code, w.statusBuf[:])
		w.handlerHeader.WriteSubset(bw, excludedHeadersNoBody)
		bw.WriteString("\r\n")
		bw.Flush()
		return
	}
	w.wroteHeader = true
	w.status = code
	if w.calledHeader && w.cw.header == nil {
		w.cw.header = w.handlerHeader.Clone()
	}
	if cl := w.handlerHeader.Get("Content-Length"); cl != "" {
		v, err := strconv.ParseInt(cl, 10, 64)
		if err == nil && v >= 0 {
			w.contentLength = v
		} else {
			w.c.s.logf("http: invalid Content-Length of %q", cl)
			w.handlerHeader.Del("Content-Length")
		}
	}
}

// relevantCaller returns the first caller outside net/http and this
// package, for the log messages that name the handler's mistake.
func relevantCaller() runtime.Frame {
	pc := make([]uintptr, 16)
	n := runtime.Callers(1, pc)
	frames := runtime.CallersFrames(pc[:n])
	var frame runtime.Frame
	for {
		f, more := frames.Next()
		frame = f
		if !strings.HasPrefix(f.Function, "net/http.") && !strings.HasPrefix(f.Function, "github.com/greenrt/green/netwrap/greenhttp.") {
			return f
		}
		if !more {
			return frame
		}
	}
}

// Write writes body bytes; see http.ResponseWriter.
func (w *response) Write(data []byte) (int, error) { return w.write(len(data), data, "") }

// WriteString is Write for a string, without a copy into a []byte.
func (w *response) WriteString(data string) (int, error) { return w.write(len(data), nil, data) }

func (w *response) write(lenData int, dataB []byte, dataS string) (int, error) {
	if w.c.hijackedv {
		if lenData > 0 {
			caller := relevantCaller()
			w.c.s.logf("http: response.Write on hijacked connection from %s (%s:%d)", caller.Function, path.Base(caller.File), caller.Line)
		}
		return 0, http.ErrHijacked
	}
	if w.canWriteContinue.Load() != 0 {
		w.disableWriteContinue()
	}
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if lenData == 0 {
		return 0, nil
	}
	if !bodyAllowedForStatus(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	w.written += int64(lenData)
	if w.contentLength != -1 && w.written > w.contentLength {
		return 0, http.ErrContentLength
	}
	if dataB != nil {
		return w.w.Write(dataB)
	}
	return w.w.WriteString(dataS)
}

// disableWriteContinue stops the body reader from sending "100
// Continue", waiting (parking, or yielding a goroutine) if it is sending
// it right now so that the two writes do not interleave.
func (w *response) disableWriteContinue() {
	for {
		if w.canWriteContinue.CompareAndSwap(continueAllowed, 0) || w.canWriteContinue.Load() == 0 {
			return
		}
		green.Yield() // continueWriting: another greenlet or goroutine is writing it
	}
}

// writeContinue sends "100 Continue" once, before the body is first
// read, unless the response has started.
func (w *response) writeContinue() {
	if !w.canWriteContinue.CompareAndSwap(continueAllowed, continueWriting) {
		return
	}
	if bw := w.c.bw; bw != nil {
		bw.WriteString("HTTP/1.1 100 Continue\r\n\r\n")
		bw.Flush()
	}
	w.canWriteContinue.Store(0)
}

func (w *response) finishRequest() {
	w.handlerDone.Store(true)
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	w.w.Flush()
	w.cw.close()
	w.c.bw.Flush()
	w.c.stopWatcher()
	// Close the body (regardless of closeAfterReply) so that the next
	// request is read from where this one ended.
	w.body.Close()
	if w.req.MultipartForm != nil {
		w.req.MultipartForm.RemoveAll()
	}
}

// shouldReuseConnection reports whether the connection can serve another
// request. Only after the handler is done.
func (w *response) shouldReuseConnection() bool {
	if w.closeAfterReply {
		return false
	}
	if w.req.Method != "HEAD" && w.contentLength != -1 && bodyAllowedForStatus(w.status) && w.contentLength != w.written {
		return false // did not write what it declared
	}
	return w.c.werr == nil && !w.body.earlyClose && !w.ctx.clientGone
}

// requestTooLarge makes the connection close after this response,
// without reading more of the request.
func (w *response) requestTooLarge() {
	w.closeAfterReply = true
	w.requestBodyLimitHit = true
	if !w.wroteHeader {
		w.Header().Set("Connection", "close")
	}
}

func (w *response) sendExpectationFailed() {
	w.Header().Set("Connection", "close")
	w.WriteHeader(http.StatusExpectationFailed)
	w.finishRequest()
}

// Flush sends what was written so far; see http.Flusher.
func (w *response) Flush() { w.FlushError() }

// FlushError is Flush returning the error (http.ResponseController).
func (w *response) FlushError() error {
	if w.c.hijackedv {
		return http.ErrHijacked
	}
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	err := w.w.Flush()
	if e2 := w.cw.flush(); err == nil {
		err = e2
	}
	return err
}

// Hijack hands the connection over to the handler; see http.Hijacker.
// The returned conn is the *netwrap.Conn (or the *tls.Conn over it):
// cooperative, and the caller's to close. Buffered input is in the
// returned reader.
func (w *response) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if w.handlerDone.Load() {
		panic("net/http: Hijack called after ServeHTTP finished")
	}
	c := w.c
	if c.hijackedv {
		return nil, nil, http.ErrHijacked
	}
	w.disableWriteContinue()
	if w.wroteHeader {
		w.cw.flush()
	}
	c.stopWatcher()
	c.hijackedv = true
	rwc := c.rwc
	rwc.SetDeadline(time.Time{})
	c.rdl, c.wdl = time.Time{}, time.Time{}
	c.getBuffers()
	c.bw.Reset(rwc)
	buf := bufio.NewReadWriter(c.br, c.bw)
	c.bufs, c.br, c.bw, c.ww = nil, nil, nil, nil // the handler's now
	c.setState(http.StateHijacked)
	c.s.connDone(c)
	return rwc, buf, nil
}

// CloseNotify returns a channel that receives true once when the client
// goes away; see http.CloseNotifier (deprecated: use the request's
// context).
func (w *response) CloseNotify() <-chan bool {
	if w.handlerDone.Load() {
		panic("net/http: CloseNotify called after ServeHTTP finished")
	}
	w.ctx.Done() // starts watching the connection
	if w.closeNotifyCh == nil {
		w.closeNotifyCh = make(chan bool, 1)
		if w.closeNotifyTriggered {
			w.closeNotifyCh <- true
		}
	}
	return w.closeNotifyCh
}

// closeNotify is called on the hub when the client went away.
func (w *response) closeNotify() {
	if w.closeNotifyTriggered {
		return
	}
	w.closeNotifyTriggered = true
	if w.closeNotifyCh != nil {
		w.closeNotifyCh <- true
	}
}

// SetReadDeadline sets the connection's read deadline
// (http.ResponseController).
func (w *response) SetReadDeadline(t time.Time) error {
	w.c.rdl = t
	return w.c.rwc.SetReadDeadline(t)
}

// SetWriteDeadline sets the connection's write deadline
// (http.ResponseController).
func (w *response) SetWriteDeadline(t time.Time) error {
	w.c.wdl = t
	return w.c.rwc.SetWriteDeadline(t)
}

// EnableFullDuplex lets the handler read the request body after it has
// started writing the response (http.ResponseController).
func (w *response) EnableFullDuplex() error {
	w.fullDuplex = true
	return nil
}

// finalTrailers returns the trailers the handler set, or nil.
func (w *response) finalTrailers() http.Header {
	var t http.Header
	for k, vv := range w.handlerHeader {
		if kk, found := strings.CutPrefix(k, http.TrailerPrefix); found {
			if t == nil {
				t = make(http.Header)
			}
			t[kk] = vv
		}
	}
	for _, k := range w.trailers {
		if t == nil {
			t = make(http.Header)
		}
		for _, v := range w.handlerHeader[k] {
			t.Add(k, v)
		}
	}
	return t
}

func (w *response) declareTrailer(k string) {
	k = http.CanonicalHeaderKey(k)
	if !httpguts.ValidTrailerHeader(k) {
		return
	}
	w.trailers = append(w.trailers, k)
}

func bodyAllowedForStatus(status int) bool {
	switch {
	case status >= 100 && status <= 199, status == 204, status == 304:
		return false
	}
	return true
}

var (
	suppressedHeaders304    = []string{"Content-Type", "Content-Length", "Transfer-Encoding"}
	suppressedHeadersNoBody = []string{"Content-Length", "Transfer-Encoding"}
	excludedHeadersNoBody   = map[string]bool{"Content-Length": true, "Transfer-Encoding": true}
)

func suppressedHeaders(status int) []string {
	switch {
	case status == 304:
		return suppressedHeaders304
	case !bodyAllowedForStatus(status):
		return suppressedHeadersNoBody
	}
	return nil
}

// writeStatusLine writes "HTTP/1.x code text\r\n".
func writeStatusLine(bw *bufio.Writer, is11 bool, code int, scratch []byte) {
	if is11 {
		bw.WriteString("HTTP/1.1 ")
	} else {
		bw.WriteString("HTTP/1.0 ")
	}
	if text := http.StatusText(code); text != "" {
		bw.Write(strconv.AppendInt(scratch[:0], int64(code), 10))
		bw.WriteByte(' ')
		bw.WriteString(text)
		bw.WriteString("\r\n")
	} else {
		bw.WriteString(strconv.Itoa(code) + " status code " + strconv.Itoa(code) + "\r\n")
	}
}

// foreachHeaderElement calls fn for each non-empty element of the
// comma-separated v.
func foreachHeaderElement(v string, fn func(string)) {
	v = textproto.TrimString(v)
	if v == "" {
		return
	}
	if !strings.Contains(v, ",") {
		fn(v)
		return
	}
	for f := range strings.SplitSeq(v, ",") {
		if f = textproto.TrimString(f); f != "" {
			fn(f)
		}
	}
}
