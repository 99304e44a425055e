//go:build unix

package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/netwrap"
	"github.com/greenrt/green/netwrap/greenhttp"
)

func init() {
	register(command{
		name:    "http",
		summary: "an HTTP server on one hub (greenhttp), a greenlet per connection, until Ctrl-C",
		run:     runHTTP,
	})
}

const httpHelp = `Serves a small app with greenhttp.Server on one hub until interrupted:

  /             Hello, World! (text/plain; the benchmark's answer)
  /10k          10 KiB of text
  /sleep?d=1s   answers after green.Sleep(d): other requests go on meanwhile
  /stream?n=5   n lines, one every 200 ms, each sent at once with Flush
  /count        a hit counter shared by every handler, without a lock

Try: curl localhost:8080/stream & curl localhost:8080/`

func runHTTP(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("http", httpHelp, out)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the serving to this file")
	headerTimeout := fs.Duration("read-header-timeout", 10*time.Second, "Server.ReadHeaderTimeout (0: none)")
	idleTimeout := fs.Duration("idle-timeout", time.Minute, "Server.IdleTimeout (0: none)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	h, err := hub.New(hub.Config{})
	if err != nil {
		return err
	}
	if err := h.Start(); err != nil {
		return err
	}
	defer h.Stop()
	ln, err := netwrap.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &greenhttp.Server{Hub: h, Handler: demoApp(), ReadHeaderTimeout: *headerTimeout, IdleTimeout: *idleTimeout}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(out, "http: serving on http://%s/ (Ctrl-C to stop)\n", ln.Addr())
	select {
	case <-ctx.Done():
	case err := <-served:
		return err
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		fmt.Fprintf(out, "http: %v\n", err)
	}
	<-served
	fmt.Fprintln(out, "http: stopped")
	return nil
}

// demoApp is the demo's handler. Each handler runs in its connection's
// greenlet: green.Sleep parks it, and hits, shared by all of them, needs
// no lock because the greenlets of one hub run one at a time.
func demoApp() http.Handler {
	hello := []byte("Hello, World!")
	tenK := []byte(strings.Repeat("0123456789abcdef", 640))
	hits := 0
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		w.Write(hello)
	})
	mux.HandleFunc("/10k", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write(tenK)
	})
	mux.HandleFunc("/sleep", func(w http.ResponseWriter, r *http.Request) {
		d, err := time.ParseDuration(r.URL.Query().Get("d"))
		if err != nil || d < 0 || d > time.Minute {
			d = time.Second
		}
		green.Sleep(d)
		fmt.Fprintf(w, "slept %v\n", d)
	})
	mux.HandleFunc("/stream", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.URL.Query().Get("n"))
		if err != nil || n < 1 || n > 1000 {
			n = 5
		}
		w.Header().Set("Content-Type", "text/plain")
		for i := 1; i <= n; i++ {
			fmt.Fprintf(w, "line %d of %d\n", i, n)
			w.(http.Flusher).Flush()
			if i < n {
				green.Sleep(200 * time.Millisecond)
			}
		}
	})
	mux.HandleFunc("/count", func(w http.ResponseWriter, r *http.Request) {
		hits++
		fmt.Fprintf(w, "hit %d\n", hits)
	})
	return mux
}
