package greenredis_test

import (
	"context"
	"fmt"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/integrations/greenredis"
	"github.com/redis/go-redis/v9"
)

// Twenty greenlets share a pool of four connections; each command parks
// its greenlet while a thread-pool goroutine runs it.
func ExampleNewClient() {
	rdb := greenredis.NewClient(&redis.Options{Addr: redisAddr(), PoolSize: 4})
	defer rdb.Close()
	ctx := context.Background()
	rdb.Del(ctx, "example:hits")

	gs := make([]*green.Greenlet, 20)
	for i := range gs {
		gs[i] = green.Spawn(func() error { return rdb.Incr(ctx, "example:hits").Err() })
	}
	green.JoinAll(gs...)
	for _, g := range gs {
		if err := g.Err(); err != nil {
			fmt.Println(err)
		}
	}

	n, err := rdb.Get(ctx, "example:hits").Int() // a plain goroutine: runs in place
	fmt.Println(n, err)
	// Output: 20 <nil>
}
