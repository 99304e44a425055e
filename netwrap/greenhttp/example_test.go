//go:build unix

package greenhttp_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/netwrap"
	"github.com/greenrt/green/netwrap/greenhttp"
)

// A Server runs any http.Handler, one greenlet per connection: the
// handler's green.Sleep parks it while the hub serves other connections.
func ExampleServer() {
	ln, err := netwrap.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := &greenhttp.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		green.Sleep(10 * time.Millisecond) // parks this greenlet only
		fmt.Fprintf(w, "hello from a greenlet: %v", green.Current() != nil)
	})}
	go srv.Serve(ln) // a plain goroutine: Serve blocks it, the hub serves

	resp, err := greenhttp.Get("http://" + ln.Addr().String() + "/")
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.Status, string(body))

	greenhttp.DefaultClient.CloseIdleConnections()
	fmt.Println(srv.Shutdown(context.Background()))
	// Output:
	// 200 OK hello from a greenlet: true
	// <nil>
}

// greenhttp.Get in greenlets: the requests overlap on one hub (gevent's
// requests under monkey.patch_all), five 100 ms pages in about 100 ms.
func ExampleGet() {
	ln, _ := netwrap.Listen("tcp", "127.0.0.1:0")
	srv := &greenhttp.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		green.Sleep(100 * time.Millisecond) // a slow page
		fmt.Fprint(w, r.URL.Path)
	})}
	go srv.Serve(ln)
	defer srv.Shutdown(context.Background())
	defer greenhttp.DefaultClient.CloseIdleConnections()

	var jobs []*green.Greenlet
	for _, page := range []string{"/a", "/b", "/c", "/d", "/e"} {
		jobs = append(jobs, green.Spawn(func() (string, error) {
			resp, err := greenhttp.Get("http://" + ln.Addr().String() + page)
			if err != nil {
				return "", err
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			return string(b), err
		}))
	}
	green.JoinAll(jobs...)
	var pages []string
	for _, j := range jobs {
		v, _ := j.Get()
		pages = append(pages, v.(string))
	}
	slices.Sort(pages)
	fmt.Println(pages)
	// Output: [/a /b /c /d /e]
}
