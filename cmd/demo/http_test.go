//go:build unix

package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// demo http serves its app until its context ends (what Ctrl-C does);
// a sleeping request does not hold up the others.
func TestHTTPSubcommand(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- runHTTP(ctx, []string{"-addr", "127.0.0.1:0"}, pw)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	if !lines.Scan() {
		t.Fatal("no output")
	}
	first := lines.Text()
	base := strings.TrimSuffix(first[strings.Index(first, "http://"):strings.Index(first, " (")], "/")
	go io.Copy(io.Discard, pr)
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	get := func(path string) string {
		resp, err := c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	slept := make(chan string, 1)
	go func() { slept <- get("/sleep?d=2s") }()
	for _, want := range []struct{ path, body string }{
		{"/", "Hello, World!"},
		{"/count", "hit 1\n"},
		{"/count", "hit 2\n"},
		{"/stream?n=2", "line 1 of 2\nline 2 of 2\n"},
	} {
		if got := get(want.path); got != want.body {
			t.Errorf("%s: %q, want %q", want.path, got, want.body)
		}
	}
	if len(get("/10k")) != 10240 {
		t.Error("/10k is not 10 KiB")
	}
	// Those were served while the sleeping handler waited (a blocked hub
	// would have answered them after it).
	if len(slept) != 0 {
		t.Error("the sleeping request was answered before the others")
	}
	if got := <-slept; got != "slept 2s\n" {
		t.Errorf("/sleep: %q", got)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
