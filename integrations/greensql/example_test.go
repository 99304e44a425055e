package greensql_test

import (
	"context"
	"fmt"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/integrations/greenpgx"
	"github.com/greenrt/green/integrations/greensql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Twenty greenlets query through database/sql with at most two connections
// to the server: a greenlet that finds both in use parks until one is
// returned.
func ExampleOpenDB() {
	cfg, err := pgx.ParseConfig(dsn())
	if err != nil {
		panic(err)
	}
	db, err := greensql.OpenDB(stdlib.GetConnector(*greenpgx.ConfigureConn(cfg)), greensql.Options{MaxConns: 2})
	if err != nil {
		panic(err)
	}
	defer db.Close()

	total := 0
	gs := make([]*green.Greenlet, 20)
	for i := range gs {
		gs[i] = green.Spawn(func() error {
			var v int
			err := db.QueryRowContext(context.Background(), "SELECT $1::int FROM pg_sleep(0.01)", i).Scan(&v)
			total += v
			return err
		})
	}
	green.JoinAll(gs...)
	fmt.Println(total, gs[19].Err())
	// Output: 190 <nil>
}
