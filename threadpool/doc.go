// Package threadpool runs functions that truly block on real goroutines
// while the calling greenlet parks and its hub serves the others: gevent's
// threadpool module (gevent.threadpool.ThreadPool, get_hub().threadpool)
// for Go, and the answer to "this library blocks my hub".
//
//	// Anything that waits on Go channels, mutexes, time.Sleep, cgo, file
//	// I/O or a library's own goroutines:
//	rows, err := threadpool.Call(func() ([]Row, error) { return db.Query(q) })
//
// Call, CallContext and Do use the process-wide Default pool; CallOn takes
// a pool of one's own. From a greenlet the caller parks (the hub runs its
// other greenlets, and holds itself for deadlock detection meanwhile); from
// a plain goroutine the caller blocks; from a hub callback, which must never
// wait, they panic with hub.ErrNotCoroutine.
//
// # Never stalls the hub
//
// Handing a call to the pool never waits: a free goroutine takes it at once,
// a new one is started while the pool is below its size, and otherwise the
// call waits in a FIFO queue, with the greenlet parked, until a goroutine is
// free. The pool's size can be changed while it runs (SetSize), and idle
// goroutines exit after IdleTimeout, so an idle pool costs nothing.
//
// # Size
//
// DefaultSize is 512. gevent's default of 10 fits OS threads; a pool of
// goroutines is cheap (a parked goroutine is about 2 KiB), and a pool
// smaller than the number of greenlets that offload at once turns their
// waits into a queue (200 greenlets offloading 5 ms calls through a pool of
// 10 take 20 times as long as through a pool of 200). Bound it below the
// concurrency only to protect what the calls use (a database, file
// descriptors).
//
// # Kills, contexts, panics
//
// A kill or green.Timeout of the waiting greenlet, or the end of the
// context given to CallContext, returns at once: the function keeps running
// on its goroutine (Go cannot stop it), its results are dropped, and the
// context it was given is cancelled so that a function that honours it
// returns early; a call still queued when its caller gives up never runs.
// A panic in the function re-panics in the caller as a *green.PanicError
// carrying the goroutine's stack.
package threadpool
