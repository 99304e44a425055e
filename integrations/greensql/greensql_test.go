package greensql_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/integrations/greenpgx"
	"github.com/greenrt/green/integrations/greensql"
	"github.com/greenrt/green/integrations/internal/loadtest"
	"github.com/greenrt/green/integrations/internal/servers"
	"github.com/greenrt/green/internal/testutil"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

const query = "SELECT $1::int FROM pg_sleep(0.005)"

// newDBs returns a database/sql DB through greensql (at most maxConns
// physical connections) and a stock one with MaxOpenConns maxConns, both
// on pgx's stdlib.
func newDBs(t *testing.T, maxConns int) (*sql.DB, *greensql.Connector, *sql.DB) {
	t.Helper()
	servers.Need(t, "postgres")
	cfg, err := pgx.ParseConfig(dsn())
	if err != nil {
		t.Fatal(err)
	}
	plain := stdlib.OpenDB(*cfg.Copy())
	plain.SetMaxOpenConns(maxConns)
	plain.SetMaxIdleConns(maxConns)
	c, err := greensql.NewConnector(stdlib.GetConnector(*greenpgx.ConfigureConn(cfg)), greensql.Options{MaxConns: maxConns})
	if err != nil {
		t.Fatal(err)
	}
	gdb := sql.OpenDB(c) // as greensql.OpenDB does
	gdb.SetMaxOpenConns(0)
	gdb.SetMaxIdleConns(maxConns)
	t.Cleanup(func() { gdb.Close(); plain.Close() })
	return gdb, c, plain
}

func op(db *sql.DB, w, i int) error {
	want := w*1000 + i
	var got int
	if err := db.QueryRowContext(context.Background(), query, want).Scan(&got); err != nil {
		return fmt.Errorf("op %d: %w", i, err)
	}
	if got != want {
		return fmt.Errorf("op %d: got %d, want %d", i, got, want)
	}
	return nil
}

func worker(db *sql.DB) loadtest.Worker {
	return func(w, ops int) error {
		for i := 0; i < ops; i++ {
			if err := op(db, w, i); err != nil {
				return err
			}
		}
		return nil
	}
}

// 200 greenlets x 20 queries through 20 physical connections (10 to 1)
// against 200 goroutines on a stock DB with MaxOpenConns 20.
func TestLoad(t *testing.T) {
	h := testutil.NewHub(t)
	gdb, c, plain := newDBs(t, 20)
	var maxOpen atomic.Int32
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the bound holds throughout
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
			open, _ := c.Stats()
			if int32(open) > maxOpen.Load() {
				maxOpen.Store(int32(open))
			}
		}
	}()
	loadtest.Compare(t, h.Hub, loadtest.Setup{Name: "database/sql + pgx stdlib, 20 connections"}, worker(gdb), worker(plain))
	close(stop)
	wg.Wait()
	if maxOpen.Load() > 20 {
		t.Errorf("%d physical connections open at once, limit 20", maxOpen.Load())
	}
}

// Transactions, a *sql.Conn with session state, a prepared statement
// shared by everybody and rows read across switches: 100 greenlets and 10
// goroutines on 5 physical connections, against 100 goroutines on a stock
// DB with MaxOpenConns 5.
func TestOutnumbered(t *testing.T) {
	h := testutil.NewHub(t)
	gdb, c, plain := newDBs(t, 5)
	ctx := context.Background()
	mustExec := func(q string) {
		if _, err := gdb.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	mustExec("CREATE TABLE IF NOT EXISTS sqlcounters (id int PRIMARY KEY, n int)")
	mustExec("INSERT INTO sqlcounters VALUES (1, 0) ON CONFLICT (id) DO UPDATE SET n = 0")
	const workers, ops = 100, 3
	work := func(gdb *sql.DB) loadtest.Worker {
		stmt, err := gdb.PrepareContext(ctx, "SELECT $1::int * 2")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { stmt.Close() })
		return func(w, ops int) error {
			for i := 0; i < ops; i++ {
				tx, err := gdb.BeginTx(ctx, nil)
				if err != nil {
					return err
				}
				var n int
				if err := tx.QueryRowContext(ctx, "SELECT n FROM sqlcounters WHERE id = 1 FOR UPDATE").Scan(&n); err != nil {
					tx.Rollback()
					return err
				}
				if _, err := tx.ExecContext(ctx, "UPDATE sqlcounters SET n = $1 WHERE id = 1", n+1); err != nil {
					tx.Rollback()
					return err
				}
				if err := tx.Commit(); err != nil {
					return err
				}
				var twice int
				if err := stmt.QueryRowContext(ctx, w).Scan(&twice); err != nil || twice != 2*w {
					return fmt.Errorf("statement: %d, %v", twice, err)
				}
				sc, err := gdb.Conn(ctx)
				if err != nil {
					return err
				}
				name := fmt.Sprintf("w%d", w)
				_, err = sc.ExecContext(ctx, "SET application_name = '"+name+"'")
				green.Yield()
				var got string
				if err == nil {
					err = sc.QueryRowContext(ctx, "SHOW application_name").Scan(&got)
				}
				sc.Close()
				if err != nil || got != name {
					return fmt.Errorf("session state: %q, %v", got, err)
				}
				rows, err := gdb.QueryContext(ctx, "SELECT generate_series(1, 3)")
				if err != nil {
					return err
				}
				sum := 0
				for rows.Next() {
					var v int
					rows.Scan(&v)
					sum += v
					green.Yield()
				}
				if rows.Close(); rows.Err() != nil || sum != 6 {
					return fmt.Errorf("rows: %d %v", sum, rows.Err())
				}
			}
			return nil
		}
	}
	gwork := work(gdb)
	var plainErrs []error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for g := 0; g < 10; g++ { // plain goroutines share the same connector
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := gwork(1000+g, ops); err != nil {
				mu.Lock()
				plainErrs = append(plainErrs, err)
				mu.Unlock()
			}
		}()
	}
	f := loadtest.Compare(t, h.Hub, loadtest.Setup{Name: "database/sql tx/conn/stmt/rows, 5 connections", Workers: workers, Ops: ops},
		gwork, work(plain))
	wg.Wait()
	if len(plainErrs) > 0 {
		t.Fatalf("goroutines: %v", plainErrs[0])
	}
	want := (2*f.Rounds*workers + 10) * ops
	var n int
	if err := gdb.QueryRowContext(ctx, "SELECT n FROM sqlcounters WHERE id = 1").Scan(&n); err != nil || n != want {
		t.Fatalf("counter = %d, %v; want %d", n, err, want)
	}
	if open, _ := c.Stats(); open > 5 {
		t.Fatalf("%d physical connections, limit 5", open)
	}
}

// A context that ends while waiting for a connection ends the wait; one
// that ends during a query fails it; the pool recovers in both cases, and
// from a server-side kill of every connection.
func TestContextsAndBadConns(t *testing.T) {
	h := testutil.NewHub(t)
	gdb, c, _ := newDBs(t, 1)
	gt := testutil.StartGapTicker(h.Hub, time.Millisecond)
	slow := green.SpawnOn(h.Hub, func() error {
		_, err := gdb.ExecContext(context.Background(), "SELECT pg_sleep(0.2)")
		return err
	})
	time.Sleep(50 * time.Millisecond)
	_, err := green.SpawnOn(h.Hub, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		defer cancel()
		_, err := gdb.ExecContext(ctx, "SELECT 1")
		return err
	}).Get()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiting for a connection: %v", err)
	}
	if _, err := slow.Get(); err != nil {
		t.Fatal(err)
	}
	_, err = green.SpawnOn(h.Hub, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		defer cancel()
		_, err := gdb.ExecContext(ctx, "SELECT pg_sleep(1)")
		return err
	}).Get()
	if err == nil {
		t.Error("a 1 s query with a 30 ms context succeeded")
	}
	one := func() (int, error) {
		var v int
		err := gdb.QueryRowContext(context.Background(), "SELECT 1").Scan(&v)
		return v, err
	}
	if v, err := green.SpawnOn(h.Hub, one).Get(); err != nil || v != 1 {
		t.Fatalf("after the cancellations: %v %v", v, err)
	}
	// Kill the server side of the idle physical connection: the next query
	// may fail (as with database/sql's own pool), the one after must not.
	var pid int
	if err := gdb.QueryRowContext(context.Background(), "SELECT pg_backend_pid()").Scan(&pid); err != nil {
		t.Fatal(err)
	}
	killer, err := pgx.Connect(context.Background(), dsn())
	if err != nil {
		t.Fatal(err)
	}
	var killed bool
	err = killer.QueryRow(context.Background(), "SELECT pg_terminate_backend($1)", pid).Scan(&killed)
	killer.Close(context.Background())
	if err != nil || !killed {
		t.Fatalf("pg_terminate_backend: %v %v", killed, err)
	}
	time.Sleep(20 * time.Millisecond)
	if _, err := green.SpawnOn(h.Hub, one).Get(); err != nil {
		t.Logf("first query after the kill: %v", err)
	}
	if v, err := green.SpawnOn(h.Hub, one).Get(); err != nil || v != 1 {
		t.Fatalf("after a server-side kill: %v %v", v, err)
	}
	if gap := gt.Stop(); gap > loadtest.GapBound() {
		t.Errorf("hub gap %v", gap)
	}
	if open, _ := c.Stats(); open > 1 {
		t.Errorf("%d physical connections, limit 1", open)
	}
}

func TestBadOptions(t *testing.T) {
	if _, err := greensql.NewConnector(nil, greensql.Options{MaxConns: 1}); err == nil {
		t.Error("nil connector accepted")
	}
	if _, err := greensql.OpenDB(stdlib.GetConnector(pgx.ConnConfig{}), greensql.Options{}); err == nil {
		t.Error("MaxConns 0 accepted")
	}
}
