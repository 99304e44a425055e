package greenredigo

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/gomodule/redigo/redis"
	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/integrations/internal/gsem"
	"github.com/greenrt/green/netwrap"
	"github.com/greenrt/green/threadpool"
)

// DialOption is redis.DialContextFunc(netwrap.DialContext): connections
// dialed with it park a greenlet during the connect and during every read
// and write (the TLS handshake of redis.DialUseTLS included); from a plain
// goroutine they block like package net's.
func DialOption() redis.DialOption { return redis.DialContextFunc(netwrap.DialContext) }

// Dial is redis.Dial with DialOption first (options given later override
// it), returning the connection wrapped as Pool's are (see DoContext).
func Dial(network, address string, options ...redis.DialOption) (redis.Conn, error) {
	return DialContext(context.Background(), network, address, options...)
}

// DialContext is redis.DialContext with DialOption first, returning the
// connection wrapped as Pool's are (see DoContext).
func DialContext(ctx context.Context, network, address string, options ...redis.DialOption) (redis.Conn, error) {
	c, err := redis.DialContext(ctx, network, address, append([]redis.DialOption{DialOption()}, options...)...)
	if err != nil {
		return nil, err
	}
	return &conn{Conn: c}, nil
}

// Pool is a redis.Pool that greenlets may share: Get and GetContext wait
// for a free connection cooperatively when the pool is bounded (MaxActive
// > 0 with Wait set). Every other method is redis.Pool's. Configure the
// redis.Pool before NewPool, and do not change MaxActive or Wait
// afterwards; its Dial or DialContext should dial with DialOption.
type Pool struct {
	*redis.Pool
	sem *gsem.Semaphore // nil: the pool never waits
}

// NewPool wraps p. A pool with MaxActive <= 0 or without Wait never waits
// for a connection (it dials more, or fails with redis.ErrPoolExhausted),
// so Get passes straight through to it.
func NewPool(p *redis.Pool) *Pool {
	gp := &Pool{Pool: p}
	if p.Wait && p.MaxActive > 0 {
		gp.sem = gsem.New(p.MaxActive)
	}
	return gp
}

// Get is GetContext with the background context; errors are returned by
// the connection's methods, as with redis.Pool.Get.
func (p *Pool) Get() redis.Conn {
	c, _ := p.GetContext(context.Background())
	return c
}

// GetContext returns a connection, waiting for a free one if MaxActive
// are in use: a greenlet parks (a kill or green.Timeout unwinds it), a
// plain goroutine blocks, and the wait ends with ctx.Err() if ctx ends
// first. The caller must Close the connection, which releases its slot. On
// error the returned connection reports the error from every method, as
// redis.Pool's does.
func (p *Pool) GetContext(ctx context.Context) (redis.Conn, error) {
	if p.sem == nil {
		return p.Pool.GetContext(ctx)
	}
	if err := p.sem.Acquire(ctx); err != nil {
		return errConn{err}, err
	}
	c, err := p.Pool.GetContext(ctx)
	if err != nil {
		p.sem.Release()
		return c, err
	}
	return &conn{Conn: c, release: p.sem.Release}, nil
}

// conn is a connection of Dial, DialContext or Pool. It releases its
// permit (if any) when closed, after redigo's pool got the connection back,
// and runs DoContext and ReceiveContext on the thread pool when called
// from a greenlet: redigo runs them on a goroutine of its own and waits for
// it on a Go channel, which would stop the hub for the whole round trip.
type conn struct {
	redis.Conn
	once    sync.Once
	release func() // nil: none
}

var (
	_ redis.ConnWithTimeout = (*conn)(nil)
	_ redis.ConnWithContext = (*conn)(nil)
)

func (c *conn) Close() error {
	err := c.Conn.Close()
	if c.release != nil {
		c.once.Do(c.release)
	}
	return err
}

var (
	errNoTimeout = errors.New("greenredigo: connection does not support timeouts")
	errNoContext = errors.New("greenredigo: connection does not support contexts")
)

func (c *conn) DoWithTimeout(timeout time.Duration, cmd string, args ...any) (any, error) {
	if cw, ok := c.Conn.(redis.ConnWithTimeout); ok {
		return cw.DoWithTimeout(timeout, cmd, args...)
	}
	return nil, errNoTimeout
}

func (c *conn) ReceiveWithTimeout(timeout time.Duration) (any, error) {
	if cw, ok := c.Conn.(redis.ConnWithTimeout); ok {
		return cw.ReceiveWithTimeout(timeout)
	}
	return nil, errNoTimeout
}

func (c *conn) DoContext(ctx context.Context, cmd string, args ...any) (any, error) {
	cw, ok := c.Conn.(redis.ConnWithContext)
	if !ok {
		return nil, errNoContext
	}
	return offload(func() (any, error) { return cw.DoContext(ctx, cmd, args...) })
}

func (c *conn) ReceiveContext(ctx context.Context) (any, error) {
	cw, ok := c.Conn.(redis.ConnWithContext)
	if !ok {
		return nil, errNoContext
	}
	return offload(func() (any, error) { return cw.ReceiveContext(ctx) })
}

// offload runs fn on the thread pool from a greenlet, in place from a
// plain goroutine; a hub callback, which must never wait, gets
// hub.ErrNotCoroutine. The greenlet waits for fn to return (redigo ends it
// promptly when its context ends), so that nothing touches the connection
// after the call.
func offload(fn func() (any, error)) (any, error) {
	if g, h := hub.Current(); g == nil {
		if h != nil {
			return nil, hub.ErrNotCoroutine
		}
		return fn()
	}
	return threadpool.CallOn(threadpool.Default(), context.Background(), func(context.Context) (any, error) { return fn() })
}

// errConn is the connection returned when no connection could be had: its
// methods return the error (redigo's own is unexported).
type errConn struct{ err error }

func (e errConn) Do(string, ...any) (any, error)                           { return nil, e.err }
func (e errConn) DoWithTimeout(time.Duration, string, ...any) (any, error) { return nil, e.err }
func (e errConn) DoContext(context.Context, string, ...any) (any, error)   { return nil, e.err }
func (e errConn) Send(string, ...any) error                                { return e.err }
func (e errConn) Err() error                                               { return e.err }
func (e errConn) Close() error                                             { return nil }
func (e errConn) Flush() error                                             { return e.err }
func (e errConn) Receive() (any, error)                                    { return nil, e.err }
func (e errConn) ReceiveWithTimeout(time.Duration) (any, error)            { return nil, e.err }
func (e errConn) ReceiveContext(context.Context) (any, error)              { return nil, e.err }
