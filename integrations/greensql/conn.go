package greensql

import (
	"context"
	"database/sql/driver"
	"errors"
)

// conn is the handle database/sql holds as a connection: bound to a
// physical connection while database/sql uses it (see the package
// documentation). database/sql serialises the calls on one connection with
// its own lock, so conn needs none.
type conn struct {
	c      *Connector
	p      *phys // nil while unbound
	closed bool
}

var (
	_ driver.Conn               = (*conn)(nil)
	_ driver.ConnPrepareContext = (*conn)(nil)
	_ driver.ConnBeginTx        = (*conn)(nil)
	_ driver.ExecerContext      = (*conn)(nil)
	_ driver.QueryerContext     = (*conn)(nil)
	_ driver.Pinger             = (*conn)(nil)
	_ driver.SessionResetter    = (*conn)(nil)
	_ driver.Validator          = (*conn)(nil)
	_ driver.NamedValueChecker  = (*conn)(nil)
)

// bind gives v a physical connection if it has none.
func (v *conn) bind(ctx context.Context) error {
	if v.closed {
		return driver.ErrBadConn
	}
	if v.p != nil {
		return nil
	}
	p, err := v.c.get(ctx)
	if err != nil {
		return err
	}
	p.used = true
	v.p = p
	return nil
}

// unbind gives v's physical connection back to the Connector.
func (v *conn) unbind() {
	if p := v.p; p != nil {
		v.p = nil
		v.c.put(p)
	}
}

func (v *conn) phys(ctx context.Context) (*phys, error) {
	if err := v.bind(ctx); err != nil {
		return nil, err
	}
	return v.p, nil
}

// ResetSession is called by database/sql when it takes v from its idle
// list: v binds to a physical connection, waiting for one if need be.
func (v *conn) ResetSession(ctx context.Context) error { return v.bind(ctx) }

// IsValid is called by database/sql whenever it gets v back: v gives its
// physical connection back (a bad one is closed) and stays valid as a
// handle.
func (v *conn) IsValid() bool {
	v.unbind()
	return !v.closed
}

// Close gives the physical connection back (closing it if it went bad).
func (v *conn) Close() error {
	v.closed = true
	v.unbind()
	return nil
}

// Unwrap returns the driver's connection v is bound to, or nil: what
// sql.Conn.Raw would give without this package.
func (v *conn) Unwrap() driver.Conn {
	if v.p == nil {
		return nil
	}
	return v.p.conn
}

// Unwrap returns the driver connection under a connection handed out by
// sql.Conn.Raw: the physical connection for a Connector's handle, the
// value itself otherwise.
//
//	sqlConn.Raw(func(dc any) error {
//		pgxConn := greensql.Unwrap(dc).(*stdlib.Conn).Conn()
//		...
//	})
func Unwrap(driverConn any) any {
	if v, ok := driverConn.(*conn); ok {
		return v.Unwrap()
	}
	return driverConn
}

func (v *conn) Prepare(query string) (driver.Stmt, error) {
	return v.PrepareContext(context.Background(), query)
}

func (v *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	p, err := v.phys(ctx)
	if err != nil {
		return nil, err
	}
	st, err := prepareOn(ctx, p.conn, query)
	if err != nil {
		return nil, p.note(err)
	}
	return &stmt{v: v, query: query, numInput: st.NumInput(), on: map[*phys]driver.Stmt{p: st}}, nil
}

func prepareOn(ctx context.Context, dc driver.Conn, query string) (driver.Stmt, error) {
	if pc, ok := dc.(driver.ConnPrepareContext); ok {
		return pc.PrepareContext(ctx, query)
	}
	return dc.Prepare(query)
}

func (v *conn) Begin() (driver.Tx, error) {
	return v.BeginTx(context.Background(), driver.TxOptions{})
}

func (v *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	p, err := v.phys(ctx)
	if err != nil {
		return nil, err
	}
	if bt, ok := p.conn.(driver.ConnBeginTx); ok {
		tx, err := bt.BeginTx(ctx, opts)
		return tx, p.note(err)
	}
	if opts.Isolation != driver.IsolationLevel(0) || opts.ReadOnly {
		return nil, errors.New("greensql: the driver does not support non-default isolation levels or read-only transactions")
	}
	//lint:ignore SA1019 the driver has nothing newer
	tx, err := p.conn.Begin()
	return tx, p.note(err)
}

func (v *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	p, err := v.phys(ctx)
	if err != nil {
		return nil, err
	}
	if e, ok := p.conn.(driver.ExecerContext); ok {
		r, err := e.ExecContext(ctx, query, args)
		return r, p.note(err)
	}
	return nil, driver.ErrSkip // database/sql prepares instead
}

func (v *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	p, err := v.phys(ctx)
	if err != nil {
		return nil, err
	}
	if q, ok := p.conn.(driver.QueryerContext); ok {
		r, err := q.QueryContext(ctx, query, args)
		return r, p.note(err)
	}
	return nil, driver.ErrSkip
}

func (v *conn) Ping(ctx context.Context) error {
	p, err := v.phys(ctx)
	if err != nil {
		return err
	}
	if pg, ok := p.conn.(driver.Pinger); ok {
		return p.note(pg.Ping(ctx))
	}
	return nil
}

// CheckNamedValue defers to the driver's checker; ErrSkip makes
// database/sql convert the value itself, as for a driver without one.
func (v *conn) CheckNamedValue(nv *driver.NamedValue) error {
	if v.p != nil {
		if c, ok := v.p.conn.(driver.NamedValueChecker); ok {
			return c.CheckNamedValue(nv)
		}
	}
	return driver.ErrSkip
}
