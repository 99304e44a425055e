// nethttp: net/http serving what greenhttp's demo serves for the
// benchmark: "/" Hello, World! (text/plain), "/10k" 10 KiB of text. Run it
// with GOMAXPROCS=1 for the one-core comparison.
package main

import (
	"flag"
	"log"
	"net/http"
	"strings"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:25080", "listen address")
	flag.Parse()
	hello := []byte("Hello, World!")
	tenK := []byte(strings.Repeat("0123456789abcdef", 640))
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write(hello)
	})
	mux.HandleFunc("/10k", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write(tenK)
	})
	log.Fatal(http.ListenAndServe(*addr, mux))
}
