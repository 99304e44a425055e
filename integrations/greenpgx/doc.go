// Package greenpgx makes pgx v5 (github.com/jackc/pgx/v5) cooperative in
// greenlets: single connections (pgx.Conn) through netwrap's dialer, and
// pools (pgxpool) that greenlets may share when they outnumber the
// connections.
//
//	conn, err := greenpgx.Connect(ctx, dsn) // in a greenlet: parks while connecting
//	err = conn.QueryRow(ctx, "SELECT 1").Scan(&one) // parks during the round trip
//
//	pool, err := greenpgx.NewPool(ctx, dsn) // MaxConns greenlets at a time, the others park
//	err = pool.QueryRow(ctx, "SELECT 1").Scan(&one)
//
// # Single connections
//
// pgx does its I/O on the calling goroutine, so with netwrap's dialer in
// pgconn's DialFunc (and host names resolved on the thread pool, through
// LookupFunc) a query parks the calling greenlet and the hub runs the
// others; TLS and authentication run over the cooperative connection too.
// Context cancellation works: pgx sets a deadline on the connection from
// another goroutine, which wakes the parked greenlet. A pgx.Conn belongs to
// one greenlet at a time, as it belongs to one goroutine at a time;
// greenlets that share one guard it with a green.Lock.
//
// # Pools
//
// pgxpool waits for a free connection in puddle, on a Go channel (through
// golang.org/x/sync/semaphore): a greenlet waiting there stops its hub,
// and the greenlets holding the connections, parked on that hub, never
// release them (a hang). ConfigurePool installs a pgxpool.AcquireTracer
// and ReleaseTracer that take a cooperative semaphore of MaxConns permits
// before puddle is asked and give it back when the connection is released,
// so puddle never waits. It also moves the two waits pgxpool makes on
// channels for work done by goroutines of its own off the hub: the
// liveness ping of a connection idle for more than a second (now made by
// the acquiring greenlet, cooperatively, in PrepareConn) and the creation
// of a new connection (now made on a thread-pool goroutine while the
// greenlet parks, before puddle would make it with the greenlet waiting).
//
// # What still blocks the hub
//
// CopyFrom (pgx streams the rows on a goroutine of its own and waits for it
// on a channel) stops the hub for the duration of the copy: run it with
// threadpool.Call. A write that takes pgx more than 15 ms (larger than the
// socket buffer while the server does not read, or on a loaded machine
// whose kernel preempts the hub's thread in the middle of it) makes pgx
// start a background reader, and the next read then waits on a sync.Cond
// for up to one server round trip (seen: a few ms, rarely).
// Hijack keeps the connection's permit: the pool can hand out one
// connection fewer until it is closed.
package greenpgx
