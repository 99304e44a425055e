//go:build unix

// Package crawl holds the strategies of the crawl demo (cmd/demo crawl)
// and the comparison tests (tests/): the same pages fetched sequentially,
// with a goroutine per page, with a bounded conc pool, with non-blocking
// sockets polled in a busy loop, with epoll callbacks on the hub's
// low-level API, and with greenlets over package netwrap (the same Fetch)
// and over greenhttp (http.Get's shape).
//
// Every strategy but the last sends the same HTTP/1.1 request
// ("Connection: close") and parses the answer with net/http's
// ReadResponse; the last uses an http.Client. Their results (status and
// body) are compared byte for byte.
package crawl

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Server is a local HTTP server whose pages answer after a fixed latency,
// standing in for slow remote sites. It runs on plain goroutines (package
// net/http) on 127.0.0.1 and a port the system picks.
type Server struct {
	// Latency is how long each request waits before its answer.
	Latency time.Duration
	// PageSize is the body size of each page in bytes.
	PageSize int

	ln   net.Listener
	srv  *http.Server
	done chan struct{}
	mu   sync.Mutex
	hits int
}

// StartServer starts a Server on 127.0.0.1:0. Page i's body is PageSize
// bytes of text derived from i, so that every page is different and a
// mixed-up answer is noticed.
func StartServer(latency time.Duration, pageSize int) (*Server, error) {
	if latency < 0 || pageSize < 0 {
		return nil, errors.New("crawl: latency and page size must not be negative")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{Latency: latency, PageSize: pageSize, ln: ln, done: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /page/{n}", s.page)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(s.done)
		s.srv.Serve(ln)
	}()
	return s, nil
}

// Addr returns the server's address, host:port.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URLs returns the addresses of pages 0 to n-1.
func (s *Server) URLs(n int) []string {
	urls := make([]string, n)
	for i := range urls {
		urls[i] = fmt.Sprintf("http://%s/page/%d", s.Addr(), i)
	}
	return urls
}

// Hits returns the number of pages served so far.
func (s *Server) Hits() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits
}

// Close stops the server and waits for its goroutines to finish.
func (s *Server) Close() error {
	err := s.srv.Close()
	<-s.done
	return err
}

func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 0 {
		http.NotFound(w, r)
		return
	}
	t := time.NewTimer(s.Latency)
	select {
	case <-t.C:
	case <-r.Context().Done():
		t.Stop()
		return
	}
	body := PageBody(n, s.PageSize)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
	s.mu.Lock()
	s.hits++
	s.mu.Unlock()
}

// PageBody returns the body the Server sends for page n: lines naming the
// page and a line number, cut to size bytes.
func PageBody(n, size int) []byte {
	b := make([]byte, 0, size+64)
	for line := 0; len(b) < size; line++ {
		b = fmt.Appendf(b, "page %d line %d: the quick brown fox jumps over the lazy dog\n", n, line)
	}
	return b[:size]
}
