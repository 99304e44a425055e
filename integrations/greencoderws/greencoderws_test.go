package greencoderws_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/greenrt/green/green"
	"github.com/greenrt/green/integrations/greencoderws"
	"github.com/greenrt/green/integrations/internal/loadtest"
	"github.com/greenrt/green/internal/testutil"
)

// echoServer answers each message after 5 ms, on loopback, in plain
// goroutines (net/http).
func echoServer(t testing.TB) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		ctx := context.Background()
		for {
			typ, msg, err := c.Read(ctx)
			if err != nil {
				return
			}
			time.Sleep(5 * time.Millisecond)
			if err := c.Write(ctx, typ, msg); err != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

func roundTrip(ctx context.Context, c *websocket.Conn, w, i int) error {
	msg := []byte(fmt.Sprintf("worker %d message %d", w, i))
	if err := c.Write(ctx, websocket.MessageText, msg); err != nil {
		return err
	}
	_, got, err := c.Read(ctx)
	if err != nil {
		return err
	}
	if !bytes.Equal(got, msg) {
		return fmt.Errorf("sent %q, got %q", msg, got)
	}
	return nil
}

type dialFunc func(context.Context, string, *websocket.DialOptions) (*websocket.Conn, *http.Response, error)

func perConn(url string, dial dialFunc) loadtest.PhasedWorker {
	return func(w, ops int, connected func()) error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, _, err := dial(ctx, url, nil)
		if err != nil {
			return err
		}
		defer c.CloseNow()
		connected()
		for i := 0; i < ops; i++ {
			if err := roundTrip(ctx, c, w, i); err != nil {
				return err
			}
		}
		return c.Close(websocket.StatusNormalClosure, "")
	}
}

// 200 greenlets, a connection each, 20 round trips of 5 ms; reads and
// writes with a context (coder/websocket's deadline machinery in play).
func TestConnPerGreenlet(t *testing.T) {
	h := testutil.NewHub(t)
	url := echoServer(t)
	plainClient := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	t.Cleanup(plainClient.CloseIdleConnections)
	loadtest.ComparePhased(t, h.Hub, loadtest.Setup{Name: "coder/websocket conn per greenlet"},
		perConn(url, greencoderws.Dial),
		perConn(url, func(ctx context.Context, u string, _ *websocket.DialOptions) (*websocket.Conn, *http.Response, error) {
			return websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: plainClient})
		}))
}

// 200 greenlets share 20 connections (10 to 1), one green.Lock each.
func TestSharedConns(t *testing.T) {
	h := testutil.NewHub(t)
	url := echoServer(t)
	ctx := context.Background()
	const n = 20
	gconns := make([]*websocket.Conn, n)
	pconns := make([]*websocket.Conn, n)
	glocks := make([]green.Lock, n)
	plocks := make([]sync.Mutex, n)
	for i := range gconns {
		var err error
		if pconns[i], _, err = websocket.Dial(ctx, url, nil); err != nil {
			t.Fatal(err)
		}
		v, err := green.SpawnOn(h.Hub, func() (*websocket.Conn, error) {
			c, _, err := greencoderws.Dial(ctx, url, nil)
			return c, err
		}).Get()
		if err != nil {
			t.Fatal(err)
		}
		gconns[i] = v.(*websocket.Conn)
	}
	t.Cleanup(func() {
		for i := range gconns {
			gconns[i].CloseNow()
			pconns[i].CloseNow()
		}
	})
	loadtest.Compare(t, h.Hub, loadtest.Setup{Name: "coder/websocket 20 conns shared by 200 greenlets"},
		func(w, ops int) error {
			for i := 0; i < ops; i++ {
				glocks[w%n].Acquire()
				err := roundTrip(ctx, gconns[w%n], w, i)
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
				err := roundTrip(ctx, pconns[w%n], w, i)
				plocks[w%n].Unlock()
				if err != nil {
					return err
				}
			}
			return nil
		})
}

// A context that ends during a read ends it, and the hub keeps running.
func TestReadContext(t *testing.T) {
	h := testutil.NewHub(t)
	url := echoServer(t)
	gt := testutil.StartGapTicker(h.Hub, time.Millisecond)
	_, err := green.SpawnOn(h.Hub, func() error {
		c, _, err := greencoderws.Dial(context.Background(), url, nil)
		if err != nil {
			return err
		}
		defer c.CloseNow()
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, _, err = c.Read(ctx) // the server never writes first
		return err
	}).Get()
	if err == nil {
		t.Fatal("a read with nothing to read returned no error")
	}
	if gap := gt.Stop(); gap > loadtest.GapBound() {
		t.Errorf("hub gap %v during a 50 ms read", gap)
	}
}
