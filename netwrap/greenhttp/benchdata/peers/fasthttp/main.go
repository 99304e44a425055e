// fasthttp: github.com/valyala/fasthttp serving the benchmark's two
// answers ("/" and "/10k"); run it with GOMAXPROCS=1 for the one-core row.
package main

import (
	"log"

	"github.com/valyala/fasthttp"

	"greenhttp-bench-peers/answers"
)

func main() {
	addr := answers.Addr()
	s := &fasthttp.Server{
		Handler: func(ctx *fasthttp.RequestCtx) {
			ctx.SetContentType("text/plain")
			if string(ctx.Path()) == "/10k" {
				ctx.Write(answers.TenK)
				return
			}
			ctx.Write(answers.Hello)
		},
	}
	log.Fatal(s.ListenAndServe(addr))
}
