//go:build unix

// Package greenhttp is HTTP on greenlets: a server that runs any
// http.Handler in a greenlet per connection (gevent's pywsgi.WSGIServer),
// and a client Transport whose round trips park the calling greenlet
// instead of blocking its hub (what requests is under gevent's
// monkey.patch_all()). Its names mirror net/http's, so that switching is
// a one-import change:
//
//	srv := &greenhttp.Server{Addr: ":8080", Handler: mux} // was http.Server
//	srv.ListenAndServe()
//
//	resp, err := greenhttp.Get(url) // was http.Get; in a greenlet it parks
//
// Handlers, requests, responses, headers, cookies, ServeMux, http.Client
// and everything else stay net/http's own types: this package replaces
// only what waits on the network.
//
// # Why
//
// net/http cannot be used from greenlets as it is. Its Transport dials
// and reads on goroutines of its own and the caller waits for them on a
// channel: a greenlet that calls http.Get blocks its whole hub until the
// response comes (20 greenlets fetching pages that take 100 ms take 2 s,
// not 100 ms). Its Server runs handlers on plain goroutines: they are not
// greenlets, green's primitives and netwrap's sockets do not park them,
// and state they share needs locks.
//
// # Server
//
// Server has net/http's fields where they mean the same (Addr, Handler,
// TLSConfig, the timeouts, MaxHeaderBytes, ConnState, BaseContext,
// ConnContext, ErrorLog) and two of its own: Hub (the hub it runs on) and
// MaxConns (accepting pauses when that many connections are served).
// Serve, ServeTLS, ListenAndServe, ListenAndServeTLS, Shutdown, Close and
// RegisterOnShutdown do what net/http's do; Serve may be called from a
// greenlet or a plain goroutine and accepts any net.Listener.
//
// Each connection is served by one greenlet of the server's hub, which
// runs the handler: inside it green.Sleep, green's queues, events and
// locks, netwrap's sockets and greenhttp's own client park the greenlet,
// the hub serves the other connections meanwhile, and state shared by the
// handlers of one server needs no lock. A handler must not block its
// thread: no waits on Go channels (a select on r.Context().Done()
// included), sync.Mutex or time.Sleep, which stall every connection of
// the hub; offload truly blocking calls to package threadpool.
// To wait for a context, use greensignal.WaitContext(r.Context()), which
// parks.
//
// The protocol is net/http's HTTP/1.x, byte for byte: requests are parsed
// by net/http's own parser (linked, see readRequest), and the connection
// loop and the response writer follow net/http's server: keep-alive,
// HTTP/1.0 with and without keep-alive, pipelining, chunked request bodies
// with trailers, chunked responses when no Content-Length is set,
// Expect: 100-continue (sent when the handler first reads the body), HEAD,
// 1xx/204/304 without bodies, Content-Type sniffing, the Date header,
// http.Flusher, http.Hijacker (the hijacked conn is a cooperative
// *netwrap.Conn, or the *tls.Conn over it), http.NewResponseController
// (Flush, Hijack, SetReadDeadline, SetWriteDeadline, EnableFullDuplex),
// the answers to malformed requests (400, 431, 501, 505 and friends). The
// tests send raw requests to net/http's server and to this one and compare
// the answers.
//
// A request's context is cancelled when its handler returns, when the
// client goes away (noticed by a watcher greenlet, started only once
// somebody asks for the context's Done channel), when a read or write on
// the connection fails, and by Close or a Shutdown whose context ended.
//
// The timeouts are hub timers (netwrap's deadlines); with
// ReadHeaderTimeout set, slow clients cannot pin the server. Handler
// panics are reported, with their stack, to the hub's error handler
// (hub.Hub.ReportError), and close only their connection;
// http.ErrAbortHandler is silent. Shutdown stops accepting, closes idle
// connections, lets requests in flight finish and, if its context ends
// first, kills the handlers still running and says so (ErrShutdownKilled).
//
// Cost: an idle keep-alive connection holds about 7 KiB in all (its
// greenlet, sockets, state and a 512-byte buffer); one serving a request
// borrows 22 KiB of buffers from a per-server free list. A request costs
// three system calls (a read that finds nothing, the read of the request,
// the write of the whole answer), like net/http and fasthttp, and less CPU
// than net/http at GOMAXPROCS=1 (see the README's benchmarks).
//
// # Differences from net/http's server
//
//   - HTTP/2 (and h2c) is not served; ALPN offers only http/1.1.
//   - http.MaxBytesReader cannot tell a greenhttp response that its limit
//     was hit (net/http uses an unexported method): the connection is then
//     kept if the rest of the body is at most 256 KiB (read and dropped).
//     greenhttp.MaxBytesReader makes it close, as net/http does.
//   - The request context holds ServerContextKey (a *greenhttp.Server),
//     not http.ServerContextKey.
//   - Close also kills the handlers' greenlets (gevent's stop with no
//     timeout) instead of letting them run on with a closed connection.
//   - RegisterOnShutdown's functions run in greenlets on the server's hub,
//     not on goroutines.
//   - Over TLS, a client that goes away while its handler runs is noticed
//     at its end of stream; a close_notify alert alone looks like more
//     data (it cannot be read without taking the handler's lock).
//
// # Client
//
// Transport implements http.RoundTripper with net/http's fields (Proxy,
// DialContext, TLSClientConfig, TLSHandshakeTimeout, DisableKeepAlives,
// DisableCompression, MaxIdleConns, MaxIdleConnsPerHost, MaxConnsPerHost,
// IdleConnTimeout, ResponseHeaderTimeout, ExpectContinueTimeout,
// MaxResponseHeaderBytes, ProxyConnectHeader...). Its zero value is
// usable; DefaultTransport is configured like net/http's, DefaultClient
// is an http.Client on it, and Get, Head, Post and PostForm use
// DefaultClient.
//
// A round trip runs entirely in the caller. In a greenlet, the dial
// (through netwrap, whose name resolution parks too), the TLS handshake,
// writing the request (with net/http's own Request.Write) and reading the
// response (http.ReadResponse) park it, and so does reading the body. From
// a plain goroutine it works the same way, blocking that goroutine.
// Connections are kept alive per host and per hub; a body returns its
// connection to the pool at its end. A request waiting for a connection
// slot (MaxConnsPerHost) parks. Cancelling the request's context
// (http.Client.Timeout does) or killing the greenlet aborts the round trip
// wherever it waits. HTTPS is crypto/tls over netwrap (SNI, ALPN
// http/1.1); proxies (http.ProxyFromEnvironment) get absolute-form
// requests or, for https, a CONNECT tunnel. Responses are decompressed
// transparently when the Transport asked for gzip; a 101 Switching
// Protocols response's body is the connection itself, an
// io.ReadWriteCloser.
//
// The Transport never waits on a channel or a lock that a parked greenlet
// could hold: its pool's lock is held only for bookkeeping. A round trip
// writes the request, then reads the response (it does not read while it
// writes, which net/http does on two goroutines; an answer that arrives
// before the body was sent is still taken when the write fails). A
// *tls.Conn is used by one greenlet at a time.
//
// # Differences from net/http's client
//
//   - HTTP/2 is not spoken.
//   - Proxies are http and https; socks5 is not supported.
//   - Request.Cancel is honoured (http.Client.Timeout sets it) at the
//     cost of a goroutine per request; Transport.CancelRequest,
//     RegisterProtocol, TLSNextProto, ForceAttemptHTTP2 and Protocols do
//     not exist (cancel through the request's context).
//   - A connection serves the greenlets of one hub (or plain goroutines):
//     with MaxConnsPerHost, an idle connection kept for another hub is
//     closed to free its slot.
package greenhttp
