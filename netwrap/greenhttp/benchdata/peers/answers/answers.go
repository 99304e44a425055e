// Package answers is what every Go peer of the HTTP comparison serves,
// the answers of greenhttp's demo (cmd/demo http): "/" Hello, World!
// (text/plain) and "/10k" 10 KiB of text; and where (the -addr flag).
package answers

import (
	"flag"
	"strings"
)

var (
	Hello = []byte("Hello, World!")
	TenK  = []byte(strings.Repeat("0123456789abcdef", 640))
)

// Addr parses the command line (-addr) and returns the address to
// listen on.
func Addr() string {
	addr := flag.String("addr", "127.0.0.1:25080", "listen address")
	flag.Parse()
	return *addr
}
