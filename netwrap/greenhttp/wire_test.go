//go:build unix

package greenhttp_test

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/greenrt/green/netwrap/greenhttp"
)

// fixedAnswers are the wire handler's answers that only set headers
// (key, value pairs) and write a body, by path.
var fixedAnswers = map[string]struct {
	header []string
	body   string
}{
	"/hello":      {[]string{"Content-Type", "text/plain"}, "Hello, World!"},
	"/big":        {nil, strings.Repeat("0123456789abcdef", 640)}, // 10 KiB: chunked
	"/cl":         {[]string{"Content-Length", "5"}, "12345"},
	"/shortcl":    {[]string{"Content-Length", "10"}, "12345"},
	"/badcl":      {[]string{"Content-Length", "x"}, "body"},
	"/sniff":      {nil, "<html><body>hi</body></html>"},
	"/nosniff-ce": {[]string{"Content-Encoding", "gzip"}, "<html>"},
	"/close":      {[]string{"Connection", "close"}, "bye"},
	"/identity":   {[]string{"Transfer-Encoding", "identity"}, "until close"},
	"/te-cl":      {[]string{"Transfer-Encoding", "chunked", "Content-Length", "3"}, "abc"},
}

// wireHandler answers the wire tests: by path, the handler shapes that
// exercise the response framing, and by default an echo of what the
// server parsed.
func wireHandler(w http.ResponseWriter, r *http.Request) {
	if a, ok := fixedAnswers[r.URL.Path]; ok {
		for i := 0; i < len(a.header); i += 2 {
			w.Header().Set(a.header[i], a.header[i+1])
		}
		io.WriteString(w, a.body)
		return
	}
	switch r.URL.Path {
	case "/flush":
		io.WriteString(w, "first")
		w.(http.Flusher).Flush()
		io.WriteString(w, "second")
	case "/longcl":
		w.Header().Set("Content-Length", "2")
		_, err := io.WriteString(w, "12345")
		fmt.Fprintf(w, "%v", err)
	case "/204":
		w.Header().Set("Content-Length", "10")
		w.WriteHeader(http.StatusNoContent)
		_, err := io.WriteString(w, "ignored")
		w.Header().Set("X-Err", fmt.Sprint(err))
	case "/304":
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Etag", `"x"`)
		w.WriteHeader(http.StatusNotModified)
	case "/103":
		w.Header().Set("Link", "</style.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		io.WriteString(w, "after hints")
	case "/nobody":
	case "/trailer":
		w.Header().Set("Trailer", "X-Sum, X-Count")
		io.WriteString(w, "data")
		w.Header().Set("X-Sum", "42")
		w.Header().Set("X-Count", "1")
	case "/trailerprefix":
		io.WriteString(w, "data")
		w.Header().Set(http.TrailerPrefix+"X-Late", "yes")
	case "/superfluous":
		w.WriteHeader(201)
		w.WriteHeader(202)
		io.WriteString(w, "x")
	case "/status999":
		w.WriteHeader(999)
	case "/panic":
		io.WriteString(w, "partial")
		panic("boom")
	case "/abort":
		panic(http.ErrAbortHandler)
	case "/hijack":
		c, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		fmt.Fprintf(buf, "HIJACKED %d buffered\n", buf.Reader.Buffered())
		buf.Flush()
		c.Close()
	case "/readsome":
		b := make([]byte, 3)
		n, _ := io.ReadFull(r.Body, b)
		fmt.Fprintf(w, "read %q", b[:n])
	case "/unread":
		io.WriteString(w, "did not read the body")
	case "/closebody":
		r.Body.Close()
		_, err := r.Body.Read(make([]byte, 1))
		fmt.Fprintf(w, "after close: %v", err)
	case "/maxbytes":
		_, err := io.ReadAll(greenhttp.MaxBytesReader(w, r.Body, 4))
		fmt.Fprintf(w, "maxbytes: %v", err)
	case "/duplex":
		http.NewResponseController(w).EnableFullDuplex()
		io.WriteString(w, "duplex ")
		w.(http.Flusher).Flush()
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s", b)
	default:
		echo(w, r)
	}
}

// echo writes what the server parsed, in a fixed order.
func echo(w http.ResponseWriter, r *http.Request) {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s %q %s host=%q close=%v cl=%d te=%q\n", r.Method, r.RequestURI, r.Proto, r.Host, r.Close, r.ContentLength, r.TransferEncoding)
	keys := make([]string, 0, len(r.Header))
	for k := range r.Header {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(&sb, "%s=%q\n", k, r.Header[k])
	}
	b, err := io.ReadAll(r.Body)
	fmt.Fprintf(&sb, "body=%q err=%v\n", b, err)
	if len(r.Trailer) > 0 {
		fmt.Fprintf(&sb, "trailer=%v\n", r.Trailer)
	}
	io.WriteString(w, sb.String())
}

// wireCases are raw requests whose answers must be byte for byte those
// of net/http's server (Date aside). Several requests in one string are
// pipelined.
var wireCases = []struct{ name, req string }{
	{"get", "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"pipelined", "GET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /echo?a=1 HTTP/1.1\r\nHost: y\r\nX-A: 1\r\n\r\nGET /cl HTTP/1.1\r\nHost: z\r\n\r\n"},
	{"http10", "GET /hello HTTP/1.0\r\n\r\nGET /never HTTP/1.0\r\n\r\n"},
	{"http10-keepalive", "GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /cl HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /big HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /never HTTP/1.0\r\n\r\n"},
	{"http10-head-keepalive", "HEAD /big HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /hello HTTP/1.0\r\n\r\n"},
	{"connection-close", "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /never HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"missing-host", "GET / HTTP/1.1\r\n\r\n"},
	{"empty-host", "GET / HTTP/1.1\r\nHost:\r\n\r\n"},
	{"two-hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"},
	{"malformed-host", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n"},
	{"absolute-form", "GET http://example.com/p?q HTTP/1.1\r\nHost: other\r\n\r\n"},
	{"absolute-form-no-host", "GET http://example.com/p HTTP/1.1\r\n\r\n"},
	{"http10-no-host", "GET /echo HTTP/1.0\r\n\r\n"},
	{"connect-no-host", "CONNECT example.com:443 HTTP/1.1\r\n\r\n"},
	{"malformed-line", "GET\r\n\r\n"},
	{"bad-method", "G@T / HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"http2-version", "GET / HTTP/2.0\r\nHost: x\r\n\r\n"},
	{"http09", "GET /\r\n\r\n"},
	{"bad-version", "GET / HTTP/1.x\r\nHost: x\r\n\r\n"},
	{"space-in-uri", "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"bare-lf", "GET /echo HTTP/1.1\nHost: x\nX-A: 1\n\n"},
	{"obs-fold", "GET /echo HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n"},
	{"bad-header-name", "GET / HTTP/1.1\r\nHost: x\r\nFoo Bar: x\r\n\r\n"},
	{"bad-header-value", "GET / HTTP/1.1\r\nHost: x\r\nFoo: a\x01b\r\n\r\n"},
	{"no-colon", "GET / HTTP/1.1\r\nHost: x\r\nFoo\r\n\r\n"},
	{"cl-and-te", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"},
	{"two-cl", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"},
	{"same-two-cl", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc"},
	{"bad-cl", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"},
	{"te-gzip", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n"},
	{"te-chunked-twice", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n"},
	{"te-http10", "POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"},
	{"chunked-trailers", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\nX-T: v\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"chunked-bad", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"},
	{"chunk-ext", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;name=v\r\nabc\r\n0\r\n\r\n"},
	{"body-then-next", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET /hello HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"post-crlf-tolerance", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"short-body", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"},
	{"unread-small-body", "POST /unread HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET /hello HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"unread-chunked-body", "POST /unread HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"unread-huge-cl", "POST /unread HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\nabc"},
	{"read-some", "POST /readsome HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nabcdefGET /hello HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"close-body", "POST /closebody HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /hello HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"maxbytes", "POST /maxbytes HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"expect-continue", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\nabc"},
	{"expect-continue-unread", "POST /unread HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\nabcGET /never HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"expect-continue-http10", "POST /echo HTTP/1.0\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\nabc"},
	{"expect-continue-nobody", "GET /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n"},
	{"expect-other", "GET /echo HTTP/1.1\r\nHost: x\r\nExpect: bananas\r\n\r\n"},
	{"head", "HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\nHEAD /big HTTP/1.1\r\nHost: x\r\n\r\nHEAD /nobody HTTP/1.1\r\nHost: x\r\n\r\nHEAD /cl HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"options-star", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"options-star-body", "OPTIONS * HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /hello HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"pri-upgrade", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"},
	{"shapes", "GET /big HTTP/1.1\r\nHost: x\r\n\r\nGET /flush HTTP/1.1\r\nHost: x\r\n\r\nGET /shortcl HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"shapes2", "GET /longcl HTTP/1.1\r\nHost: x\r\n\r\nGET /badcl HTTP/1.1\r\nHost: x\r\n\r\nGET /204 HTTP/1.1\r\nHost: x\r\n\r\nGET /304 HTTP/1.1\r\nHost: x\r\n\r\nGET /103 HTTP/1.1\r\nHost: x\r\n\r\nGET /nobody HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"shapes3", "GET /sniff HTTP/1.1\r\nHost: x\r\n\r\nGET /nosniff-ce HTTP/1.1\r\nHost: x\r\n\r\nGET /trailer HTTP/1.1\r\nHost: x\r\n\r\nGET /trailerprefix HTTP/1.1\r\nHost: x\r\n\r\nGET /te-cl HTTP/1.1\r\nHost: x\r\n\r\nGET /superfluous HTTP/1.1\r\nHost: x\r\n\r\nGET /status999 HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"close-header", "GET /close HTTP/1.1\r\nHost: x\r\n\r\nGET /never HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"identity", "GET /identity HTTP/1.1\r\nHost: x\r\n\r\nGET /never HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"http10-chunkless", "GET /big HTTP/1.0\r\n\r\n"},
	{"panic", "GET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /panic HTTP/1.1\r\nHost: x\r\n\r\nGET /never HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"abort", "GET /abort HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"hijack", "GET /hijack HTTP/1.1\r\nHost: x\r\n\r\nGET /pipelined HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"duplex", "POST /duplex HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbody"},
	{"empty", ""},
	{"only-crlf", "\r\n\r\n"},
	{"garbage", "\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03"},
}

// TestWireMatchesNetHTTP sends each raw request to net/http's server and
// to greenhttp's, with the same handler, and requires the same bytes back
// (Date aside); the greenhttp hub must never have blocked meanwhile.
func TestWireMatchesNetHTTP(t *testing.T) {
	h := http.HandlerFunc(wireHandler)
	std := startStdServer(t, h)
	ours := startServer(t, h)
	for _, tc := range wireCases {
		t.Run(tc.name, func(t *testing.T) {
			want := normalize(exchange(t, std.addr, tc.req))
			got := normalize(exchange(t, ours.addr, tc.req))
			if got != want {
				t.Errorf("request %q\n net/http answered: %q\ngreenhttp answered: %q", tc.req, want, got)
			}
		})
	}
	// Several exchanges make the connection linger 500 ms before it
	// closes (unread body, 431): a linger that blocked the hub would show
	// as a gap that long.
	checkGap(t, ours.maxGap(), lingerDelay)
}

// TestWireHeaderLimits compares the 431 answer and the largest header
// that passes, with a small MaxHeaderBytes on both servers.
func TestWireHeaderLimits(t *testing.T) {
	h := http.HandlerFunc(wireHandler)
	std := startStdServer(t, h, func(s *http.Server) { s.MaxHeaderBytes = 1024 })
	ours := startServer(t, h, func(s *greenhttp.Server) { s.MaxHeaderBytes = 1024 })
	for _, size := range []int{100, 4000, 5200, 6000, 100000} {
		req := "GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("b", size) + "\r\n\r\n"
		want := normalize(exchange(t, std.addr, req))
		got := normalize(exchange(t, ours.addr, req))
		if got != want {
			t.Errorf("header of %d bytes:\n net/http: %q\ngreenhttp: %q", size, want, got)
		}
	}
	long := "GET /" + strings.Repeat("a", 10000) + " HTTP/1.1\r\nHost: x\r\n\r\n"
	if got, want := normalize(exchange(t, ours.addr, long)), normalize(exchange(t, std.addr, long)); got != want {
		t.Errorf("long request line:\n net/http: %q\ngreenhttp: %q", want, got)
	}
}

// TestWireExpectContinueWaits checks that "100 Continue" is sent only when
// the handler reads the body: the client sends the body only after
// reading it.
func TestWireExpectContinueWaits(t *testing.T) {
	ours := startServer(t, http.HandlerFunc(wireHandler))
	c := dialRaw(t, ours.addr)
	io.WriteString(c, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n")
	br := bufio.NewReader(c)
	line, err := br.ReadString('\n')
	if err != nil || line != "HTTP/1.1 100 Continue\r\n" {
		t.Fatalf("first line %q, %v; want 100 Continue", line, err)
	}
	br.ReadString('\n') // blank line
	io.WriteString(c, "abc")
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(b), `body="abc"`) {
		t.Fatalf("echo %q", b)
	}
}
