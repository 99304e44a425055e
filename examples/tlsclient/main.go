//go:build unix

// Command tlsclient makes HTTPS requests from greenlets: crypto/tls runs
// unchanged over a netwrap connection, so the TLS handshake and the
// encrypted reads and writes park the greenlet instead of a thread (what
// gevent gets by monkey-patching ssl).
//
//	go run ./examples/tlsclient
//
// The server is a local HTTPS test server with a self-signed certificate
// (net/http/httptest on plain goroutines), so the example needs no network.
package main

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/netwrap"
)

// get fetches path over HTTPS on a cooperative connection.
func get(host string, cfg *tls.Config, path string) (string, error) {
	raw, err := netwrap.DialTimeout("tcp", host, 5*time.Second)
	if err != nil {
		return "", err
	}
	c := tls.Client(raw, cfg) // TLS over the greenlet-friendly conn
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if err := c.Handshake(); err != nil { // parks while the server answers
		return "", err
	}
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path, host)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return fmt.Sprintf("%s %s -> %s", tlsVersion(c), path, body), err
}

func tlsVersion(c *tls.Conn) string { return tls.VersionName(c.ConnectionState().Version) }

func main() {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(100 * time.Millisecond) // a slow backend
		fmt.Fprintf(w, "hello from %s", r.URL.Path)
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	// Trust the test server's certificate (and nothing else).
	cfg := srv.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	cfg.ServerName = "example.com" // a name the test certificate is valid for

	// The requests are spawned and joined from the main greenlet.
	green.Main(func() {
		start := time.Now()
		var gs []*green.Greenlet
		for _, p := range []string{"/a", "/b", "/c", "/d"} {
			gs = append(gs, green.Spawn(get, u.Host, cfg, p))
		}
		green.JoinAll(gs...)
		for _, g := range gs {
			v, err := g.Get()
			if err != nil {
				fmt.Println("failed:", err)
				continue
			}
			fmt.Println(v)
		}
		// Four 100 ms requests, concurrently: about 0.1 s, not 0.4 s.
		fmt.Printf("4 HTTPS requests in %v\n", time.Since(start).Round(10*time.Millisecond))
	})
}
