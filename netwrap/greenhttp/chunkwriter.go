//go:build unix

package greenhttp

import (
	"bufio"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/http/httpguts"
)

// chunkWriter is what a response's 2 KiB buffer writes to. On its first
// write (or at the end of the handler) it decides the framing and writes
// the header; then it writes the body, in chunks when chunking. The
// framing rules are net/http's chunkWriter's, so that the same handler
// produces the same bytes on the wire.
type chunkWriter struct {
	res *response

	// header is nil or a clone of res.handlerHeader taken when the
	// header was logically written while writing it out was deferred.
	header      http.Header
	wroteHeader bool // written to the connection's buffer
	chunking    bool
}

// maxPostHandlerReadBytes is how much unread request body the server
// reads (and drops) to keep a connection alive; beyond it the connection
// closes after the response (net/http's 256 KiB).
const maxPostHandlerReadBytes = 256 << 10

func (cw *chunkWriter) Write(p []byte) (n int, err error) {
	if !cw.wroteHeader {
		cw.writeHeader(p)
	}
	if cw.res.req.Method == "HEAD" {
		return len(p), nil // eat writes
	}
	bw := cw.res.c.bw
	if cw.chunking {
		var hdr [18]byte
		b := strconv.AppendInt(hdr[:0], int64(len(p)), 16)
		b = append(b, '\r', '\n')
		if _, err = bw.Write(b); err != nil {
			cw.res.c.closeSocket()
			return 0, err
		}
	}
	n, err = bw.Write(p)
	if cw.chunking && err == nil {
		_, err = bw.WriteString("\r\n")
	}
	if err != nil {
		cw.res.c.closeSocket()
	}
	return n, err
}

func (cw *chunkWriter) flush() error {
	if !cw.wroteHeader {
		cw.writeHeader(nil)
	}
	return cw.res.c.bw.Flush()
}

func (cw *chunkWriter) close() {
	if !cw.wroteHeader {
		cw.writeHeader(nil)
	}
	if cw.chunking {
		bw := cw.res.c.bw
		bw.WriteString("0\r\n")
		if trailers := cw.res.finalTrailers(); trailers != nil {
			trailers.Write(bw)
		}
		bw.WriteString("\r\n")
	}
}

// extraHeader holds the headers writeHeader may add, written without
// touching the handler's map.
type extraHeader struct {
	contentType      string
	connection       string
	transferEncoding string
	date             []byte
	contentLength    []byte
}

func (h *extraHeader) write(w *bufio.Writer) {
	if h.date != nil {
		w.WriteString("Date: ")
		w.Write(h.date)
		w.WriteString("\r\n")
	}
	if h.contentLength != nil {
		w.WriteString("Content-Length: ")
		w.Write(h.contentLength)
		w.WriteString("\r\n")
	}
	if h.contentType != "" {
		w.WriteString("Content-Type: " + h.contentType + "\r\n")
	}
	if h.connection != "" {
		w.WriteString("Connection: " + h.connection + "\r\n")
	}
	if h.transferEncoding != "" {
		w.WriteString("Transfer-Encoding: " + h.transferEncoding + "\r\n")
	}
}

// headerEdit is the header writeHeader sends: the handler's map (or the
// clone taken when it was logically written), less the keys it drops,
// plus the ones it adds. It lives on writeHeader's stack.
type headerEdit struct {
	header     http.Header     // what is read: cw.header, or the handler's map
	owned      bool            // header is cw.header (a clone): delete in place
	exclude    map[string]bool // keys not to send (the handler's map is never changed)
	extra      extraHeader
	keepAlives bool // the server's keep-alives are enabled
}

// del drops key from what is sent, without touching the handler's map.
func (h *headerEdit) del(key string) {
	if h.owned {
		h.header.Del(key)
		return
	}
	if _, ok := h.header[key]; ok {
		h.excludeKey(key)
	}
}

func (h *headerEdit) excludeKey(key string) {
	if h.exclude == nil {
		h.exclude = make(map[string]bool)
	}
	h.exclude[key] = true
}

// writeHeader finalizes the header and writes it to the connection's
// buffer. p is the first chunk of the body (not written here): it is
// sniffed for a Content-Type, and gives the Content-Length when the
// handler is already done. The steps, in net/http's order: trailers,
// Content-Length, keep-alive, the unread request body, the body's
// headers, Date, framing, Connection.
func (cw *chunkWriter) writeHeader(p []byte) {
	if cw.wroteHeader {
		return
	}
	cw.wroteHeader = true
	w := cw.res
	h := headerEdit{header: cw.header, owned: cw.header != nil, keepAlives: w.c.s.doKeepAlives()}
	if !h.owned {
		h.header = w.handlerHeader
	}
	trailers := cw.declareTrailers(&h)
	te := h.header.Get("Transfer-Encoding")
	cw.setContentLength(&h, p, trailers || te != "")
	cw.decideClose(&h)
	if w.req.ContentLength != 0 && !w.closeAfterReply && !w.fullDuplex {
		cw.settleRequestBody(&h)
	}
	cw.setBodyHeaders(&h, p, te != "")
	if !hasHeader(h.header, "Date") {
		h.extra.date = w.c.s.date.appendNow(w.dateBuf[:0])
	}
	cw.setFraming(&h, te)
	if !w.req.ProtoAtLeast(1, 0) {
		return
	}
	cw.setConnectionClose(&h)

	bw := w.c.bw
	writeStatusLine(bw, w.req.ProtoAtLeast(1, 1), w.status, w.statusBuf[:])
	cw.header.WriteSubset(bw, h.exclude)
	h.extra.write(bw)
	bw.WriteString("\r\n")
}

// declareTrailers keeps trailers out of the header: the fake
// "Trailer:foo" keys are not sent, and the names the Trailer header
// lists are declared. It reports whether there are trailers.
func (cw *chunkWriter) declareTrailers(h *headerEdit) bool {
	trailers := false
	for k := range cw.header {
		if strings.HasPrefix(k, http.TrailerPrefix) {
			h.excludeKey(k)
			trailers = true
		}
	}
	for _, v := range cw.header["Trailer"] {
		trailers = true
		foreachHeaderElement(v, cw.res.declareTrailer)
	}
	return trailers
}

// setContentLength gives a handler done before the buffer filled a
// Content-Length, even zero (HTTP/1.0 keep-alive needs it), except where
// none is allowed: for HEAD without a body written, with trailers or a
// Transfer-Encoding (unframed).
func (cw *chunkWriter) setContentLength(h *headerEdit, p []byte, unframed bool) {
	w := cw.res
	if !w.handlerDone.Load() || unframed || !bodyAllowedForStatus(w.status) || hasHeader(h.header, "Content-Length") || (w.req.Method == "HEAD" && len(p) == 0) {
		return
	}
	w.contentLength = int64(len(p))
	h.extra.contentLength = strconv.AppendInt(w.clenBuf[:0], int64(len(p)), 10)
}

// decideClose settles whether the connection closes after the reply:
// HTTP/1.0 keep-alive, the protocol version, the Connection headers, a
// 100-continue body left unread.
func (cw *chunkWriter) decideClose(h *headerEdit) {
	w := cw.res
	header := h.header
	// HTTP/1.0 keep-alive with a Content-Length stays alive.
	if w.wants10KeepAlive && h.keepAlives && header.Get("Content-Length") != "" && header.Get("Connection") == "keep-alive" {
		w.closeAfterReply = false
	}
	hasCL := w.contentLength != -1
	if w.wants10KeepAlive && (w.req.Method == "HEAD" || hasCL || !bodyAllowedForStatus(w.status)) {
		if _, set := header["Connection"]; !set {
			h.extra.connection = "keep-alive"
		}
	} else if !w.req.ProtoAtLeast(1, 1) || w.wantsClose {
		w.closeAfterReply = true
	}
	if header.Get("Connection") == "close" || !h.keepAlives {
		w.closeAfterReply = true
	}
	// A client that offered 100-continue and whose body was not read to
	// the end gets its connection closed rather than a body it did not
	// send read for it.
	if w.body.ecr && !w.body.sawEOF {
		w.closeAfterReply = true
	}
}

// settleRequestBody reads what remains of the request body before
// answering (clients that send the whole request before reading can
// deadlock otherwise); a body too large to read closes the connection
// instead.
func (cw *chunkWriter) settleRequestBody(h *headerEdit) {
	w := cw.res
	discard, tooBig := w.unreadBodyPlan()
	if discard {
		tooBig = w.discardBody()
	}
	if tooBig {
		w.requestTooLarge()
		h.del("Connection")
		h.extra.connection = "close"
	}
}

// unreadBodyPlan says what to do with the request body the handler
// left: read it to the end (discard), or give up on the connection
// (tooBig); neither for a 100-continue body (settled by decideClose) or
// one the handler closed.
func (w *response) unreadBodyPlan() (discard, tooBig bool) {
	switch {
	case w.body.ecr:
		return false, false
	case w.req.Body != &w.body:
		return true, false // replaced by the handler: read what it gives
	case w.body.closed:
		if !w.body.sawEOF {
			w.closeAfterReply = true
		}
		return false, false
	case w.body.unread() >= maxPostHandlerReadBytes:
		return false, true
	}
	return true, false
}

// discardBody reads and drops the rest of the request body, up to
// maxPostHandlerReadBytes; it reports whether even more was left.
func (w *response) discardBody() (tooBig bool) {
	_, err := w.body.discard(maxPostHandlerReadBytes + 1)
	switch err {
	case nil:
		return true
	case http.ErrBodyReadAfterClose:
	case io.EOF:
		if err := w.body.Close(); err != nil {
			w.closeAfterReply = true
		}
	default:
		w.closeAfterReply = true
	}
	return false
}

// setBodyHeaders sniffs a Content-Type for a body that has none (and is
// not encoded), or drops the headers a status without a body must not
// have.
func (cw *chunkWriter) setBodyHeaders(h *headerEdit, p []byte, hasTE bool) {
	code := cw.res.status
	if !bodyAllowedForStatus(code) {
		for _, k := range suppressedHeaders(code) {
			h.del(k)
		}
		return
	}
	if _, haveType := h.header["Content-Type"]; !haveType && !hasTE && len(p) > 0 && h.header.Get("Content-Encoding") == "" {
		h.extra.contentType = http.DetectContentType(p)
	}
}

// setFraming chooses how the body ends: its Content-Length, chunked
// encoding, or (HTTP/1.0 without a length, or "identity") the
// connection's end.
func (cw *chunkWriter) setFraming(h *headerEdit, te string) {
	w := cw.res
	hasCL := w.contentLength != -1
	if hasCL && te != "" && te != "identity" {
		w.c.s.logf("http: WriteHeader called with both Transfer-Encoding of %q and a Content-Length of %d", te, w.contentLength)
		h.del("Content-Length")
		hasCL = false
	}
	code := w.status
	switch {
	case w.req.Method == "HEAD" || !bodyAllowedForStatus(code) || code == http.StatusNoContent, hasCL:
		h.del("Transfer-Encoding")
	case !w.req.ProtoAtLeast(1, 1):
		// HTTP/1.0 without a length: the connection's end ends the
		// body.
		w.closeAfterReply = true
		h.del("Transfer-Encoding")
	case te == "identity":
		// No framing: the connection's end ends the body.
		cw.chunking = false
		w.closeAfterReply = true
		h.del("Transfer-Encoding")
	default:
		cw.chunking = true
		h.extra.transferEncoding = "chunked"
		if te == "chunked" {
			h.del("Transfer-Encoding") // written by extra
		}
	}
	if cw.chunking {
		h.del("Content-Length")
	}
}

// setConnectionClose says "Connection: close" when the connection closes
// after the reply, unless it is a successful protocol switch or the
// handler said it already (with keep-alives enabled).
func (cw *chunkWriter) setConnectionClose(h *headerEdit) {
	w := cw.res
	if !w.closeAfterReply || (h.keepAlives && hasToken(cw.header.Get("Connection"), "close")) || isProtocolSwitchResponse(w.status, h.header) {
		return
	}
	h.del("Connection")
	if w.req.ProtoAtLeast(1, 1) {
		h.extra.connection = "close"
	}
}

// hasHeader reports whether h has key (canonical) with any value.
func hasHeader(h http.Header, key string) bool {
	_, ok := h[key]
	return ok
}

func isProtocolSwitchResponse(code int, h http.Header) bool {
	return code == http.StatusSwitchingProtocols && h.Get("Upgrade") != "" &&
		httpguts.HeaderValuesContainsToken(h["Connection"], "Upgrade")
}

// dateCache formats the Date header once per second. Hub-owned.
type dateCache struct {
	sec int64
	buf [len(http.TimeFormat)]byte
}

func (d *dateCache) appendNow(dst []byte) []byte {
	now := time.Now()
	if s := now.Unix(); s != d.sec {
		d.sec = s
		now.UTC().AppendFormat(d.buf[:0], http.TimeFormat)
	}
	return append(dst, d.buf[:]...)
}
