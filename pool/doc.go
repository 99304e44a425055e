// Package pool is gevent's gevent.pool and gevent.threadpool for Go, and
// the home of structured concurrency for greenlets.
//
//   - Group: a set of greenlets to join and kill together; finished
//     members leave by themselves.
//   - Pool: a Group with a bound. Spawn parks while it is full; TryAdd,
//     TrySpawn and AddTimeout fail with ErrPoolFull instead.
//   - Map, Imap, ImapUnordered, Apply, ApplyAsync: generic mapping over a
//     Group or a Pool (a Spawner).
//   - Nursery / NurseryWith and Scope: children that cannot outlive their
//     parent; the first failure cancels the siblings and comes back to the
//     parent, as with trio's nursery or asyncio's TaskGroup.
//
// Running blocking calls on real goroutines (gevent's threadpool) is
// package threadpool's job: gevent keeps pool.py and threadpool.py apart.
//
// # Where calls may be made
//
// Everything is safe from any goroutine. Inside a greenlet, waiting calls
// park it, and a kill or green.Timeout interrupts them (the package then
// cleans up: Map, Imap and Nursery kill and await the greenlets they
// started before the interrupt goes on). From a plain goroutine they block
// it like an ordinary Go wait, and tell the hub so (hub.Waiting) so that
// the hub's deadlock detection can free them. From a hub callback they
// panic with hub.ErrNotCoroutine.
//
// # Panics
//
// A panic in a function run by Map, Imap, Apply, a Scope child or an
// offloaded call is caught where it happens, with its stack, and re-panics
// in the caller as a *green.PanicError (conc's *panics.ErrRecovered),
// whose message includes that stack and which unwraps to the panic value
// when it is an error.
package pool
