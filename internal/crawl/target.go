//go:build unix

package crawl

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"time"
)

// Target is one page to fetch: its URL, the request to send and the IPv4
// address to connect to (resolved once, before any strategy runs, so that
// name resolution is not part of the comparison).
type Target struct {
	URL     string
	Addr    netip.AddrPort
	Request []byte
}

// Page is the outcome of fetching one Target.
type Page struct {
	Status int
	Body   []byte
	Err    error
}

// DefaultTimeout bounds each fetch when a strategy is given no timeout.
const DefaultTimeout = 10 * time.Second

// ErrTimeout is returned for a page that did not arrive within the fetch
// timeout by the strategies that manage their own sockets.
var ErrTimeout = errors.New("crawl: fetch timed out")

// Targets parses and resolves urls. Only http:// URLs are supported: the
// busy-poll and callback strategies speak plain HTTP on raw sockets.
func Targets(ctx context.Context, urls []string) ([]Target, error) {
	ts := make([]Target, 0, len(urls))
	for _, raw := range urls {
		u, err := url.Parse(raw)
		if err != nil {
			return nil, err
		}
		if u.Scheme != "http" {
			return nil, fmt.Errorf("%s: only http:// URLs are supported", raw)
		}
		port := u.Port()
		if port == "" {
			port = "80"
		}
		ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip4", u.Hostname())
		if err != nil {
			return nil, err
		}
		if len(ips) == 0 {
			return nil, fmt.Errorf("%s: no IPv4 address", u.Hostname())
		}
		ap, err := netip.ParseAddrPort(net.JoinHostPort(ips[0].Unmap().String(), port))
		if err != nil {
			return nil, err
		}
		path := u.RequestURI()
		req := fmt.Appendf(nil, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: green-demo-crawl\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n", path, u.Host)
		ts = append(ts, Target{URL: raw, Addr: ap, Request: req})
	}
	return ts, nil
}

// readPage reads one HTTP response from r with net/http's parser (which
// handles Content-Length, chunked bodies and bodies ended by EOF alike).
func readPage(r io.Reader) Page {
	resp, err := http.ReadResponse(bufio.NewReader(r), nil)
	if err != nil {
		return Page{Err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return Page{Status: resp.StatusCode, Body: body, Err: err}
}

// parsePage parses a whole response received on a raw socket.
func parsePage(raw []byte) Page { return readPage(bytes.NewReader(raw)) }

// Get fetches t with an http.Client, the way crawlers are usually
// written: http.Get's shape, with a context for Ctrl-C and the timeout.
// The page is the status and the body, as for Fetch.
func Get(ctx context.Context, c *http.Client, t Target, timeout time.Duration) Page {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", t.URL, nil)
	if err != nil {
		return Page{Err: err}
	}
	req.Header.Set("User-Agent", "green-demo-crawl")
	resp, err := c.Do(req)
	if err != nil {
		return Page{Err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return Page{Status: resp.StatusCode, Body: body, Err: err}
}

// Fetch fetches t over a connection made by dial, in blocking style:
// connect, write the request, read the response. Every strategy built on
// blocking calls uses it: the sequential one with net.Dial, the goroutine
// ones too, and the greenlet one with netwrap's cooperative dial, which
// keeps this exact code but parks the greenlet instead of the thread.
//
// Cancelling ctx makes the connection's pending and later I/O fail at once
// (through its deadline), so Ctrl-C does not wait for slow sites.
func Fetch(ctx context.Context, dial func(network, addr string) (net.Conn, error), t Target, timeout time.Duration) Page {
	if err := ctx.Err(); err != nil {
		return Page{Err: err}
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	c, err := dial("tcp", t.Addr.String())
	if err != nil {
		return Page{Err: err}
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(timeout)); err != nil {
		return Page{Err: err}
	}
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if _, err := c.Write(t.Request); err != nil {
		return Page{Err: err}
	}
	return readPage(c)
}
