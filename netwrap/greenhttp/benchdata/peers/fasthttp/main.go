// fasthttp: github.com/valyala/fasthttp serving the benchmark's two
// answers ("/" and "/10k"); run it with GOMAXPROCS=1 for the one-core row.
package main

import (
	"flag"
	"log"
	"strings"

	"github.com/valyala/fasthttp"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:25080", "listen address")
	flag.Parse()
	hello := []byte("Hello, World!")
	tenK := []byte(strings.Repeat("0123456789abcdef", 640))
	s := &fasthttp.Server{
		Handler: func(ctx *fasthttp.RequestCtx) {
			ctx.SetContentType("text/plain")
			if string(ctx.Path()) == "/10k" {
				ctx.Write(tenK)
				return
			}
			ctx.Write(hello)
		},
	}
	log.Fatal(s.ListenAndServe(*addr))
}
