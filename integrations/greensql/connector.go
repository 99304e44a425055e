package greensql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/greenrt/green/integrations/internal/gsem"
)

// Options configure a Connector.
type Options struct {
	// MaxConns bounds the physical connections open at once (in use and
	// idle). It must be positive.
	MaxConns int
	// MaxIdleConns bounds the idle physical connections kept for reuse.
	// Zero value: MaxConns.
	MaxIdleConns int
	// MaxConnLifetime closes a physical connection this long after it was
	// opened, when it is next returned. Zero value: no limit.
	MaxConnLifetime time.Duration
	// MaxConnIdleTime closes a physical connection idle for longer, when it
	// is next wanted. Zero value: no limit.
	MaxConnIdleTime time.Duration
}

// Connector is a driver.Connector whose connections are handles bound, for
// the time database/sql uses them, to physical connections of the wrapped
// connector, at most Options.MaxConns at once (see the package
// documentation). Create it with NewConnector or OpenDB; it is safe for
// concurrent use by greenlets of any hub and plain goroutines.
type Connector struct {
	base driver.Connector
	opts Options
	sem  *gsem.Semaphore // one permit per physical connection in use

	mu     sync.Mutex
	idle   []*phys // LIFO
	open   int     // physical connections open
	closed bool
}

var (
	_ driver.Connector = (*Connector)(nil)
	_ io.Closer        = (*Connector)(nil)
)

// phys is a physical connection of the wrapped connector.
type phys struct {
	conn     driver.Conn
	created  time.Time
	returned time.Time // when it last went idle
	used     bool      // bound at least once (ResetSession before reuse)
	bad      bool      // a call returned driver.ErrBadConn
	// stale are prepared statements of handles that closed them while
	// this connection was bound elsewhere: closed by the next binder.
	stale []driver.Stmt
}

// NewConnector wraps base. It fails if o.MaxConns is not positive.
func NewConnector(base driver.Connector, o Options) (*Connector, error) {
	if base == nil {
		return nil, errors.New("greensql: nil connector")
	}
	if o.MaxConns <= 0 {
		return nil, errors.New("greensql: Options.MaxConns must be positive")
	}
	if o.MaxIdleConns <= 0 || o.MaxIdleConns > o.MaxConns {
		o.MaxIdleConns = o.MaxConns
	}
	return &Connector{base: base, opts: o, sem: gsem.New(o.MaxConns)}, nil
}

// OpenDB returns sql.OpenDB of a Connector wrapping base, with
// database/sql's own limit on open connections off (the Connector
// enforces o.MaxConns without database/sql ever waiting) and database/sql
// keeping up to MaxConns idle handles. It fails as NewConnector does.
func OpenDB(base driver.Connector, o Options) (*sql.DB, error) {
	c, err := NewConnector(base, o)
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(c)
	db.SetMaxOpenConns(0)
	db.SetMaxIdleConns(c.opts.MaxConns)
	return db, nil
}

// Connect returns a new handle bound to a physical connection (waiting
// for one while MaxConns are in use).
func (c *Connector) Connect(ctx context.Context) (driver.Conn, error) {
	v := &conn{c: c}
	if err := v.bind(ctx); err != nil {
		return nil, err
	}
	return v, nil
}

// Driver returns the wrapped connector's driver.
func (c *Connector) Driver() driver.Driver { return c.base.Driver() }

// Close closes the idle physical connections and makes later binds fail;
// connections in use are closed when they are returned. It closes the
// wrapped connector too if it is an io.Closer. sql.DB.Close calls it.
func (c *Connector) Close() error {
	c.mu.Lock()
	c.closed = true
	idle := c.idle
	c.idle = nil
	c.open -= len(idle)
	c.mu.Unlock()
	var errs []error
	for _, p := range idle {
		errs = append(errs, p.conn.Close())
	}
	if cl, ok := c.base.(io.Closer); ok {
		errs = append(errs, cl.Close())
	}
	return errors.Join(errs...)
}

// Stats reports the physical connections open and idle.
func (c *Connector) Stats() (open, idle int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.open, len(c.idle)
}

// get returns a physical connection for exclusive use: an idle one (reset
// with the driver's ResetSession if it has one) or a new one, after
// waiting for a permit.
func (c *Connector) get(ctx context.Context) (*phys, error) {
	if err := c.sem.Acquire(ctx); err != nil {
		return nil, err
	}
	for {
		p, err := c.take()
		if err != nil {
			c.sem.Release()
			return nil, err
		}
		if p == nil {
			break
		}
		if err := c.reset(ctx, p); err != nil {
			c.discard(p)
			if errors.Is(err, driver.ErrBadConn) {
				continue
			}
			c.sem.Release()
			return nil, err
		}
		return p, nil
	}
	dc, err := c.base.Connect(ctx)
	if err != nil {
		c.mu.Lock()
		c.open--
		c.mu.Unlock()
		c.sem.Release()
		return nil, err
	}
	return &phys{conn: dc, created: time.Now()}, nil
}

// take pops an idle connection that is not too old, or reserves room for
// a new one (nil).
func (c *Connector) take() (*phys, error) {
	var expired []*phys
	defer func() {
		for _, p := range expired {
			p.conn.Close()
		}
	}()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, ErrClosed
	}
	for len(c.idle) > 0 {
		p := c.idle[len(c.idle)-1]
		c.idle = c.idle[:len(c.idle)-1]
		if c.tooOld(p, true) {
			c.open--
			expired = append(expired, p)
			continue
		}
		return p, nil
	}
	c.open++
	return nil, nil
}

func (c *Connector) tooOld(p *phys, idle bool) bool {
	now := time.Now()
	if c.opts.MaxConnLifetime > 0 && now.Sub(p.created) > c.opts.MaxConnLifetime {
		return true
	}
	return idle && c.opts.MaxConnIdleTime > 0 && now.Sub(p.returned) > c.opts.MaxConnIdleTime
}

// put returns a physical connection taken with get: to the idle list if
// it is healthy and there is room, closed otherwise.
func (c *Connector) put(p *phys) {
	defer c.sem.Release()
	if !p.bad {
		if v, ok := p.conn.(driver.Validator); ok && !v.IsValid() {
			p.bad = true
		}
	}
	c.mu.Lock()
	if !p.bad && !c.closed && !c.tooOld(p, false) && len(c.idle) < c.opts.MaxIdleConns {
		p.returned = time.Now()
		c.idle = append(c.idle, p)
		c.mu.Unlock()
		return
	}
	c.open--
	c.mu.Unlock()
	p.conn.Close()
}

// discard closes a physical connection taken with get without releasing
// its permit (the caller goes on with it).
func (c *Connector) discard(p *phys) {
	c.mu.Lock()
	c.open--
	c.mu.Unlock()
	p.conn.Close()
}

// reset prepares an idle connection for a new user: statements left to
// close, then the driver's ResetSession.
func (c *Connector) reset(ctx context.Context, p *phys) error {
	c.mu.Lock()
	stale := p.stale
	p.stale = nil
	c.mu.Unlock()
	for _, st := range stale {
		st.Close()
	}
	if r, ok := p.conn.(driver.SessionResetter); ok && p.used {
		if err := r.ResetSession(ctx); err != nil {
			return err
		}
	}
	return nil
}

// note records a driver.ErrBadConn from a call on p.
func (p *phys) note(err error) error {
	if errors.Is(err, driver.ErrBadConn) {
		p.bad = true
	}
	return err
}
