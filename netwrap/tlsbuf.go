//go:build unix

package netwrap

import (
	"net"
	"sync"
	"time"
)

// tlsBuffer is the net.Conn a TLSConn's *tls.Conn runs on: reads,
// deadlines and addresses go straight to the conn underneath, but writes
// are kept in a buffer, so that crypto/tls never parks while it holds its
// output mutex; the holder of the TLSConn's write lock sends the buffer
// (flush) once crypto/tls has returned. During the handshake (direct),
// writes go straight through instead: the TLSConn holds both of its locks
// then, so nobody else is inside crypto/tls.
//
// mu guards the fields below it and is never held across I/O.
type tlsBuffer struct {
	net.Conn

	mu      sync.Mutex
	buf     *[]byte // bytes to send, from tlsBufs; nil if none
	werr    error   // first failure to send: permanent, as in crypto/tls
	direct  bool    // write through (the handshake)
	closing bool    // the TLSConn's Close holds the write lock: Close flushes
}

// tlsBufs recycles the buffers of the TLS conns that are writing, so that
// an idle conn holds none.
var tlsBufs = sync.Pool{New: func() any {
	b := make([]byte, 0, tlsChunk+tlsChunk/16) // a chunk and its records' overhead
	return &b
}}

// Write keeps p for flush (or, direct, writes it through).
func (t *tlsBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	if err := t.werr; err != nil {
		t.mu.Unlock()
		return 0, err
	}
	if t.direct {
		t.mu.Unlock()
		return t.Conn.Write(p) // crypto/tls keeps a failure itself
	}
	if t.buf == nil {
		t.buf = tlsBufs.Get().(*[]byte)
	}
	*t.buf = append(*t.buf, p...)
	t.mu.Unlock()
	return len(p), nil
}

func (t *tlsBuffer) setDirect(on bool) {
	t.mu.Lock()
	t.direct = on
	t.mu.Unlock()
}

func (t *tlsBuffer) setClosing() {
	t.mu.Lock()
	t.closing = true
	t.mu.Unlock()
}

// pending reports whether bytes wait to be sent.
func (t *tlsBuffer) pending() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.buf != nil && t.werr == nil
}

// flush sends the buffered bytes, and those added meanwhile (by a reader
// answering the peer), until none are left. Only the holder of the
// TLSConn's write lock calls it, so one flush runs at a time; the buffer
// is swapped out under mu and written without it.
func (t *tlsBuffer) flush() error {
	for {
		t.mu.Lock()
		b, err := t.buf, t.werr
		t.buf = nil
		t.mu.Unlock()
		if b == nil || err != nil {
			t.recycle(b)
			return err
		}
		if err := t.send(b); err != nil {
			return err
		}
	}
}

// send writes b to the conn. A failure, or an interrupt (a kill of the
// greenlet) that unwinds the write, breaks the connection for good: part
// of a record may have left.
func (t *tlsBuffer) send(b *[]byte) (err error) {
	err = errTLSInterrupted
	defer func() {
		if err != nil {
			t.mu.Lock()
			if t.werr == nil {
				t.werr = err
			}
			t.mu.Unlock()
		}
	}()
	_, err = t.Conn.Write(*b)
	t.recycle(b)
	return err
}

func (t *tlsBuffer) recycle(b *[]byte) {
	if b == nil {
		return
	}
	if cap(*b) > 4*tlsChunk {
		return // grown by an unusual burst: let it go
	}
	*b = (*b)[:0]
	tlsBufs.Put(b)
}

// Close is called by (*tls.Conn).Close after it has queued close_notify.
// When the TLSConn's Close holds the write lock, the queued bytes are sent
// first, within closeNotifyWait.
func (t *tlsBuffer) Close() error {
	t.mu.Lock()
	closing := t.closing && t.buf != nil
	t.mu.Unlock()
	if closing {
		t.Conn.SetWriteDeadline(time.Now().Add(closeNotifyWait))
		t.flush()
	}
	return t.Conn.Close()
}
