package greenpgx_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/integrations/greenpgx"
	"github.com/greenrt/green/integrations/internal/loadtest"
	"github.com/greenrt/green/integrations/internal/servers"
	"github.com/greenrt/green/internal/testutil"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// query is one operation: 5 ms of server-side latency and an answer to
// check.
const query = "SELECT $1::int FROM pg_sleep(0.005)"

type queryer interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func op(q queryer, w, i int) error {
	want := w*1000 + i
	var got int
	if err := q.QueryRow(context.Background(), query, want).Scan(&got); err != nil {
		return fmt.Errorf("op %d: %w", i, err)
	}
	if got != want {
		return fmt.Errorf("op %d: got %d, want %d", i, got, want)
	}
	return nil
}

// 200 greenlets, each with its own pgx.Conn, against 200 goroutines with
// theirs (connecting included). The hub-gap bound is four times the usual
// one here: 200 PostgreSQL backends (processes) answer within the same
// millisecond every 5 ms and share the machine's 2 cores with the hub's
// thread, which the kernel then preempts for tens of milliseconds (measured
// 60-150 ms with the machine loaded, 20-45 ms quiet); the greenlets' own
// work per wave of 200 answers is about 8 ms (CPU profile). A hub that
// blocked on each query would take 200 times as long and fail the time
// bound. TestSharedConns (20 connections) is held to the usual bound.
func TestConnPerGreenlet(t *testing.T) {
	servers.Need(t, "postgres")
	h := testutil.NewHub(t)
	cfg, err := pgx.ParseConfig(dsn())
	if err != nil {
		t.Fatal(err)
	}
	worker := func(connect func(context.Context, *pgx.ConnConfig) (*pgx.Conn, error)) loadtest.PhasedWorker {
		return func(w, ops int, connected func()) error {
			c, err := connect(context.Background(), cfg.Copy())
			if err != nil {
				return err
			}
			defer c.Close(context.Background())
			connected()
			for i := 0; i < ops; i++ {
				if err := op(c, w, i); err != nil {
					return err
				}
			}
			return nil
		}
	}
	loadtest.ComparePhased(t, h.Hub, loadtest.Setup{Name: "pgx.Conn per greenlet", MaxGap: 4 * loadtest.GapBound()},
		worker(greenpgx.ConnectConfig), worker(pgx.ConnectConfig))
}

// 20 connections shared by 200 greenlets (10 to 1), each connection
// guarded by a green.Lock; the goroutines guard theirs with a sync.Mutex.
func TestSharedConns(t *testing.T) {
	servers.Need(t, "postgres")
	h := testutil.NewHub(t)
	const n = 20
	ctx := context.Background()
	gconns := make([]*pgx.Conn, n)
	pconns := make([]*pgx.Conn, n)
	glocks := make([]*green.Lock, n)
	plocks := make([]sync.Mutex, n)
	for i := range gconns {
		var err error
		if pconns[i], err = pgx.Connect(ctx, dsn()); err != nil {
			t.Fatal(err)
		}
		v, err := green.SpawnOn(h.Hub, greenpgx.Connect, ctx, dsn()).Get()
		if err != nil {
			t.Fatal(err)
		}
		gconns[i], glocks[i] = v.(*pgx.Conn), new(green.Lock)
	}
	t.Cleanup(func() {
		for i := range gconns {
			pconns[i].Close(ctx)
			green.SpawnOn(h.Hub, gconns[i].Close, ctx).Join()
		}
	})
	loadtest.Compare(t, h.Hub, loadtest.Setup{Name: "pgx.Conn x 20 shared by 200 greenlets"},
		func(w, ops int) error {
			for i := 0; i < ops; i++ {
				glocks[w%n].Acquire()
				err := op(gconns[w%n], w, i)
				glocks[w%n].Release()
				if err != nil {
					return err
				}
			}
			return nil
		},
		func(w, ops int) error {
			for i := 0; i < ops; i++ {
				plocks[w%n].Lock()
				err := op(pconns[w%n], w, i)
				plocks[w%n].Unlock()
				if err != nil {
					return err
				}
			}
			return nil
		})
}

func newPools(t *testing.T, maxConns int32, tune func(*pgxpool.Config)) (gp, pp *pgxpool.Pool) {
	t.Helper()
	servers.Need(t, "postgres")
	mk := func(green bool) *pgxpool.Pool {
		cfg, err := pgxpool.ParseConfig(dsn())
		if err != nil {
			t.Fatal(err)
		}
		cfg.MaxConns = maxConns
		if tune != nil {
			tune(cfg)
		}
		if green {
			cfg = greenpgx.ConfigurePool(cfg)
		}
		p, err := pgxpool.NewWithConfig(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(p.Close)
		return p
	}
	return mk(true), mk(false)
}

// 200 greenlets x 20 queries through a pgxpool of 20 (10 to 1) against
// 200 goroutines through a stock pool.
func TestPool(t *testing.T) {
	h := testutil.NewHub(t)
	gp, pp := newPools(t, 20, nil)
	worker := func(p *pgxpool.Pool) loadtest.Worker {
		return func(w, ops int) error {
			for i := 0; i < ops; i++ {
				if err := op(p, w, i); err != nil {
					return err
				}
			}
			return nil
		}
	}
	loadtest.Compare(t, h.Hub, loadtest.Setup{Name: "pgxpool MaxConns 20"}, worker(gp), worker(pp))
	if s := gp.Stat(); s.TotalConns() > 20 {
		t.Errorf("%d connections in a pool of 20", s.TotalConns())
	}
}

// Transactions, batches and rows hold a connection across several round
// trips: 100 greenlets on a pool of 5.
func TestPoolTxOutnumbered(t *testing.T) {
	h := testutil.NewHub(t)
	gp, pp := newPools(t, 5, nil)
	ctx := context.Background()
	if _, err := gp.Exec(ctx, "CREATE TABLE IF NOT EXISTS counters (id int PRIMARY KEY, n int)"); err != nil {
		t.Fatal(err)
	}
	if _, err := gp.Exec(ctx, "INSERT INTO counters VALUES (1, 0) ON CONFLICT (id) DO UPDATE SET n = 0"); err != nil {
		t.Fatal(err)
	}
	const workers, ops = 100, 3
	work := func(gp *pgxpool.Pool) loadtest.Worker {
		return func(w, ops int) error {
			for i := 0; i < ops; i++ {
				err := pgx.BeginFunc(ctx, gp, func(tx pgx.Tx) error {
					var n int
					if err := tx.QueryRow(ctx, "SELECT n FROM counters WHERE id = 1 FOR UPDATE").Scan(&n); err != nil {
						return err
					}
					_, err := tx.Exec(ctx, "UPDATE counters SET n = $1 WHERE id = 1", n+1)
					return err
				})
				if err != nil {
					return err
				}
				b := &pgx.Batch{}
				b.Queue(query, w)
				b.Queue("SELECT 2")
				res := gp.SendBatch(ctx, b)
				var a, two int
				err1 := res.QueryRow().Scan(&a)
				err2 := res.QueryRow().Scan(&two)
				if err := errors.Join(err1, err2, res.Close()); err != nil || a != w || two != 2 {
					return fmt.Errorf("batch: %d %d %v", a, two, err)
				}
				rows, err := gp.Query(ctx, "SELECT generate_series(1, 3)")
				if err != nil {
					return err
				}
				sum := 0
				for rows.Next() {
					var v int
					rows.Scan(&v)
					sum += v
					green.Yield() // hold the connection across switches
				}
				if rows.Close(); rows.Err() != nil || sum != 6 {
					return fmt.Errorf("rows: %d %v", sum, rows.Err())
				}
			}
			return nil
		}
	}
	f := loadtest.Compare(t, h.Hub, loadtest.Setup{Name: "pgxpool tx/batch/rows, MaxConns 5", Workers: workers, Ops: ops},
		work(gp), work(pp))
	want := 2 * f.Rounds * workers * ops
	var n int
	if err := gp.QueryRow(ctx, "SELECT n FROM counters WHERE id = 1").Scan(&n); err != nil || n != want {
		t.Fatalf("counter = %d, %v; want %d", n, err, want)
	}
}

// Cancellation: a context that ends while waiting for a connection, and
// one that ends during a query; the pool stays whole and the hub runs.
func TestPoolContexts(t *testing.T) {
	h := testutil.NewHub(t)
	gp, _ := newPools(t, 1, nil)
	gt := testutil.StartGapTicker(h.Hub, time.Millisecond)
	slow := green.SpawnOn(h.Hub, func() error {
		_, err := gp.Exec(context.Background(), "SELECT pg_sleep(0.2)")
		return err
	})
	time.Sleep(50 * time.Millisecond)
	_, err := green.SpawnOn(h.Hub, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		defer cancel()
		_, err := gp.Exec(ctx, "SELECT 1") // the only connection is busy
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
		_, err := gp.Exec(ctx, "SELECT pg_sleep(1)")
		return err
	}).Get()
	if err == nil {
		t.Errorf("a 1 s query with a 30 ms context succeeded")
	}
	if v, err := green.SpawnOn(h.Hub, func() (int, error) {
		var one int
		err := gp.QueryRow(context.Background(), "SELECT 1").Scan(&one)
		return one, err
	}).Get(); err != nil || v != 1 {
		t.Fatalf("after the cancellations: %v %v", v, err)
	}
	if gap := gt.Stop(); gap > loadtest.GapBound() {
		t.Errorf("hub gap %v", gap)
	}
}

// A connection idle past ShouldPing's threshold is pinged by the acquiring
// greenlet, and the user's hooks are called.
func TestPoolHooks(t *testing.T) {
	h := testutil.NewHub(t)
	var pings, prepares, releases, closes atomic.Int32
	gp, _ := newPools(t, 2, func(cfg *pgxpool.Config) {
		cfg.ShouldPing = func(_ context.Context, p pgxpool.ShouldPingParams) bool {
			if p.IdleDuration > 20*time.Millisecond {
				pings.Add(1)
				return true
			}
			return false
		}
		cfg.PrepareConn = func(context.Context, *pgx.Conn) (bool, error) { prepares.Add(1); return true, nil }
		cfg.AfterRelease = func(*pgx.Conn) bool { return releases.Add(1)%2 == 0 } // every other one is closed
		cfg.BeforeClose = func(*pgx.Conn) { closes.Add(1) }
	})
	one := func() error {
		var v int
		return gp.QueryRow(context.Background(), "SELECT 1").Scan(&v)
	}
	for i := 0; i < 4; i++ {
		if _, err := green.SpawnOn(h.Hub, one).Get(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(30 * time.Millisecond)
	}
	if prepares.Load() != 4 || releases.Load() != 4 || closes.Load() != 2 || pings.Load() != 1 {
		t.Fatalf("prepares %d, releases %d, closes %d, pings %d; want 4, 4, 2, 1",
			prepares.Load(), releases.Load(), closes.Load(), pings.Load())
	}
}
