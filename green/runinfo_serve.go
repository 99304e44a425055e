package green

import (
	"io"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
)

// runInfoOut is where NotifyRunInfo writes (a test replaces it).
var runInfoOut io.Writer = os.Stderr

// RunInfoHandler returns an http.Handler that answers with the run-info of
// every hub as text, to mount on a debug mux next to net/http/pprof's:
//
//	mux.Handle("/debug/green", green.RunInfoHandler())
//
// Query parameters: stacks=1 adds the stacks, limit=N bounds the number
// of greenlets per hub (default 1000, -1: all). It works from a plain net/http server (a hub that
// is blocked is reported as such, with who blocks it) and from a netwrap
// server's greenlets alike.
func RunInfoHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		var opts RunInfoOptions
		opts.Stacks, _ = strconv.ParseBool(q.Get("stacks"))
		if n, err := strconv.Atoi(q.Get("limit")); err == nil {
			opts.Limit = n
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		PrintRunInfoWith(w, opts)
	})
}

// NotifyRunInfo writes the run-info of every hub, with stacks, to standard
// error each time the process receives one of sigs (typically
// syscall.SIGUSR1; none given: nothing is installed), until stop is
// called. It is opt-in, like gevent's, because it takes the signal. The
// signals are received on a plain goroutine, so the run-info comes even
// when every hub is blocked.
func NotifyRunInfo(sigs ...os.Signal) (stop func()) {
	if len(sigs) == 0 {
		return func() {}
	}
	ch := make(chan os.Signal, 1)
	done := make(chan struct{})
	signal.Notify(ch, sigs...)
	go func() {
		for {
			select {
			case <-ch:
				PrintRunInfo(runInfoOut)
			case <-done:
				return
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			signal.Stop(ch)
			close(done)
		})
	}
}
