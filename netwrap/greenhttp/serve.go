//go:build unix

package greenhttp

import (
	"net"
	"net/http"
)

// ListenAndServe listens on addr and serves handler (nil:
// http.DefaultServeMux) until an error; it is net/http's function of the
// same name on a greenhttp.Server.
func ListenAndServe(addr string, handler http.Handler) error {
	s := &Server{Addr: addr, Handler: handler}
	return s.ListenAndServe()
}

// ListenAndServeTLS is ListenAndServe with TLS; see Server.ServeTLS.
func ListenAndServeTLS(addr, certFile, keyFile string, handler http.Handler) error {
	s := &Server{Addr: addr, Handler: handler}
	return s.ListenAndServeTLS(certFile, keyFile)
}

// Serve serves handler (nil: http.DefaultServeMux) on ln; see
// Server.Serve.
func Serve(ln net.Listener, handler http.Handler) error {
	s := &Server{Handler: handler}
	return s.Serve(ln)
}

// ServeTLS serves handler on ln with TLS; see Server.ServeTLS.
func ServeTLS(ln net.Listener, handler http.Handler, certFile, keyFile string) error {
	s := &Server{Handler: handler}
	return s.ServeTLS(ln, certFile, keyFile)
}
