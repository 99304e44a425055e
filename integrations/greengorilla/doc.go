// Package greengorilla makes gorilla/websocket (github.com/gorilla/websocket)
// clients cooperative in greenlets: a Dialer whose connections are
// netwrap's.
//
//	conn, _, err := greengorilla.DefaultDialer.DialContext(ctx, "ws://host/path", nil)
//	err = conn.WriteMessage(websocket.TextMessage, msg) // parks only if the socket is full
//	_, reply, err := conn.ReadMessage()                // parks until the reply arrives
//
// gorilla/websocket does the handshake (and TLS, for wss) and all reads and
// writes on the calling goroutine, so with netwrap's dialer in
// NetDialContext every step parks the calling greenlet and the hub runs the
// others. Nothing else is needed: it has no pool and no goroutines of its
// own.
//
// # One writer per connection
//
// A gorilla Conn allows one concurrent reader and one concurrent writer,
// and it serialises writers with a channel held across the write: a
// greenlet that writes while another greenlet of the same hub is parked in
// the middle of a write on the same connection stops the hub until the
// write deadline. The default ping handler writes a pong from the reading
// greenlet; if another greenlet also writes, give the connection one
// writer (a green.Lock around writes, or a writer greenlet fed by a
// green.Queue, with a ping handler that queues the pong).
package greengorilla
