package greengorilla_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/greenrt/green/green"
	"github.com/greenrt/green/integrations/greengorilla"
	"github.com/greenrt/green/integrations/internal/loadtest"
	"github.com/greenrt/green/internal/testutil"
)

// echoServer answers each message after 5 ms, on loopback, in plain
// goroutines (net/http).
func echoServer(t testing.TB) string {
	up := websocket.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		for {
			typ, msg, err := c.ReadMessage()
			if err != nil {
				return
			}
			time.Sleep(5 * time.Millisecond)
			if err := c.WriteMessage(typ, msg); err != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

func roundTrip(c *websocket.Conn, w, i int) error {
	msg := []byte(fmt.Sprintf("worker %d message %d", w, i))
	if err := c.WriteMessage(websocket.TextMessage, msg); err != nil {
		return err
	}
	_, got, err := c.ReadMessage()
	if err != nil {
		return err
	}
	if !bytes.Equal(got, msg) {
		return fmt.Errorf("sent %q, got %q", msg, got)
	}
	return nil
}

func perConn(url string, d *websocket.Dialer) loadtest.PhasedWorker {
	return func(w, ops int, connected func()) error {
		c, _, err := d.DialContext(context.Background(), url, nil)
		if err != nil {
			return err
		}
		defer c.Close()
		connected()
		for i := 0; i < ops; i++ {
			if err := roundTrip(c, w, i); err != nil {
				return err
			}
		}
		return nil
	}
}

// 200 greenlets, a connection each, 20 round trips of 5 ms.
func TestConnPerGreenlet(t *testing.T) {
	h := testutil.NewHub(t)
	url := echoServer(t)
	loadtest.ComparePhased(t, h.Hub, loadtest.Setup{Name: "gorilla/websocket conn per greenlet"},
		perConn(url, greengorilla.DefaultDialer), perConn(url, websocket.DefaultDialer))
}

// 200 greenlets share 20 connections (10 to 1), one green.Lock each.
func TestSharedConns(t *testing.T) {
	h := testutil.NewHub(t)
	url := echoServer(t)
	const n = 20
	gconns := make([]*websocket.Conn, n)
	pconns := make([]*websocket.Conn, n)
	glocks := make([]green.Lock, n)
	plocks := make([]sync.Mutex, n)
	for i := range gconns {
		var err error
		if pconns[i], _, err = websocket.DefaultDialer.Dial(url, nil); err != nil {
			t.Fatal(err)
		}
		v, err := green.SpawnOn(h.Hub, func() (*websocket.Conn, error) {
			c, _, err := greengorilla.DefaultDialer.Dial(url, nil)
			return c, err
		}).Get()
		if err != nil {
			t.Fatal(err)
		}
		gconns[i] = v.(*websocket.Conn)
	}
	t.Cleanup(func() {
		for i := range gconns {
			gconns[i].Close()
			pconns[i].Close()
		}
	})
	loadtest.Compare(t, h.Hub, loadtest.Setup{Name: "gorilla/websocket 20 conns shared by 200 greenlets"},
		func(w, ops int) error {
			for i := 0; i < ops; i++ {
				glocks[w%n].Acquire()
				err := roundTrip(gconns[w%n], w, i)
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
				err := roundTrip(pconns[w%n], w, i)
				plocks[w%n].Unlock()
				if err != nil {
					return err
				}
			}
			return nil
		})
}

// A dialer's own dial function is kept.
func TestDialerKeepsOwnDial(t *testing.T) {
	own := &websocket.Dialer{NetDial: nil, HandshakeTimeout: time.Second}
	if d := greengorilla.Dialer(own); d.NetDialContext == nil || d.HandshakeTimeout != time.Second || own.NetDialContext != nil {
		t.Fatal("Dialer did not copy and set NetDialContext")
	}
	tls := &websocket.Dialer{NetDialTLSContext: func(context.Context, string, string) (net.Conn, error) { return nil, nil }}
	if d := greengorilla.Dialer(tls); d.NetDialContext != nil {
		t.Fatal("Dialer replaced a dialer's own dial function")
	}
}
