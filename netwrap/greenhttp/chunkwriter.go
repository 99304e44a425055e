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

// writeHeader finalizes the header and writes it to the connection's
// buffer. p is the first chunk of the body (not written here): it is
// sniffed for a Content-Type, and gives the Content-Length when the
// handler is already done.
func (cw *chunkWriter) writeHeader(p []byte) {
	if cw.wroteHeader {
		return
	}
	cw.wroteHeader = true
	w := cw.res
	c := w.c
	keepAlivesEnabled := c.s.doKeepAlives()
	isHEAD := w.req.Method == "HEAD"

	header := cw.header
	owned := header != nil
	if !owned {
		header = w.handlerHeader
	}
	var excludeHeader map[string]bool
	delHeader := func(key string) {
		if owned {
			header.Del(key)
			return
		}
		if _, ok := header[key]; !ok {
			return
		}
		if excludeHeader == nil {
			excludeHeader = make(map[string]bool)
		}
		excludeHeader[key] = true
	}
	var setHeader extraHeader

	// The fake "Trailer:foo" keys are not headers.
	trailers := false
	for k := range cw.header {
		if strings.HasPrefix(k, http.TrailerPrefix) {
			if excludeHeader == nil {
				excludeHeader = make(map[string]bool)
			}
			excludeHeader[k] = true
			trailers = true
		}
	}
	for _, v := range cw.header["Trailer"] {
		trailers = true
		foreachHeaderElement(v, w.declareTrailer)
	}

	te := header.Get("Transfer-Encoding")
	hasTE := te != ""

	// A handler done before the buffer filled gets a Content-Length,
	// even zero (HTTP/1.0 keep-alive needs it), except where none is
	// allowed, for HEAD without a body written, with trailers or a
	// Transfer-Encoding.
	if w.handlerDone.Load() && !trailers && !hasTE && bodyAllowedForStatus(w.status) && !hasHeader(header, "Content-Length") && (!isHEAD || len(p) > 0) {
		w.contentLength = int64(len(p))
		setHeader.contentLength = strconv.AppendInt(w.clenBuf[:0], int64(len(p)), 10)
	}

	// HTTP/1.0 keep-alive with a Content-Length stays alive.
	if w.wants10KeepAlive && keepAlivesEnabled {
		sentLength := header.Get("Content-Length") != ""
		if sentLength && header.Get("Connection") == "keep-alive" {
			w.closeAfterReply = false
		}
	}

	hasCL := w.contentLength != -1

	if w.wants10KeepAlive && (isHEAD || hasCL || !bodyAllowedForStatus(w.status)) {
		if _, connectionHeaderSet := header["Connection"]; !connectionHeaderSet {
			setHeader.connection = "keep-alive"
		}
	} else if !w.req.ProtoAtLeast(1, 1) || w.wantsClose {
		w.closeAfterReply = true
	}

	if header.Get("Connection") == "close" || !keepAlivesEnabled {
		w.closeAfterReply = true
	}

	// A client that offered 100-continue and whose body was not read to
	// the end gets its connection closed rather than a body it did not
	// send read for it.
	if w.body.ecr && !w.body.sawEOF {
		w.closeAfterReply = true
	}

	// Read what remains of the request body before answering (clients
	// that send the whole request before reading can deadlock
	// otherwise), unless full duplex was asked for.
	if w.req.ContentLength != 0 && !w.closeAfterReply && !w.fullDuplex {
		var discard, tooBig bool
		switch {
		case w.body.ecr:
			// Only when the body was read to the end (above).
		case w.req.Body == &w.body:
			switch {
			case w.body.closed:
				if !w.body.sawEOF {
					w.closeAfterReply = true
				}
			case w.body.unread() >= maxPostHandlerReadBytes:
				tooBig = true
			default:
				discard = true
			}
		default:
			discard = true
		}
		if discard {
			_, err := w.body.discard(maxPostHandlerReadBytes + 1)
			switch err {
			case nil:
				tooBig = true // even more is left
			case http.ErrBodyReadAfterClose:
			case io.EOF:
				if err := w.body.Close(); err != nil {
					w.closeAfterReply = true
				}
			default:
				w.closeAfterReply = true
			}
		}
		if tooBig {
			w.requestTooLarge()
			delHeader("Connection")
			setHeader.connection = "close"
		}
	}

	code := w.status
	if bodyAllowedForStatus(code) {
		_, haveType := header["Content-Type"]
		ce := header.Get("Content-Encoding")
		if ce == "" && !haveType && !hasTE && len(p) > 0 {
			setHeader.contentType = http.DetectContentType(p)
		}
	} else {
		for _, k := range suppressedHeaders(code) {
			delHeader(k)
		}
	}

	if !hasHeader(header, "Date") {
		setHeader.date = c.s.date.appendNow(w.dateBuf[:0])
	}

	if hasCL && hasTE && te != "identity" {
		c.s.logf("http: WriteHeader called with both Transfer-Encoding of %q and a Content-Length of %d", te, w.contentLength)
		delHeader("Content-Length")
		hasCL = false
	}

	switch {
	case w.req.Method == "HEAD" || !bodyAllowedForStatus(code) || code == http.StatusNoContent:
		delHeader("Transfer-Encoding")
	case hasCL:
		delHeader("Transfer-Encoding")
	case w.req.ProtoAtLeast(1, 1):
		if hasTE && te == "identity" {
			// No framing: the connection's end ends the body.
			cw.chunking = false
			w.closeAfterReply = true
			delHeader("Transfer-Encoding")
		} else {
			cw.chunking = true
			setHeader.transferEncoding = "chunked"
			if hasTE && te == "chunked" {
				delHeader("Transfer-Encoding") // written by setHeader
			}
		}
	default:
		// HTTP/1.0 without a length: the connection's end ends the
		// body.
		w.closeAfterReply = true
		delHeader("Transfer-Encoding")
	}
	if cw.chunking {
		delHeader("Content-Length")
	}
	if !w.req.ProtoAtLeast(1, 0) {
		return
	}

	// Only override the Connection header if it is not a successful
	// protocol switch and keep-alives are not disabled.
	delConnectionHeader := w.closeAfterReply &&
		(!keepAlivesEnabled || !hasToken(cw.header.Get("Connection"), "close")) &&
		!isProtocolSwitchResponse(w.status, header)
	if delConnectionHeader {
		delHeader("Connection")
		if w.req.ProtoAtLeast(1, 1) {
			setHeader.connection = "close"
		}
	}

	bw := c.bw
	writeStatusLine(bw, w.req.ProtoAtLeast(1, 1), code, w.statusBuf[:])
	cw.header.WriteSubset(bw, excludeHeader)
	setHeader.write(bw)
	bw.WriteString("\r\n")
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
