package greenredigo_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gomodule/redigo/redis"
	"github.com/greenrt/green/green"
	"github.com/greenrt/green/integrations/greenredigo"
	"github.com/greenrt/green/integrations/internal/loadtest"
	"github.com/greenrt/green/integrations/internal/servers"
	"github.com/greenrt/green/internal/testutil"
)

var runID atomic.Int64

func prefix() string { return "r" + strconv.FormatInt(runID.Add(1), 10) }

func newPools(t *testing.T, size int) (*greenredigo.Pool, *redis.Pool) {
	t.Helper()
	servers.Need(t, "redis")
	addr := redisSrv.Addr()
	gp := greenredigo.NewPool(&redis.Pool{
		MaxActive: size, MaxIdle: size, Wait: true,
		DialContext: func(ctx context.Context) (redis.Conn, error) {
			return greenredigo.DialContext(ctx, "tcp", addr)
		},
	})
	plain := &redis.Pool{
		MaxActive: size, MaxIdle: size, Wait: true,
		DialContext: func(ctx context.Context) (redis.Conn, error) {
			return redis.DialContext(ctx, "tcp", addr)
		},
	}
	t.Cleanup(func() { gp.Close(); plain.Close() })
	return gp, plain
}

type getter interface{ Get() redis.Conn }

// worker: per op, a connection from the pool, a pipeline of a BLPOP that
// times out after 5 ms on the server and an INCR whose value is checked.
func worker(p getter) loadtest.Worker {
	pre := prefix()
	return func(w, ops int) error {
		empty := fmt.Sprintf("%s:empty:%d", pre, w)
		ctr := fmt.Sprintf("%s:ctr:%d", pre, w)
		for i := 0; i < ops; i++ {
			c := p.Get()
			c.Send("BLPOP", empty, "0.005")
			c.Send("INCR", ctr)
			r, err := redis.Values(c.Do(""))
			c.Close()
			if err != nil {
				return err
			}
			if len(r) != 2 || r[0] != nil {
				return fmt.Errorf("op %d: replies %v", i, r)
			}
			if n, err := redis.Int(r[1], nil); err != nil || n != i+1 {
				return fmt.Errorf("op %d: INCR = %v, %v; want %d", i, n, err, i+1)
			}
		}
		return nil
	}
}

// 200 greenlets x 20 round trips of 5 ms through a pool of 20 (10
// greenlets per connection) against 200 goroutines on a stock pool.
func TestLoad(t *testing.T) {
	h := testutil.NewHub(t)
	gp, plain := newPools(t, 20)
	loadtest.Compare(t, h.Hub, loadtest.Setup{Name: "redigo Pool MaxActive 20"},
		func(w, ops int) error { return worker(gp)(w, ops) },
		func(w, ops int) error { return worker(plain)(w, ops) })
	if s := gp.Stats(); s.ActiveCount > 20 || s.WaitCount != 0 {
		t.Errorf("stats %+v: redigo's own pool waited", s)
	}
}

// A connection per greenlet, dialed directly, without a pool.
func TestConnPerGreenlet(t *testing.T) {
	h := testutil.NewHub(t)
	servers.Need(t, "redis")
	addr := redisSrv.Addr()
	one := func(dial func() (redis.Conn, error)) loadtest.PhasedWorker {
		pre := prefix()
		return func(w, ops int, connected func()) error {
			c, err := dial()
			if err != nil {
				return err
			}
			defer c.Close()
			connected()
			ctr := fmt.Sprintf("%s:ctr:%d", pre, w)
			if _, err := c.Do("DEL", ctr); err != nil {
				return err
			}
			for i := 0; i < ops; i++ {
				if r, err := c.Do("BLPOP", pre+":empty", "0.005"); r != nil || err != nil {
					return fmt.Errorf("BLPOP: %v %v", r, err)
				}
				if n, err := redis.Int(c.Do("INCR", ctr)); err != nil || n != i+1 {
					return fmt.Errorf("INCR = %v, %v", n, err)
				}
			}
			return nil
		}
	}
	loadtest.ComparePhased(t, h.Hub, loadtest.Setup{Name: "redigo conn per greenlet"},
		one(func() (redis.Conn, error) { return greenredigo.Dial("tcp", addr) }),
		one(func() (redis.Conn, error) { return redis.Dial("tcp", addr) }))
}

// DoContext runs on the thread pool from a greenlet (redigo would wait on
// a channel), and a context that ends while waiting for a connection ends
// the wait.
func TestContexts(t *testing.T) {
	h := testutil.NewHub(t)
	gp, _ := newPools(t, 1)
	gt := testutil.StartGapTicker(h.Hub, time.Millisecond)
	held := gp.Get()
	v, err := green.SpawnOn(h.Hub, func() (any, error) {
		return redis.DoContext(held, context.Background(), "BLPOP", prefix()+":empty", "0.1")
	}).Get()
	if err != nil || v != nil {
		t.Fatalf("DoContext: %v %v", v, err)
	}
	_, err = green.SpawnOn(h.Hub, func() (any, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		defer cancel()
		c, err := gp.GetContext(ctx) // the only connection is held
		if err == nil {
			c.Close()
		}
		return nil, err
	}).Get()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("GetContext on a full pool: %v", err)
	}
	if gap := gt.Stop(); gap > loadtest.GapBound() {
		t.Errorf("hub gap %v during a 100 ms DoContext", gap)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := gp.GetContext(ctx); !errors.Is(err, context.DeadlineExceeded) { // a plain goroutine
		t.Fatalf("a second connection from a pool of one: %v", err)
	}
	held.Close()
	c := gp.Get()
	if _, err := c.Do("PING"); err != nil {
		t.Fatal(err)
	}
	c.Close()
}

// More greenlets than connections, each killed or timing out at random
// points, leave the pool whole.
func TestKills(t *testing.T) {
	h := testutil.NewHub(t)
	gp, _ := newPools(t, 3)
	var gs []*green.Greenlet
	for i := 0; i < 30; i++ {
		gs = append(gs, green.SpawnOn(h.Hub, func() error {
			c := gp.Get()
			defer c.Close()
			_, err := c.Do("BLPOP", prefix()+":empty", "0.02")
			return err
		}))
	}
	time.Sleep(15 * time.Millisecond)
	for i := 0; i < len(gs); i += 2 {
		gs[i].Kill()
	}
	green.JoinAll(gs...)
	for i, g := range gs {
		if i%2 == 1 && g.Err() != nil {
			t.Errorf("greenlet %d: %v", i, g.Err())
		}
	}
	conns := make([]redis.Conn, 3)
	for i := range conns {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		c, err := gp.GetContext(ctx)
		cancel()
		if err != nil {
			t.Fatalf("connection %d after the kills: %v", i, err)
		}
		conns[i] = c
	}
	for _, c := range conns {
		c.Close()
	}
}
