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
