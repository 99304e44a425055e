// nethttp: net/http serving what greenhttp's demo serves for the
// benchmark: "/" Hello, World! (text/plain), "/10k" 10 KiB of text. Run it
// with GOMAXPROCS=1 for the one-core comparison.
package main

import (
	"log"
	"net/http"

	"greenhttp-bench-peers/answers"
)

func main() {
	addr := answers.Addr()
	mux := http.NewServeMux()
	for path, body := range map[string][]byte{"/": answers.Hello, "/10k": answers.TenK} {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.Write(body)
		})
	}
	log.Fatal(http.ListenAndServe(addr, mux))
}
