// Package greenredigo makes redigo (github.com/gomodule/redigo) cooperative
// in greenlets: a dial option that plugs netwrap's dialer in, and a Pool
// that greenlets may share when they outnumber its connections.
//
//	pool := greenredigo.NewPool(&redis.Pool{
//		MaxActive: 20, MaxIdle: 20, Wait: true,
//		DialContext: func(ctx context.Context) (redis.Conn, error) {
//			return greenredigo.DialContext(ctx, "tcp", addr)
//		},
//	})
//	c := pool.Get() // in a greenlet: parks while all 20 are in use
//	defer c.Close()
//	n, err := redis.Int(c.Do("INCR", "hits")) // parks during the round trip
//
// redigo does its I/O on the calling goroutine, so with netwrap's dialer a
// command parks the calling greenlet and the hub runs the others. Its pool,
// though, waits for a free connection (MaxActive reached, Wait set) on a Go
// channel: a greenlet waiting there stops its hub, and the greenlets that
// hold the connections, parked on that hub, never give them back (a hang).
// Pool puts a cooperative semaphore of MaxActive permits in front of it: a
// greenlet parks until a connection is free, so redigo's own wait never
// happens. A permit is held from Get to the connection's Close, exactly as
// long as redigo's pool counts the connection as active.
//
// One connection belongs to one greenlet at a time, as redigo requires of
// goroutines. A PubSubConn's Receive parks its greenlet cooperatively.
package greenredigo
