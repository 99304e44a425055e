package greensql

import (
	"context"
	"database/sql/driver"
	"errors"
)

// stmt is a prepared statement of a handle: prepared again, lazily, on
// each physical connection the handle is bound to when it runs.
// database/sql calls it under the handle's lock.
type stmt struct {
	v        *conn
	query    string
	numInput int
	on       map[*phys]driver.Stmt
	closed   bool
}

var (
	_ driver.Stmt             = (*stmt)(nil)
	_ driver.StmtExecContext  = (*stmt)(nil)
	_ driver.StmtQueryContext = (*stmt)(nil)
)

func (s *stmt) NumInput() int { return s.numInput }

// get returns the statement prepared on the handle's physical connection.
func (s *stmt) get(ctx context.Context) (driver.Stmt, *phys, error) {
	if s.closed {
		return nil, nil, errors.New("greensql: statement is closed")
	}
	p, err := s.v.phys(ctx)
	if err != nil {
		return nil, nil, err
	}
	if st := s.on[p]; st != nil {
		return st, p, nil
	}
	st, err := prepareOn(ctx, p.conn, s.query)
	if err != nil {
		return nil, nil, p.note(err)
	}
	s.on[p] = st
	return st, p, nil
}

// Close closes the statement where the handle is bound now; on other
// physical connections, which other handles may be using, it is left for
// the next user of that connection to close.
func (s *stmt) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	var err error
	for p, st := range s.on {
		if p == s.v.p {
			err = st.Close()
			continue
		}
		s.v.c.mu.Lock()
		p.stale = append(p.stale, st)
		s.v.c.mu.Unlock()
	}
	s.on = nil
	return err
}

func (s *stmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), named(args))
}

func (s *stmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), named(args))
}

func (s *stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	st, p, err := s.get(ctx)
	if err != nil {
		return nil, err
	}
	if e, ok := st.(driver.StmtExecContext); ok {
		r, err := e.ExecContext(ctx, args)
		return r, p.note(err)
	}
	vals, err := values(args)
	if err != nil {
		return nil, err
	}
	//lint:ignore SA1019 the driver has nothing newer
	r, err := st.Exec(vals)
	return r, p.note(err)
}

func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	st, p, err := s.get(ctx)
	if err != nil {
		return nil, err
	}
	if q, ok := st.(driver.StmtQueryContext); ok {
		r, err := q.QueryContext(ctx, args)
		return r, p.note(err)
	}
	vals, err := values(args)
	if err != nil {
		return nil, err
	}
	//lint:ignore SA1019 the driver has nothing newer
	r, err := st.Query(vals)
	return r, p.note(err)
}

func named(args []driver.Value) []driver.NamedValue {
	nv := make([]driver.NamedValue, len(args))
	for i, a := range args {
		nv[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	return nv
}

func values(args []driver.NamedValue) ([]driver.Value, error) {
	vals := make([]driver.Value, len(args))
	for i, a := range args {
		if a.Name != "" {
			return nil, errors.New("greensql: the driver does not support named parameters")
		}
		vals[i] = a.Value
	}
	return vals, nil
}
