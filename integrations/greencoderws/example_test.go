package greencoderws_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/coder/websocket"
	"github.com/greenrt/green/green"
	"github.com/greenrt/green/integrations/greencoderws"
)

// Three greenlets each dial a websocket (the handshake runs on the thread
// pool) and make a round trip on it (cooperatively, on the hub).
func ExampleDial() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		for {
			typ, msg, err := c.Read(r.Context())
			if err != nil {
				return
			}
			c.Write(r.Context(), typ, append([]byte("echo: "), msg...))
		}
	}))
	defer srv.Close()
	url := "ws" + strings.TrimPrefix(srv.URL, "http")

	gs := make([]*green.Greenlet, 3)
	for i := range gs {
		gs[i] = green.Spawn(func() (string, error) {
			ctx := context.Background()
			c, _, err := greencoderws.Dial(ctx, url, nil)
			if err != nil {
				return "", err
			}
			defer c.CloseNow()
			if err := c.Write(ctx, websocket.MessageText, []byte(fmt.Sprint("hello ", i))); err != nil {
				return "", err
			}
			_, reply, err := c.Read(ctx)
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
