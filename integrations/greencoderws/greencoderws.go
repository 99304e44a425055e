package greencoderws

import (
	"context"
	"net/http"

	"github.com/coder/websocket"
	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/netwrap"
	"github.com/greenrt/green/threadpool"
)

// Client is the http.Client Dial uses when opts.HTTPClient is nil: its
// Transport (a clone of http.DefaultTransport) dials with netwrap.
var Client = &http.Client{Transport: Transport(nil)}

// Transport returns a clone of t (nil: http.DefaultTransport, which must
// be an *http.Transport) that dials with netwrap.DialContext, for
// DialOptions.HTTPClient: the connections it makes are cooperative once
// coder/websocket owns them.
func Transport(t *http.Transport) *http.Transport {
	if t == nil {
		t = http.DefaultTransport.(*http.Transport)
	}
	c := t.Clone()
	c.DialContext = netwrap.DialContext
	return c
}

// Dial is websocket.Dial for greenlets: from a greenlet it runs on the
// thread pool while the greenlet parks (the handshake's context ends the
// wait and the handshake); from a plain goroutine it is websocket.Dial. A
// nil opts or opts.HTTPClient uses Client; an HTTPClient of one's own
// should have a Transport from Transport, or the connection's I/O will
// block the hub.
func Dial(ctx context.Context, u string, opts *websocket.DialOptions) (*websocket.Conn, *http.Response, error) {
	var o websocket.DialOptions
	if opts != nil {
		o = *opts
	}
	if o.HTTPClient == nil {
		o.HTTPClient = Client
	}
	g, h := hub.Current()
	if g == nil {
		if h != nil {
			return nil, nil, hub.ErrNotCoroutine
		}
		return websocket.Dial(ctx, u, &o)
	}
	type result struct {
		c    *websocket.Conn
		resp *http.Response
	}
	r, err := threadpool.CallContext(ctx, func(ctx context.Context) (result, error) {
		c, resp, err := websocket.Dial(ctx, u, &o)
		return result{c, resp}, err
	})
	return r.c, r.resp, err
}
