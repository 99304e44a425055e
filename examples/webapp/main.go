//go:build unix

// Command webapp is gevent's pywsgi for Go: an ordinary http.Handler
// served by greenhttp.Server, one greenlet per connection, on one hub.
// Because the handlers are greenlets of one hub, they share state
// without locks, and they can hand work to a background greenlet
// through a green.Queue and wait for the answer, parking instead of
// blocking.
//
//	go run ./examples/webapp               # a short demo: 20 clients, then exits
//	go run ./examples/webapp -serve 1m     # serve on 127.0.0.1:18080 for a minute (or until Ctrl-C)
//	                                       # try: curl -d 'hello' localhost:18080/shout; curl localhost:18080/stats
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/netwrap"
	"github.com/greenrt/green/netwrap/greenhttp"
)

// job is work for the background greenlet, with the way back.
type job struct {
	text   string
	result *green.AsyncResult
}

// app holds the state every handler shares: plain fields, no mutex.
type app struct {
	jobs     *green.Queue[job]
	requests int            // every request
	words    map[string]int // words seen by /shout
}

// worker is the background greenlet: it takes jobs off the queue one at a
// time (a slow step, say a call to another service) and answers them.
func (a *app) worker() {
	for j := range a.jobs.All() {
		green.Sleep(20 * time.Millisecond) // the slow step: other handlers run meanwhile
		j.result.Set(strings.ToUpper(j.text))
	}
}

func (a *app) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.requests++ // shared by every connection's greenlet: no lock needed
	switch r.URL.Path {
	case "/shout":
		body, err := io.ReadAll(greenhttp.MaxBytesReader(w, r.Body, 1<<10))
		if err != nil {
			http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
			return
		}
		for _, word := range strings.Fields(string(body)) {
			a.words[word]++
		}
		res := &green.AsyncResult{}
		if err := a.jobs.Put(job{text: string(body), result: res}); err != nil { // parks if the queue is full
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
			return
		}
		v, err := res.Get() // parks until the worker answers
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, v)
	case "/stats":
		fmt.Fprintf(w, "%d requests, %d distinct words\n", a.requests, len(a.words))
	default:
		http.NotFound(w, r)
	}
}

func main() {
	serve := flag.Duration("serve", 0, "instead of the demo, serve on -addr for this long (Ctrl-C stops earlier)")
	addr := flag.String("addr", "127.0.0.1:18080", "address for -serve")
	flag.Parse()

	a := &app{jobs: green.NewQueue[job](4), words: map[string]int{}}
	worker := green.Spawn(a.worker) // on the default hub, where the server runs too
	// main (a plain goroutine) will end the worker's wait by shutting the
	// queue down: it holds the hub meanwhile, or the hub's deadlock
	// detection would see a greenlet that nothing on the hub can wake.
	release := hub.Default().Hold()
	listen := "127.0.0.1:0"
	if *serve > 0 {
		listen = *addr
	}
	ln, err := netwrap.Listen("tcp", listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	srv := &greenhttp.Server{Handler: a, ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }() // blocks this goroutine; the hub serves
	url := "http://" + ln.Addr().String()
	fmt.Println("webapp on", url)

	if *serve > 0 {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		select {
		case <-ctx.Done():
		case <-time.After(*serve):
		}
	} else {
		green.Main(func() { demo(url) }) // the demo's clients, from the main greenlet
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "shutdown:", err)
	}
	<-served
	a.jobs.Shutdown() // the worker's loop ends
	release()
	worker.Join()
}

// demo sends 20 requests from 20 greenlets at once. The worker takes 20
// ms a job, one at a time, so the last answer comes after about 400 ms;
// meanwhile the server keeps answering /stats at once.
func demo(url string) {
	start := time.Now()
	var gs []*green.Greenlet
	for i := range 20 {
		gs = append(gs, green.Spawn(func() (string, error) {
			resp, err := greenhttp.Post(url+"/shout", "text/plain", strings.NewReader(fmt.Sprintf("client %d says hi", i)))
			if err != nil {
				return "", err
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			return strings.TrimSpace(string(b)), err
		}))
	}
	green.Sleep(50 * time.Millisecond)
	if resp, err := greenhttp.Get(url + "/stats"); err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("stats while the jobs run (after %v): %s", time.Since(start).Round(10*time.Millisecond), b)
	}
	green.JoinAll(gs...)
	for _, g := range gs[:3] {
		v, err := g.Get()
		if err != nil {
			fmt.Println("request failed:", err)
			continue
		}
		fmt.Println("answer:", v)
	}
	fmt.Printf("20 jobs answered in %v\n", time.Since(start).Round(10*time.Millisecond))
	resp, err := greenhttp.Get(url + "/stats")
	if err != nil {
		fmt.Println("stats failed:", err)
		return
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Print("stats at the end: ", string(b))
	greenhttp.DefaultClient.CloseIdleConnections()
}
