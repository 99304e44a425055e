//go:build unix

package greenhttp

import "errors"

// Sentinel errors of package greenhttp. Compare with errors.Is. Where
// net/http has an error for the same condition, this package returns
// net/http's own value (http.ErrServerClosed, http.ErrHijacked,
// http.ErrBodyNotAllowed, http.ErrContentLength, http.ErrAbortHandler,
// http.ErrBodyReadAfterClose, http.ErrNotSupported), so that code written
// against net/http keeps working; the ones below are this package's own.
// Network errors are those of package netwrap (and package net): a
// *net.OpError wrapping the cause.
var (
	// ErrShutdownKilled is returned (wrapped, together with the
	// context's error) by Server.Shutdown when its context ended before
	// every connection finished: the connections still active were then
	// killed. errors.Is(err, context.DeadlineExceeded) (or
	// context.Canceled) holds as well.
	ErrShutdownKilled = errors.New("greenhttp: shutdown: connections still active when the context ended were killed")

	// ErrNoCertificate is returned by ServeTLS and ListenAndServeTLS
	// when no certificate is given, neither as files nor in TLSConfig.
	ErrNoCertificate = errors.New("greenhttp: no TLS certificate (give certFile and keyFile, or set TLSConfig.Certificates or GetCertificate)")

	// ErrNilContext is the panic value when Server.BaseContext or
	// Server.ConnContext returns a nil context (net/http panics too).
	ErrNilContext = errors.New("greenhttp: BaseContext or ConnContext returned a nil context")

	// ErrResponseHeaderTimeout is returned by Transport.RoundTrip when
	// Transport.ResponseHeaderTimeout passed before the response header
	// arrived. It is a net.Error with Timeout() true, like net/http's
	// (unexported) error for the same condition.
	ErrResponseHeaderTimeout error = timeoutError{"greenhttp: timeout awaiting response headers"}

	// ErrTLSHandshakeTimeout is returned when Transport.TLSHandshakeTimeout
	// passed before the TLS handshake with the server (or proxy) ended.
	// It is a net.Error with Timeout() true.
	ErrTLSHandshakeTimeout error = timeoutError{"greenhttp: TLS handshake timeout"}

	// ErrRequestCanceled is the cause of a round trip cancelled through
	// the deprecated Request.Cancel channel (net/http's
	// "net/http: request canceled").
	ErrRequestCanceled = errors.New("greenhttp: request canceled")

	// ErrServerClosedIdle is returned when a server closed a kept-alive
	// connection just as a request was being sent on it, for a request
	// that cannot be retried on a new connection (it has a body that
	// cannot be rewound, or is not idempotent).
	ErrServerClosedIdle = errors.New("greenhttp: server closed idle connection")

	// ErrProxyConnect is wrapped in the error of a round trip whose
	// HTTP CONNECT to the proxy failed (with the proxy's status).
	ErrProxyConnect = errors.New("greenhttp: proxy CONNECT failed")
)

// timeoutError is a net.Error whose Timeout is true.
type timeoutError struct{ msg string }

func (e timeoutError) Error() string   { return e.msg }
func (e timeoutError) Timeout() bool   { return true }
func (e timeoutError) Temporary() bool { return true }
