package greenpgx_test

import (
	"context"
	"fmt"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/integrations/greenpgx"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Each greenlet has its own connection; the queries of all of them overlap
// on one hub.
func ExampleConnect() {
	sum := 0
	gs := make([]*green.Greenlet, 5)
	for i := range gs {
		gs[i] = green.Spawn(func() error {
			ctx := context.Background()
			conn, err := greenpgx.Connect(ctx, dsn())
			if err != nil {
				return err
			}
			defer conn.Close(ctx)
			var v int
			err = conn.QueryRow(ctx, "SELECT $1::int FROM pg_sleep(0.05)", i).Scan(&v)
			sum += v // greenlets of one hub need no lock
			return err
		})
	}
	green.JoinAll(gs...)
	fmt.Println(sum, gs[0].Err())
	// Output: 10 <nil>
}

// Fifty greenlets share a pool of four connections: an Acquire parks its
// greenlet until a connection is free.
func ExampleConfigurePool() {
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(dsn())
	if err != nil {
		panic(err)
	}
	cfg.MaxConns = 4
	pool, err := pgxpool.NewWithConfig(ctx, greenpgx.ConfigurePool(cfg))
	if err != nil {
		panic(err)
	}
	defer pool.Close() // from a plain goroutine: Close waits on a channel

	total := 0
	gs := make([]*green.Greenlet, 50)
	for i := range gs {
		gs[i] = green.Spawn(func() error {
			var v int
			err := pool.QueryRow(ctx, "SELECT $1::int FROM pg_sleep(0.01)", i).Scan(&v)
			total += v
			return err
		})
	}
	green.JoinAll(gs...)
	fmt.Println(total, pool.Stat().TotalConns() <= 4)
	// Output: 1225 true
}
