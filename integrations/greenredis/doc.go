// Package greenredis makes go-redis (github.com/redis/go-redis/v9) safe and
// concurrent in greenlets: every command and pipeline of a client runs on a
// thread-pool goroutine while the calling greenlet parks, through a
// go-redis Hook, so the user calls the client as usual.
//
//	rdb := greenredis.NewClient(&redis.Options{Addr: addr, PoolSize: 20})
//	defer rdb.Close()
//	green.Spawn(func() { rdb.Incr(ctx, "hits") }) // parks; the hub runs on
//
// # Why offloading, not a cooperative dialer alone
//
// go-redis does its I/O on the calling goroutine, so netwrap's dialer makes
// that I/O park a greenlet. But its connection pool waits for a free
// connection on Go channels: a greenlet that waits there stops its hub, and
// the greenlets holding the connections, parked on that hub, never give
// them back (measured: 200 greenlets on a pool of 20 hang for good). A
// green.Semaphore of the pool's size taken in a per-command hook is not
// enough either, because transactions (Watch, TxPipelined) and Conn() keep
// a connection across several commands while the hook sees one command at
// a time, so a command can pass the semaphore and still wait on the pool.
// Offloading needs none of this: the pool's waits, its dials (made on
// goroutines of its own) and its locks are those of plain goroutines. The
// cost is a hand-off to the thread pool and back per command or pipeline,
// and one pool goroutine per command in flight: size the pool
// (threadpool.Default is 512) to the number of greenlets that use Redis at
// once. For one greenlet alone on its hub the hand-off shows (BenchmarkPing:
// a PING round trip 74-113 µs, against 47-80 µs for a stock client on a
// goroutine, loaded machine: the hub sleeps while the command runs and is
// woken across threads); with many greenlets the hand-offs overlap and the
// totals match the goroutines' (the README's table).
//
// # What is not offloaded
//
// PubSub's Receive, ReceiveMessage and ReceiveTimeout do not go through
// hooks: they run on the calling greenlet, whose connection (dialed through
// Options.Dialer, which Configure sets to netwrap's) parks it cooperatively.
// Keep one PubSub to one greenlet (PubSub holds a sync.Mutex while it dials
// and subscribes), and do not read PubSub.Channel() from a greenlet: it is
// a Go channel, whose receive stops the hub; call ReceiveMessage in a loop
// instead. Tx.Close and Close are non-blocking bookkeeping.
//
// Configure also turns maintenance notifications off: with them on (the
// default "auto" mode), go-redis's connection handshake holds a
// sync.RWMutex across network I/O and the hub deadlocks against Redis 7,
// which rejects the command.
package greenredis
