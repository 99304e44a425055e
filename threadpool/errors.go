package threadpool

import "errors"

// Sentinel errors of package threadpool. Compare with errors.Is.
var (
	// ErrClosed is returned by calls submitted to a Pool after Close.
	ErrClosed = errors.New("threadpool: closed")

	// ErrBadSize is returned by New and SetSize for a negative size
	// (gevent raises ValueError).
	ErrBadSize = errors.New("threadpool: negative size")

	// ErrNilFunc is returned by calls given a nil function or pool.
	ErrNilFunc = errors.New("threadpool: nil function or pool")
)
