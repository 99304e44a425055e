package greenredigo_test

import (
	"context"
	"fmt"

	"github.com/gomodule/redigo/redis"
	"github.com/greenrt/green/green"
	"github.com/greenrt/green/integrations/greenredigo"
)

// Twenty greenlets share four connections: Get parks a greenlet while all
// four are in use, and each Do parks it during its round trip.
func ExampleNewPool() {
	addr := redisAddr()
	pool := greenredigo.NewPool(&redis.Pool{
		MaxActive: 4, MaxIdle: 4, Wait: true,
		DialContext: func(ctx context.Context) (redis.Conn, error) {
			return greenredigo.DialContext(ctx, "tcp", addr)
		},
	})
	defer pool.Close()
	do := func(cmd string, args ...any) (any, error) {
		c := pool.Get()
		defer c.Close()
		return c.Do(cmd, args...)
	}
	do("DEL", "example:redigo")

	gs := make([]*green.Greenlet, 20)
	for i := range gs {
		gs[i] = green.Spawn(do, "INCR", "example:redigo")
	}
	green.JoinAll(gs...)

	n, err := redis.Int(do("GET", "example:redigo"))
	fmt.Println(n, err)
	// Output: 20 <nil>
}
