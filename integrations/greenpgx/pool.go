package greenpgx

import (
	"context"
	"sync"
	"time"

	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/integrations/internal/gsem"
	"github.com/greenrt/green/threadpool"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/multitracer"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ConfigurePool prepares cfg for greenlets and returns it (see the package
// documentation): ConfigureConn on cfg.ConnConfig, a tracer guarding the
// pool with a cooperative semaphore of cfg.MaxConns permits (combined with
// cfg.ConnConfig.Tracer, if any, through multitracer), and the liveness
// ping and connection creation moved off the hub. cfg.ShouldPing,
// PrepareConn (or BeforeAcquire), AfterRelease and BeforeClose keep their
// meaning: ConfigurePool calls them itself, on the calling greenlet.
//
// Set MaxConns before; change nothing in cfg afterwards. Close the pool
// from a plain goroutine (or through threadpool.Do): pgxpool's Close waits
// on a channel until every connection is released.
func ConfigurePool(cfg *pgxpool.Config) *pgxpool.Config {
	ConfigureConn(cfg.ConnConfig)
	g := &guard{
		sem:          gsem.New(int(cfg.MaxConns)),
		held:         make(map[*pgx.Conn]struct{}),
		released:     make(map[*pgx.Conn]time.Time),
		shouldPing:   cfg.ShouldPing,
		prepare:      cfg.PrepareConn,
		afterRelease: cfg.AfterRelease,
		beforeClose:  cfg.BeforeClose,
		pingTimeout:  cfg.PingTimeout,
	}
	//lint:ignore SA1019 still honoured, as pgxpool does
	if g.prepare == nil && cfg.BeforeAcquire != nil {
		//lint:ignore SA1019 still honoured, as pgxpool does
		before := cfg.BeforeAcquire
		g.prepare = func(ctx context.Context, c *pgx.Conn) (bool, error) { return before(ctx, c), nil }
	}
	if g.shouldPing == nil {
		g.shouldPing = func(_ context.Context, p pgxpool.ShouldPingParams) bool { return p.IdleDuration > time.Second }
	}
	cfg.ShouldPing = func(context.Context, pgxpool.ShouldPingParams) bool { return false }
	cfg.PrepareConn = g.prepareConn
	//lint:ignore SA1019 replaced by PrepareConn, which calls it
	cfg.BeforeAcquire = nil
	cfg.AfterRelease = nil
	cfg.BeforeClose = g.closing

	var t *multitracer.Tracer
	if cfg.ConnConfig.Tracer != nil {
		t = multitracer.New(cfg.ConnConfig.Tracer)
	} else {
		t = &multitracer.Tracer{}
	}
	t.PoolAcquireTracers = append([]pgxpool.AcquireTracer{g}, t.PoolAcquireTracers...)
	t.PoolReleaseTracers = append(t.PoolReleaseTracers, g)
	cfg.ConnConfig.Tracer = t
	return cfg
}

// NewPool is pgxpool.NewWithConfig with a configuration parsed from
// connString and prepared by ConfigurePool.
func NewPool(ctx context.Context, connString string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(connString)
	if err != nil {
		return nil, err
	}
	return pgxpool.NewWithConfig(ctx, ConfigurePool(cfg))
}

// NewPoolWithConfig is pgxpool.NewWithConfig(ctx, ConfigurePool(cfg)).
func NewPoolWithConfig(ctx context.Context, cfg *pgxpool.Config) (*pgxpool.Pool, error) {
	return pgxpool.NewWithConfig(ctx, ConfigurePool(cfg))
}

// guard is the tracer and set of hooks ConfigurePool installs.
type guard struct {
	sem *gsem.Semaphore

	mu       sync.Mutex
	held     map[*pgx.Conn]struct{}  // acquired with a permit
	released map[*pgx.Conn]time.Time // when last released, for ShouldPing

	shouldPing   func(context.Context, pgxpool.ShouldPingParams) bool
	prepare      func(context.Context, *pgx.Conn) (bool, error)
	afterRelease func(*pgx.Conn) bool
	beforeClose  func(*pgx.Conn)
	pingTimeout  time.Duration
}

// stateKey carries an Acquire's *acquireState; internalKey marks the
// guard's own acquires (warm), which take no permit.
type (
	stateKey    struct{}
	internalKey struct{}
)

type acquireState struct{ permit bool }

// TraceAcquireStart takes a permit before pgxpool asks puddle for a
// connection. If ctx ends first, the returned (ended) context makes
// puddle fail at once with its error.
func (g *guard) TraceAcquireStart(ctx context.Context, pool *pgxpool.Pool, _ pgxpool.TraceAcquireStartData) context.Context {
	if ctx.Value(internalKey{}) != nil {
		return ctx
	}
	st := &acquireState{}
	ctx = context.WithValue(ctx, stateKey{}, st)
	if g.sem.Acquire(ctx) != nil {
		return ctx
	}
	st.permit = true
	g.warm(ctx, pool)
	return ctx
}

// warm makes the connection that puddle would create for this Acquire on a
// thread-pool goroutine, so that the greenlet parks meanwhile: puddle runs
// its constructor on a goroutine of its own and waits for it on a channel.
// A connection taken by another greenlet in between is created by puddle
// as usual.
func (g *guard) warm(ctx context.Context, pool *pgxpool.Pool) {
	if gr, _ := hub.Current(); gr == nil {
		return
	}
	s := pool.Stat()
	if s.IdleConns() > 0 || s.TotalConns() >= s.MaxConns() {
		return
	}
	ictx := context.WithValue(ctx, internalKey{}, true)
	_, _ = threadpool.CallContext(ictx, func(ctx context.Context) (struct{}, error) {
		c, err := pool.Acquire(ctx)
		if err == nil {
			c.Release()
		}
		return struct{}{}, nil
	})
}

// TraceAcquireEnd records the connection as held, or gives the permit back
// if the Acquire failed.
func (g *guard) TraceAcquireEnd(ctx context.Context, _ *pgxpool.Pool, data pgxpool.TraceAcquireEndData) {
	if ctx.Value(internalKey{}) != nil { // warm's, whose context has its caller's state
		return
	}
	st, _ := ctx.Value(stateKey{}).(*acquireState)
	if st == nil || !st.permit {
		return
	}
	if data.Err != nil || data.Conn == nil {
		g.sem.Release()
		return
	}
	g.mu.Lock()
	g.held[data.Conn] = struct{}{}
	g.mu.Unlock()
}

// TraceRelease runs at the start of Conn.Release, on the releasing
// greenlet: it runs the user's AfterRelease (closing the connection if it
// says no), closes a connection that pgxpool is about to destroy off the
// hub (pgxpool would wait on a channel for its clean-up), and gives the
// permit back. pgxpool then returns the connection to puddle or destroys
// it without waiting, before any greenlet woken by the permit runs.
func (g *guard) TraceRelease(_ *pgxpool.Pool, data pgxpool.TraceReleaseData) {
	c := data.Conn
	g.mu.Lock()
	_, ok := g.held[c]
	delete(g.held, c)
	g.mu.Unlock()
	if !ok {
		return
	}
	defer g.sem.Release()
	if g.afterRelease != nil && reusable(c) && !g.afterRelease(c) {
		closeConn(c)
	}
	if !reusable(c) {
		closeConn(c)
		return
	}
	g.mu.Lock()
	g.released[c] = time.Now()
	g.mu.Unlock()
}

// reusable is pgxpool's test for returning a connection to the pool.
func reusable(c *pgx.Conn) bool {
	return !c.IsClosed() && !c.PgConn().IsBusy() && c.PgConn().TxStatus() == 'I'
}

// closeConn closes c and waits for its clean-up (which may be under way on
// a pgx goroutine after a failed query) on the thread pool when called
// from a greenlet.
func closeConn(c *pgx.Conn) {
	do := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		c.Close(ctx)
		select {
		case <-c.PgConn().CleanupDone():
		case <-ctx.Done():
		}
	}
	if g, _ := hub.Current(); g == nil {
		do()
		return
	}
	_ = threadpool.Do(do)
}

// prepareConn is the pool's PrepareConn: the liveness ping that ShouldPing
// asks for, made on the acquiring greenlet (pgxpool would make it on a
// goroutine and wait on a channel), then the user's PrepareConn.
func (g *guard) prepareConn(ctx context.Context, c *pgx.Conn) (bool, error) {
	if ctx.Value(internalKey{}) != nil {
		return true, nil
	}
	g.mu.Lock()
	last, ok := g.released[c]
	g.mu.Unlock()
	var idle time.Duration
	if ok {
		idle = time.Since(last)
	}
	if g.shouldPing(ctx, pgxpool.ShouldPingParams{Conn: c, IdleDuration: idle}) {
		pctx := ctx
		if g.pingTimeout > 0 {
			var cancel context.CancelFunc
			pctx, cancel = context.WithTimeout(ctx, g.pingTimeout)
			defer cancel()
		}
		if err := c.Ping(pctx); err != nil {
			closeConn(c)
			return false, nil // pgxpool destroys it and tries another
		}
	}
	if g.prepare != nil {
		ok, err := g.prepare(ctx, c)
		if !ok {
			closeConn(c)
		}
		return ok, err
	}
	return true, nil
}

// closing is the pool's BeforeClose: it forgets c, then calls the user's.
func (g *guard) closing(c *pgx.Conn) {
	g.mu.Lock()
	delete(g.released, c)
	g.mu.Unlock()
	if g.beforeClose != nil {
		g.beforeClose(c)
	}
}
