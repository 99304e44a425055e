package pool

import "errors"

// Sentinel errors of package pool. Compare with errors.Is.
var (
	// ErrPoolFull is returned by the non-blocking and timed adds of a Pool
	// (TryAdd, AddTimeout, TrySpawn) when no slot became free in time
	// (gevent's PoolFull).
	ErrPoolFull = errors.New("pool: pool full: no free slot")

	// ErrNegativeSize is returned by NewPool for a size below zero.
	ErrNegativeSize = errors.New("pool: negative pool size")

	// ErrTaskKilled is the error recorded for a task of Map, Imap,
	// ImapUnordered or Apply whose greenlet was killed before its function
	// returned.
	ErrTaskKilled = errors.New("pool: task killed before it returned")

	// ErrNilFunc is returned (or, where nothing is returned, recorded as
	// the failure) by calls given a nil function or a nil Spawner.
	ErrNilFunc = errors.New("pool: nil function or spawner")

	// ErrScopeClosed is the panic value of Scope.Go called after the
	// scope's Nursery has returned.
	ErrScopeClosed = errors.New("pool: Go called on a scope that has already finished")
)
