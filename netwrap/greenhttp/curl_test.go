//go:build unix

package greenhttp_test

import (
	"context"
	"crypto/tls"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/greenrt/green/internal/testutil"
	"github.com/greenrt/green/netwrap/greenhttp"
)

// curl runs curl with args and returns its standard output and error.
func curl(t *testing.T, args ...string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "curl", append([]string{"-sS", "--max-time", "30"}, args...)...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("curl %v: %v\n%s", args, err, errb.String())
	}
	return out.String(), errb.String()
}

// curlIdle is how long curl keeps a connection idle between two URLs of
// one invocation (--rate curlRate): the server's wait for the next
// request on it must park, or the hub would go that long without turning.
const curlRate, curlIdle = "3/s", time.Second / 3

// curl, a client that is not Go's, against greenhttp: keep-alive between
// URLs of one invocation (idle for curlIdle in between), a large POST
// with Expect: 100-continue, a chunked upload, HEAD, HTTP/1.0 and HTTPS.
// Skipped where curl is not installed (CI installs Debian's).
func TestCurl(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl not installed")
	}
	cert, _ := selfSignedCert(t)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := io.Copy(io.Discard, r.Body)
		fmt.Fprintf(w, "%s %s %s te=%v expect=%q n=%d err=%v\n", r.Method, r.URL.Path, r.Proto, r.TransferEncoding, r.Header.Get("Expect"), n, err)
	})
	th := testutil.NewHub(t) // one hub, one leak check, for both servers
	ts := startServerOn(t, th, h)
	tlsTS := startServerOn(t, th, h, func(s *greenhttp.Server) { s.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}} })

	out, errOut := curl(t, "-v", "--rate", curlRate, ts.url+"/one", ts.url+"/two")
	if out != "GET /one HTTP/1.1 te=[] expect=\"\" n=0 err=<nil>\nGET /two HTTP/1.1 te=[] expect=\"\" n=0 err=<nil>\n" {
		t.Errorf("two GETs: %q", out)
	}
	if !strings.Contains(errOut, "Re-using existing connection") {
		t.Errorf("curl did not reuse the connection:\n%s", errOut)
	}

	dir := t.TempDir()
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, []byte(strings.Repeat("x", 3<<20)), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut = curl(t, "-v", "--data-binary", "@"+big, ts.url+"/post")
	if out != fmt.Sprintf("POST /post HTTP/1.1 te=[] expect=\"100-continue\" n=%d err=<nil>\n", 3<<20) {
		t.Errorf("POST: %q", out)
	}
	if !strings.Contains(errOut, "HTTP/1.1 100 Continue") {
		t.Errorf("no 100 Continue for curl's Expect:\n%s", errOut)
	}

	out, _ = curl(t, "-H", "Transfer-Encoding: chunked", "--data-binary", "@"+big, ts.url+"/chunked")
	if out != fmt.Sprintf("POST /chunked HTTP/1.1 te=[chunked] expect=\"100-continue\" n=%d err=<nil>\n", 3<<20) {
		t.Errorf("chunked upload: %q", out)
	}

	out, _ = curl(t, "-I", ts.url+"/head")
	if !strings.HasPrefix(out, "HTTP/1.1 200 OK\r\n") || !strings.Contains(out, "Content-Length: ") {
		t.Errorf("HEAD: %q", out)
	}

	out, _ = curl(t, "-0", ts.url+"/old")
	if out != "GET /old HTTP/1.0 te=[] expect=\"\" n=0 err=<nil>\n" {
		t.Errorf("HTTP/1.0: %q", out)
	}

	pemFile := filepath.Join(dir, "cert.pem")
	if err := os.WriteFile(pemFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut = curl(t, "-v", "--rate", curlRate, "--cacert", pemFile, tlsTS.url+"/secure", tlsTS.url+"/again")
	if out != "GET /secure HTTP/1.1 te=[] expect=\"\" n=0 err=<nil>\nGET /again HTTP/1.1 te=[] expect=\"\" n=0 err=<nil>\n" {
		t.Errorf("HTTPS: %q\n%s", out, errOut)
	}
	if !strings.Contains(errOut, "ALPN: server accepted http/1.1") && !strings.Contains(errOut, "ALPN, server accepted to use http/1.1") {
		t.Errorf("ALPN did not settle on http/1.1:\n%s", errOut)
	}
	checkGap(t, ts.maxGap(), curlIdle)
}
