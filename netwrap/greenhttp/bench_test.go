//go:build unix

package greenhttp_test

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/internal/testutil"
	"github.com/greenrt/green/netwrap/greenhttp"
)

var (
	benchHello = []byte("Hello, World!")
	benchTenK  = []byte(strings.Repeat("0123456789abcdef", 640))
)

// benchHandler is the benchmark's app: "/" the hello world, "/10k" 10 KiB.
func benchHandler(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	if r.URL.Path == "/10k" {
		w.Write(benchTenK)
		return
	}
	w.Write(benchHello)
}

// lockstep drives addr with one connection: depth requests written at
// once (pipelined when depth > 1), then their answers read, b.N times in
// all. It learns the answer's length from the first exchange (the Date
// header keeps its length), so that the client allocates nothing and
// allocs/op are the server's.
func lockstep(b *testing.B, addr, path string, depth int) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	req := []byte("GET " + path + " HTTP/1.1\r\nHost: bench\r\nUser-Agent: lockstep\r\n\r\n")
	one := answerLen(b, c, req)
	batch := bytes.Repeat(req, depth)
	buf := make([]byte, one*depth)
	b.SetBytes(int64(len(benchHello)))
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; done += depth {
		if _, err := c.Write(batch); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
}

// answerLen sends req once and returns the length of the answer.
func answerLen(b *testing.B, c net.Conn, req []byte) int {
	if _, err := c.Write(req); err != nil {
		b.Fatal(err)
	}
	var got []byte
	buf := make([]byte, 64<<10)
	for {
		n, err := c.Read(buf)
		if err != nil {
			b.Fatal(err)
		}
		got = append(got, buf[:n]...)
		i := bytes.Index(got, []byte("\r\n\r\n"))
		if i < 0 {
			continue
		}
		cl, chunked := 0, false
		for _, line := range strings.Split(string(got[:i]), "\r\n") {
			if v, ok := strings.CutPrefix(line, "Content-Length: "); ok {
				fmt.Sscan(v, &cl)
			}
			chunked = chunked || line == "Transfer-Encoding: chunked"
		}
		if chunked {
			if bytes.HasSuffix(got, []byte("\r\n0\r\n\r\n")) {
				return len(got)
			}
			continue
		}
		if len(got) >= i+4+cl {
			return i + 4 + cl
		}
	}
}

// BenchmarkServer is the server's hot path over a loopback socket, one
// connection: a request, its answer, the next (lockstep), and 16
// pipelined requests per write (parsing and framing without the system
// calls dominating); greenhttp on a hub beside net/http on goroutines.
func BenchmarkServer(b *testing.B) {
	for _, tc := range []struct {
		name  string
		path  string
		depth int
	}{{"hello", "/", 1}, {"10k", "/10k", 1}, {"hello-pipelined16", "/", 16}} {
		b.Run("greenhttp/"+tc.name, func(b *testing.B) {
			ts := startServer(b, http.HandlerFunc(benchHandler), func(s *greenhttp.Server) { s.ErrorLog = nil })
			lockstep(b, ts.addr, tc.path, tc.depth)
		})
		b.Run("net-http/"+tc.name, func(b *testing.B) {
			ss := startStdServer(b, http.HandlerFunc(benchHandler))
			lockstep(b, ss.addr, tc.path, tc.depth)
		})
	}
}

// BenchmarkTransport is the client's hot path: a GET of the hello world
// on a kept-alive connection to a local greenhttp server, read to the
// end; greenhttp's Transport from a greenlet beside net/http's Transport
// from a goroutine (against the same server).
func BenchmarkTransport(b *testing.B) {
	th := testutil.NewHub(b)
	ts := startServerOn(b, th, http.HandlerFunc(benchHandler))
	run := func(b *testing.B, c *http.Client) {
		buf := make([]byte, 512)
		get := func() {
			resp, err := c.Get(ts.url + "/")
			if err != nil {
				b.Fatal(err)
			}
			for {
				if _, err := resp.Body.Read(buf); err != nil {
					break
				}
			}
			resp.Body.Close()
		}
		get()
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			get()
		}
		b.StopTimer()
	}
	b.Run("greenhttp", func(b *testing.B) {
		c := &http.Client{Transport: newTransport(b)}
		if err := green.SpawnOn(th.Hub, func() { run(b, c) }).Join(); err != nil {
			b.Fatal(err)
		}
	})
	b.Run("net-http", func(b *testing.B) {
		tr := &http.Transport{}
		defer tr.CloseIdleConnections()
		run(b, &http.Client{Transport: tr})
	})
}
