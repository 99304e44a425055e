package greenredis_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/integrations/greenredis"
	"github.com/greenrt/green/integrations/internal/loadtest"
	"github.com/greenrt/green/integrations/internal/servers"
	"github.com/greenrt/green/internal/testutil"
	"github.com/greenrt/green/threadpool"
	"github.com/redis/go-redis/v9"
)

var runID atomic.Int64

// newClients returns a client set up for greenlets (its own thread pool,
// closed at the end) and a stock client, both with the given pool size.
func newClients(t *testing.T, poolSize int) (gc, plain *redis.Client) {
	t.Helper()
	return newClientsB(t, poolSize)
}

func newClientsB(t testing.TB, poolSize int) (gc, plain *redis.Client) {
	t.Helper()
	servers.Need(t, "redis")
	tp, err := threadpool.New(512)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tp.Close)
	gc = redis.NewClient(greenredis.Configure(&redis.Options{Addr: redisSrv.Addr(), PoolSize: poolSize}))
	gc.AddHook(&greenredis.Hook{Pool: tp})
	plain = redis.NewClient(&redis.Options{Addr: redisSrv.Addr(), PoolSize: poolSize})
	t.Cleanup(func() { gc.Close(); plain.Close() })
	return gc, plain
}

// worker does ops round trips, each a pipeline of a BLPOP that times out
// after 5 ms on the server (latency that does not stall redis-server) and
// an INCR of the worker's own counter, whose value is checked.
func worker(rdb *redis.Client, prefix string) loadtest.Worker {
	return func(w, ops int) error {
		ctx := context.Background()
		empty := fmt.Sprintf("%s:empty:%d", prefix, w)
		ctr := fmt.Sprintf("%s:ctr:%d", prefix, w)
		for i := 0; i < ops; i++ {
			var pop *redis.Cmd
			var incr *redis.IntCmd
			_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
				pop = p.Do(ctx, "blpop", empty, "0.005")
				incr = p.Incr(ctx, ctr)
				return nil
			})
			if err != nil && !errors.Is(err, redis.Nil) {
				return err
			}
			if !errors.Is(pop.Err(), redis.Nil) {
				return fmt.Errorf("op %d: BLPOP on an empty list: %v %v", i, pop.Val(), pop.Err())
			}
			if n, err := incr.Result(); err != nil || n != int64(i+1) {
				return fmt.Errorf("op %d: INCR = %d, %v; want %d", i, n, err, i+1)
			}
		}
		return nil
	}
}

func prefix() string { return "t" + strconv.FormatInt(runID.Add(1), 10) }

// 200 greenlets x 20 round trips of 5 ms through a pool of 20 connections
// (10 greenlets per connection) against 200 goroutines on a stock client.
func TestLoad(t *testing.T) {
	h := testutil.NewHub(t)
	gc, plain := newClients(t, 20)
	loadtest.Compare(t, h.Hub, loadtest.Setup{Name: "go-redis PoolSize 20"},
		func(w, ops int) error { return worker(gc, prefix())(w, ops) },
		func(w, ops int) error { return worker(plain, prefix())(w, ops) })
}

// Transactions hold a connection across commands: 100 greenlets doing
// optimistic increments with WATCH on a pool of 5 neither hang nor lose
// an update.
func TestWatchOutnumbered(t *testing.T) {
	h := testutil.NewHub(t)
	gc, plain := newClients(t, 5)
	key := prefix() + ":watched"
	const workers, ops = 100, 5
	incr := func(rdb *redis.Client) loadtest.Worker {
		return func(w, ops int) error {
			ctx := context.Background()
			for i := 0; i < ops; i++ {
				for {
					err := rdb.Watch(ctx, func(tx *redis.Tx) error {
						n, err := tx.Get(ctx, key).Int()
						if err != nil && !errors.Is(err, redis.Nil) {
							return err
						}
						_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
							p.Set(ctx, key, n+1, 0)
							return nil
						})
						return err
					}, key)
					if errors.Is(err, redis.TxFailedErr) {
						continue // somebody else's increment came first
					}
					if err != nil {
						return err
					}
					break
				}
			}
			return nil
		}
	}
	// Optimistic increments of one key retry on every conflict, and how
	// often depends on timing: the time is reported, loosely bounded.
	f := loadtest.Compare(t, h.Hub, loadtest.Setup{Name: "go-redis Watch, PoolSize 5", Workers: workers, Ops: ops, MaxRatio: 10},
		incr(gc), incr(plain))
	want := 2 * f.Rounds * workers * ops
	if n, err := gc.Get(context.Background(), key).Int(); err != nil || n != want {
		t.Fatalf("counter = %d, %v; want %d", n, err, want)
	}
}

// PubSub reads run on the subscribing greenlet, cooperatively.
func TestPubSub(t *testing.T) {
	h := testutil.NewHub(t)
	gc, _ := newClients(t, 4)
	ch := prefix() + ":chan"
	gt := testutil.StartGapTicker(h.Hub, time.Millisecond)
	const n = 50
	sub := green.SpawnOn(h.Hub, func() ([]string, error) {
		ctx := context.Background()
		ps := gc.Subscribe(ctx, ch)
		defer ps.Close()
		if _, err := ps.Receive(ctx); err != nil { // the subscription's confirmation
			return nil, err
		}
		var got []string
		for len(got) < n {
			m, err := ps.ReceiveMessage(ctx)
			if err != nil {
				return got, err
			}
			got = append(got, m.Payload)
		}
		return got, nil
	})
	pub := green.SpawnOn(h.Hub, func() error {
		ctx := context.Background()
		for i := 0; i < n; {
			subs, err := gc.Publish(ctx, ch, strconv.Itoa(i)).Result()
			if err != nil {
				return err
			}
			if subs == 0 { // not subscribed yet
				green.Sleep(time.Millisecond)
				continue
			}
			i++
		}
		return nil
	})
	if _, err := pub.Get(); err != nil {
		t.Fatal(err)
	}
	v, err := sub.Get()
	if err != nil {
		t.Fatal(err)
	}
	got := v.([]string)
	for i, s := range got {
		if s != strconv.Itoa(i) {
			t.Fatalf("message %d = %q", i, s)
		}
	}
	if gap := gt.Stop(); gap > loadtest.GapBound() {
		t.Errorf("hub gap %v during pub/sub", gap)
	}
}

// A greenlet killed during a long blocking command unwinds at once; the
// client stays usable.
func TestKillDuringCommand(t *testing.T) {
	h := testutil.NewHub(t)
	gc, _ := newClients(t, 2)
	key := prefix() + ":never"
	started := make(chan struct{})
	g := green.SpawnOn(h.Hub, func() error {
		close(started)
		return gc.Do(context.Background(), "blpop", key, "1").Err()
	})
	<-started
	time.Sleep(50 * time.Millisecond)
	t0 := time.Now()
	g.Kill()
	if d := time.Since(t0); d > 500*time.Millisecond {
		t.Errorf("kill took %v", d)
	}
	if !g.Successful() && !errors.Is(g.Err(), green.ErrGreenletExit) {
		t.Errorf("killed greenlet: %v", g.Err())
	}
	v, err := green.SpawnOn(h.Hub, func() (string, error) { return gc.Ping(context.Background()).Result() }).Get()
	if err != nil || v != "PONG" {
		t.Fatalf("ping after kill: %v %v", v, err)
	}
}

// From a plain goroutine the hooked client works as a stock one; from a
// hub callback its commands fail instead of blocking the hub.
func TestCallers(t *testing.T) {
	h := testutil.NewHub(t)
	gc, _ := newClients(t, 2)
	if v, err := gc.Ping(context.Background()).Result(); err != nil || v != "PONG" {
		t.Fatalf("plain goroutine: %v %v", v, err)
	}
	errc := make(chan error, 1)
	h.Post(func() { errc <- gc.Ping(context.Background()).Err() })
	if err := <-errc; !errors.Is(err, hub.ErrNotCoroutine) {
		t.Fatalf("hub callback: %v, want hub.ErrNotCoroutine", err)
	}
}
