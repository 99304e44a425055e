//go:build unix

// Command crawler fetches pages with a bounded pool of greenlets, like
// gevent's "pool = Pool(3); pool.map(fetch, urls)".
//
//	go run ./examples/crawler
//
// The pages come from a stand-in site in this process that answers after
// 200 ms; 12 pages with at most 4 at a time take about 3 x 200 ms.
package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/internal/crawl"
	"github.com/greenrt/green/netwrap"
	"github.com/greenrt/green/pool"
)

// fetch downloads one page. It reads like blocking code, but runs in a
// greenlet: netwrap's Dial, Write and Read park the greenlet (not the
// thread) while they wait, so the pool's other members run meanwhile.
func fetch(rawURL string) (int, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return 0, err
	}
	c, err := netwrap.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", u.RequestURI(), u.Host)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	return int(n), err
}

func main() {
	// A local site with slow pages (plain net/http on goroutines).
	site, err := crawl.StartServer(200*time.Millisecond, 4096)
	if err != nil {
		panic(err)
	}
	defer site.Close()
	urls := site.URLs(12)

	// The crawl runs in the main greenlet (gevent's module code).
	green.Main(func() {
		// At most 4 fetches at a time.
		p, err := pool.NewPool(4)
		if err != nil {
			panic(err)
		}
		start := time.Now()
		// Map runs fetch on each URL in the pool's greenlets and returns
		// the results in input order; the main greenlet parks meanwhile.
		sizes, err := pool.Map(p, urls, fetch)
		if err != nil {
			fmt.Println("crawl failed:", err)
			return
		}
		for i, n := range sizes {
			fmt.Printf("%-40s %d bytes\n", urls[i], n)
		}
		fmt.Printf("%d pages in %v with a pool of %d\n", len(urls), time.Since(start).Round(10*time.Millisecond), p.Size())
	})
}
