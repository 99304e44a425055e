package greengorilla_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gorilla/websocket"
	"github.com/greenrt/green/green"
	"github.com/greenrt/green/integrations/greengorilla"
)

// Three greenlets each hold a websocket to an echo server; their round
// trips overlap on one hub.
func ExampleDialer() {
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
			c.WriteMessage(typ, append([]byte("echo: "), msg...))
		}
	}))
	defer srv.Close()
	url := "ws" + strings.TrimPrefix(srv.URL, "http")

	d := greengorilla.Dialer(nil) // websocket.DefaultDialer, cooperative
	gs := make([]*green.Greenlet, 3)
	for i := range gs {
		gs[i] = green.Spawn(func() (string, error) {
			c, _, err := d.Dial(url, nil)
			if err != nil {
				return "", err
			}
			defer c.Close()
			if err := c.WriteMessage(websocket.TextMessage, []byte(fmt.Sprint("hello ", i))); err != nil {
				return "", err
			}
			_, reply, err := c.ReadMessage()
			return string(reply), err
		})
	}
	green.JoinAll(gs...)
	for _, g := range gs {
		fmt.Println(g.Value(), g.Err())
	}
	// Output:
	// echo: hello 0 <nil>
	// echo: hello 1 <nil>
	// echo: hello 2 <nil>
}
