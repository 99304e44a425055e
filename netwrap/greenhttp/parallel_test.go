//go:build unix

package greenhttp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/internal/testutil"
)

// TestParallelServer: requests to a ParallelServer are served on its hubs
// (every one of them gets connections), Shutdown ends ListenAndServe with
// http.ErrServerClosed, and nothing is left behind.
func TestParallelServer(t *testing.T) {
	testutil.CheckLeaks(t)
	var mu sync.Mutex // handlers of different hubs run in parallel
	perHub := map[*hub.Hub]int{}
	p := &ParallelServer{Hubs: 2, Config: &Server{Addr: "127.0.0.1:0", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, h := hub.Current()
		mu.Lock()
		perHub[h]++
		mu.Unlock()
		fmt.Fprintf(w, "hello %s", r.URL.Path)
	})}}
	served := make(chan error, 1)
	go func() { served <- p.ListenAndServe() }()
	for p.Addr() == nil {
		time.Sleep(time.Millisecond)
	}
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	for i := range 40 {
		resp, err := c.Get(fmt.Sprintf("http://%s/%d", p.Addr(), i))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != fmt.Sprintf("hello /%d", i) {
			t.Fatalf("got %q", b)
		}
	}
	if err := p.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-served:
		if !errors.Is(err, http.ErrServerClosed) {
			t.Fatalf("ListenAndServe: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("ListenAndServe did not return (hang guard)")
	}
	mu.Lock()
	defer mu.Unlock()
	// 40 connections over 2 listeners by a hash: both get some
	// (probability of one getting all: 2^-39).
	if len(perHub) != 2 {
		t.Fatalf("requests per hub: %v", perHub)
	}
	if err := p.ListenAndServe(); err == nil {
		t.Fatal("second ListenAndServe accepted")
	}
}
