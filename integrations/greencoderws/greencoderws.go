// Package greencoderws makes coder/websocket (github.com/coder/websocket)
// clients cooperative in greenlets: Dial runs the handshake off the hub
// and returns a connection whose reads and writes park the calling
// greenlet.
//
//	c, _, err := greencoderws.Dial(ctx, "ws://host/path", nil)
//	err = c.Write(ctx, websocket.MessageText, msg) // parks only if the socket is full
//	_, reply, err := c.Read(ctx)                  // parks until the reply arrives
//
// coder/websocket makes its handshake through net/http's client, whose
// Transport reads and writes on goroutines of its own while the caller
// waits on Go channels: called from a greenlet that stops the hub for the
// whole handshake. Dial runs websocket.Dial on the thread pool while the
// greenlet parks, with an http.Transport dialing through netwrap; after
// the handshake net/http hands the connection over, and coder/websocket
// reads and writes it on the calling goroutine: a netwrap connection, so a
// greenlet parks. Its context handling (context.AfterFunc) and its locks
// (channels, uncontended when one greenlet uses a connection) do not wait.
//
// # What still waits on channels
//
// Conn.Ping waits on a Go channel for the pong, which another greenlet's
// Read delivers: call it from a plain goroutine (or threadpool.Do), never
// from a greenlet. Reading from two greenlets at once, or closing from one
// while another reads, makes the second wait on coder/websocket's channel
// lock: keep one reader greenlet per connection. CloseRead starts a reading
// goroutine of coder/websocket's own, which is fine.
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
