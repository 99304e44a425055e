//go:build unix

package greenhttp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/greenrt/green/netwrap"
	"golang.org/x/net/http/httpguts"
)

// Transport is an http.RoundTripper that does its work in the calling
// greenlet: the dial (through netwrap, name resolution included), the TLS
// handshake, writing the request and reading the response all park the
// greenlet instead of blocking its hub, and so does reading the response
// body. From a plain goroutine it works the same way, blocking that
// goroutine. It is net/http's Transport for the greenlet world: what
// monkey-patched requests is to gevent. Its fields mean what net/http's
// Transport fields of the same names mean. The zero value is usable
// (no proxy, no timeouts, 2 idle connections per host).
//
// Connections are kept alive and reused per host (and per hub: a
// connection serves the greenlets of the hub that made it, or plain
// goroutines, never both, so that its I/O always parks the right hub). A
// response body returns its connection to the pool when it is read to
// the end or closed after that; closing it earlier closes the
// connection, as net/http does.
//
// Cancelling the request's context (http.Client.Timeout does), or killing
// the greenlet, aborts the round trip at once wherever it waits, and
// the body read after it. The Transport never waits on a channel or a
// lock that a parked greenlet could hold: waits for a connection slot
// (MaxConnsPerHost) park the greenlet. HTTP/2 is not spoken: ALPN offers
// only http/1.1.
//
// A Transport is safe for concurrent use by any number of greenlets and
// goroutines. Do not copy one after first use.
type Transport struct {
	// Proxy returns the proxy for a request (http, https proxy URLs),
	// or nil for none. http.ProxyFromEnvironment reads HTTP_PROXY and
	// friends. Zero value: no proxy.
	Proxy func(*http.Request) (*url.URL, error)

	// OnProxyConnectResponse, if set, is called with the proxy's
	// answer to a CONNECT; an error aborts the request.
	OnProxyConnectResponse func(ctx context.Context, proxyURL *url.URL, connectReq *http.Request, connectRes *http.Response) error

	// DialContext dials plain TCP connections. It runs in the calling
	// greenlet: it must park, not block (return a *netwrap.Conn, or a
	// socket netwrap.Wrap can make cooperative). Zero value: a
	// netwrap.Dialer with a 30 s timeout and 30 s keep-alive.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)

	// DialTLSContext, if set, dials HTTPS connections itself (the
	// handshake included) instead of DialContext plus TLSClientConfig.
	DialTLSContext func(ctx context.Context, network, addr string) (net.Conn, error)

	// TLSClientConfig configures HTTPS (cloned; ServerName defaults to
	// the host, NextProtos to http/1.1, "h2" is dropped). Zero value:
	// crypto/tls's defaults.
	TLSClientConfig *tls.Config

	// TLSHandshakeTimeout bounds the TLS handshake. Zero value: no
	// bound (but the request's context).
	TLSHandshakeTimeout time.Duration

	// DisableKeepAlives sends "Connection: close" and uses every
	// connection for one request. Zero value: keep-alive.
	DisableKeepAlives bool

	// DisableCompression stops the Transport from asking for gzip
	// (Accept-Encoding) and decompressing it transparently. Zero value:
	// gzip is asked for when the request does not say otherwise.
	DisableCompression bool

	// MaxIdleConns bounds the idle connections kept across all hosts
	// (the oldest are closed). Zero value: no bound.
	MaxIdleConns int

	// MaxIdleConnsPerHost bounds the idle connections kept per host.
	// Zero value: http.DefaultMaxIdleConnsPerHost (2).
	MaxIdleConnsPerHost int

	// MaxConnsPerHost bounds the connections to one host, dialing,
	// active and idle together; a request that finds none free parks
	// (or blocks, from a goroutine) until one is, or until its context
	// ends. Zero value: no bound.
	MaxConnsPerHost int

	// IdleConnTimeout closes connections idle that long. Zero value:
	// never.
	IdleConnTimeout time.Duration

	// ResponseHeaderTimeout bounds the wait for the response header
	// once the request is written. Zero value: no bound.
	ResponseHeaderTimeout time.Duration

	// ExpectContinueTimeout bounds the wait for "100 Continue" before
	// the body of a request with "Expect: 100-continue" is sent anyway.
	// Zero value: the body is sent at once, without waiting.
	ExpectContinueTimeout time.Duration

	// ProxyConnectHeader is sent with CONNECT requests to proxies.
	ProxyConnectHeader http.Header

	// GetProxyConnectHeader, if set, returns the headers for a CONNECT
	// to proxyURL for target (it replaces ProxyConnectHeader).
	GetProxyConnectHeader func(ctx context.Context, proxyURL *url.URL, target string) (http.Header, error)

	// MaxResponseHeaderBytes bounds the size of a response's header.
	// Zero value: 10 MiB (net/http's default).
	MaxResponseHeaderBytes int64

	// WriteBufferSize and ReadBufferSize size each connection's
	// buffers. Zero value: 4 KiB.
	WriteBufferSize, ReadBufferSize int

	pool connPool
}

// DefaultTransport is the Transport of DefaultClient, configured like
// net/http's DefaultTransport: proxies from the environment, 30 s dial
// timeout, 100 idle connections, 90 s idle timeout, 10 s TLS handshake
// timeout, 1 s Expect-continue timeout.
var DefaultTransport = &Transport{
	Proxy:                 http.ProxyFromEnvironment,
	DialContext:           (&netwrap.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialConn,
	MaxIdleConns:          100,
	IdleConnTimeout:       90 * time.Second,
	TLSHandshakeTimeout:   10 * time.Second,
	ExpectContinueTimeout: 1 * time.Second,
}

// DefaultClient is an http.Client on DefaultTransport: http.Get's
// greenlet twin. Its methods (Get, Post, Do...) park the calling
// greenlet; Client.Timeout works (it cancels the request's context).
var DefaultClient = &http.Client{Transport: DefaultTransport}

var _ http.RoundTripper = (*Transport)(nil)

// Clone returns a new Transport with t's settings (and no connections).
func (t *Transport) Clone() *Transport {
	t2 := &Transport{
		Proxy:                  t.Proxy,
		OnProxyConnectResponse: t.OnProxyConnectResponse,
		DialContext:            t.DialContext,
		DialTLSContext:         t.DialTLSContext,
		TLSHandshakeTimeout:    t.TLSHandshakeTimeout,
		DisableKeepAlives:      t.DisableKeepAlives,
		DisableCompression:     t.DisableCompression,
		MaxIdleConns:           t.MaxIdleConns,
		MaxIdleConnsPerHost:    t.MaxIdleConnsPerHost,
		MaxConnsPerHost:        t.MaxConnsPerHost,
		IdleConnTimeout:        t.IdleConnTimeout,
		ResponseHeaderTimeout:  t.ResponseHeaderTimeout,
		ExpectContinueTimeout:  t.ExpectContinueTimeout,
		ProxyConnectHeader:     t.ProxyConnectHeader.Clone(),
		GetProxyConnectHeader:  t.GetProxyConnectHeader,
		MaxResponseHeaderBytes: t.MaxResponseHeaderBytes,
		WriteBufferSize:        t.WriteBufferSize,
		ReadBufferSize:         t.ReadBufferSize,
	}
	if t.TLSClientConfig != nil {
		t2.TLSClientConfig = t.TLSClientConfig.Clone()
	}
	return t2
}

// RoundTrip sends one request and returns its response; see
// http.RoundTripper. It runs in the caller: in a greenlet it parks it
// while it waits. The response body must be read and closed; reading it
// parks the reader the same way.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL == nil {
		closeBody(req)
		return nil, errors.New("http: nil Request.URL")
	}
	if req.Header == nil {
		closeBody(req)
		return nil, errors.New("http: nil Request.Header")
	}
	scheme := req.URL.Scheme
	if scheme != "http" && scheme != "https" {
		closeBody(req)
		return nil, fmt.Errorf("unsupported protocol scheme %q", scheme)
	}
	if err := validateHeaders(req.Header); err != "" {
		closeBody(req)
		return nil, fmt.Errorf("net/http: invalid header %s", err)
	}
	if err := validateHeaders(req.Trailer); err != "" {
		closeBody(req)
		return nil, fmt.Errorf("net/http: invalid trailer %s", err)
	}
	if req.Method != "" && !validMethod(req.Method) {
		closeBody(req)
		return nil, fmt.Errorf("net/http: invalid method %q", req.Method)
	}
	if req.URL.Host == "" {
		closeBody(req)
		return nil, errors.New("http: no Host in request URL")
	}

	ctx, cancel := req.Context(), context.CancelCauseFunc(func(error) {})
	//lint:ignore SA1019 http.Client.Timeout still sets it for RoundTrippers not its own
	if req.Cancel != nil {
		ctx, cancel = context.WithCancelCause(ctx)
		// The deprecated cancel channel (http.Client.Timeout still
		// sets one): watched from a goroutine, which ends with ctx.
		go func() {
			select {
			case <-req.Cancel: //lint:ignore SA1019 see above
				cancel(ErrRequestCanceled)
			case <-ctx.Done():
			}
		}()
	}
	orig := req
	for {
		if ctx.Err() != nil {
			closeBody(req)
			cancel(nil)
			return nil, context.Cause(ctx)
		}
		cm, err := t.connectMethodForRequest(req)
		if err != nil {
			closeBody(req)
			cancel(err)
			return nil, err
		}
		pc, err := t.getConn(ctx, cm)
		if err != nil {
			closeBody(req)
			cancel(err)
			return nil, err
		}
		resp, err := pc.roundTrip(ctx, cancel, req)
		if err == nil {
			resp.Request = orig
			return resp, nil
		}
		if !pc.shouldRetryRequest(req, err) {
			err = unwrapRoundTripErr(err)
			cancel(err)
			awaitClientTimeout(orig, err)
			return nil, err
		}
		if req, err = rewindBody(req); err != nil {
			cancel(err)
			return nil, err
		}
	}
}

// awaitClientTimeout lets http.Client see its own timeout. With a
// RoundTripper other than its own, http.Client.Timeout arms two timers
// for the same instant: the request context's deadline, which ended the
// round trip with err, and one that closes req.Cancel and records that
// the client timed out, which is how it knows to say "Client.Timeout
// exceeded" in the error. Wait (parking) for the second, briefly.
func awaitClientTimeout(req *http.Request, err error) {
	//lint:ignore SA1019 this is about http.Client's own use of it
	if req.Cancel == nil || !errors.Is(err, context.DeadlineExceeded) {
		return
	}
	offload(func() (struct{}, error) {
		t := time.NewTimer(100 * time.Millisecond)
		defer t.Stop()
		select {
		case <-req.Cancel: //lint:ignore SA1019 see above
		case <-t.C:
		}
		return struct{}{}, nil
	}, nil)
}

// CloseIdleConnections closes the idle connections of every host (what
// http.Client.CloseIdleConnections calls). Connections in use are left
// alone.
func (t *Transport) CloseIdleConnections() {
	for _, pc := range t.pool.takeAllIdle() {
		pc.closeConn()
	}
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

func validateHeaders(h http.Header) string {
	for k, vv := range h {
		if !httpguts.ValidHeaderFieldName(k) {
			return fmt.Sprintf("field name %q", k)
		}
		for _, v := range vv {
			if !httpguts.ValidHeaderFieldValue(v) {
				// Don't include the value in the error, because it
				// may be sensitive.
				return fmt.Sprintf("field value for %q", k)
			}
		}
	}
	return ""
}

func validMethod(method string) bool {
	return len(method) > 0 && strings.IndexFunc(method, func(r rune) bool { return !httpguts.IsTokenRune(r) }) == -1
}

// connectMethod is how a request reaches its server: directly, through
// an HTTP proxy (absolute URIs), or through a CONNECT tunnel.
type connectMethod struct {
	proxyURL     *url.URL
	targetScheme string // "http" or "https"
	targetAddr   string // host:port of the target
}

// connectKey identifies the connections that can serve a connectMethod.
type connectKey struct {
	proxy, scheme, addr string
}

func (cm *connectMethod) key() connectKey {
	proxy, addr := "", cm.targetAddr
	if cm.proxyURL != nil {
		proxy = cm.proxyURL.String()
		if (cm.proxyURL.Scheme == "http" || cm.proxyURL.Scheme == "https") && cm.targetScheme == "http" {
			addr = "" // one connection to the proxy serves every http target
		}
	}
	return connectKey{proxy: proxy, scheme: cm.targetScheme, addr: addr}
}

// addr is where to dial: the proxy or the target.
func (cm *connectMethod) addr() string {
	if cm.proxyURL != nil {
		return canonicalAddr(cm.proxyURL)
	}
	return cm.targetAddr
}

// tlsHost is the name the target's certificate must match.
func (cm *connectMethod) tlsHost() string {
	h := cm.targetAddr
	if host, _, err := net.SplitHostPort(h); err == nil {
		return host
	}
	return h
}

func (t *Transport) connectMethodForRequest(req *http.Request) (connectMethod, error) {
	cm := connectMethod{targetScheme: req.URL.Scheme, targetAddr: canonicalAddr(req.URL)}
	if t.Proxy != nil {
		u, err := t.Proxy(req)
		if err != nil {
			return cm, err
		}
		if u != nil {
			switch u.Scheme {
			case "http", "https":
			default:
				return cm, fmt.Errorf("greenhttp: unsupported proxy scheme %q", u.Scheme)
			}
			cm.proxyURL = u
		}
	}
	return cm, nil
}

// canonicalAddr returns u's host:port, with the scheme's port by default.
func canonicalAddr(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// rewindBody returns req ready to be sent again on a new connection.
func rewindBody(req *http.Request) (*http.Request, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return req, nil
	}
	if req.GetBody == nil {
		return nil, errCannotRewind
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, err
	}
	r2 := *req
	r2.Body = body
	return &r2, nil
}

var errCannotRewind = errors.New("net/http: cannot rewind body after connection loss")

// zeroDial is the dialer of a Transport whose DialContext is nil.
var zeroDial netwrap.DialFunc = netwrap.DialContext
