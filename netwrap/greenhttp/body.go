//go:build unix

package greenhttp

import (
	"io"
	"net/http"
)

// reqBody is the request's Body on the server: net/http's body reader
// (Content-Length, chunked with trailers) with what the server needs to
// know about it: whether it was read to the end (the next request starts
// there; the client-gone watcher may start then), "100 Continue" before
// the first read, and how much unread body Close will read and drop to
// keep the connection (maxPostHandlerReadBytes).
//
// The body may be read by another greenlet or an offloaded goroutine
// than the handler's; like net/http's, it is not for concurrent readers.
type reqBody struct {
	rc         io.ReadCloser // net/http's body
	w          *response
	ecr        bool // "Expect: 100-continue" was offered
	sawEOF     bool
	closed     bool
	earlyClose bool  // closed with unread data: the connection closes
	n          int64 // bytes read
}

func (b *reqBody) Read(p []byte) (int, error) {
	if b.closed {
		return 0, http.ErrBodyReadAfterClose
	}
	if b.sawEOF {
		return 0, io.EOF
	}
	if b.ecr {
		b.w.writeContinue()
	}
	return b.read(p)
}

func (b *reqBody) read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.n += int64(n)
	if err == io.EOF {
		b.sawEOF = true
		b.w.bodyEOF()
	}
	return n, err
}

// unread returns the declared length not read yet, or -1 (chunked).
func (b *reqBody) unread() int64 {
	if cl := b.w.req.ContentLength; cl >= 0 {
		return cl - b.n
	}
	return -1
}

// discard reads and drops up to n bytes without sending "100 Continue".
func (b *reqBody) discard(n int64) (int64, error) {
	if b.closed {
		return 0, http.ErrBodyReadAfterClose
	}
	if b.sawEOF {
		return 0, io.EOF
	}
	return io.CopyN(io.Discard, readerFunc(b.read), n)
}

// Close is net/http's server-side body Close: a body read to its end is
// closed; otherwise up to maxPostHandlerReadBytes more are read and
// dropped, looking for the end, and if it is not reached the connection
// will close after the response (earlyClose).
func (b *reqBody) Close() error {
	if b.closed || b.rc == nil {
		b.closed = true
		return nil
	}
	var err error
	if !b.sawEOF {
		if rem := b.unread(); rem > maxPostHandlerReadBytes {
			b.earlyClose = true
		} else {
			var n int64
			n, err = b.discard(maxPostHandlerReadBytes)
			if err == io.EOF {
				err = nil
			}
			if n == maxPostHandlerReadBytes {
				b.earlyClose = true
			}
		}
	}
	b.closed = true
	if b.sawEOF {
		b.rc.Close()
	}
	return err
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

// MaxBytesReader is http.MaxBytesReader, which cannot tell a greenhttp
// response that the limit was hit (net/http tells its own through an
// unexported method): use this one in handlers served by greenhttp so
// that the connection closes after the response instead of reading and
// dropping the rest of the body, exactly as net/http does. With any other
// ResponseWriter it is http.MaxBytesReader.
func MaxBytesReader(w http.ResponseWriter, r io.ReadCloser, n int64) io.ReadCloser {
	mr := http.MaxBytesReader(w, r, n)
	res, ok := w.(*response)
	if !ok {
		return mr
	}
	return &maxBytesReader{ReadCloser: mr, w: res}
}

type maxBytesReader struct {
	io.ReadCloser
	w   *response
	hit bool
}

func (m *maxBytesReader) Read(p []byte) (int, error) {
	n, err := m.ReadCloser.Read(p)
	if !m.hit {
		if _, ok := err.(*http.MaxBytesError); ok {
			m.hit = true
			m.w.requestTooLarge()
		}
	}
	return n, err
}
