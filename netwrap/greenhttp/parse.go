//go:build unix

package greenhttp

import (
	"bufio"
	"net/http"
	_ "unsafe" // for go:linkname
)

// readRequest is net/http's own request parser, the one http.Server
// calls. http.ReadRequest is the same function followed by a delete of
// the Host header; the server needs that header as it arrived to give
// exactly net/http's answers to a missing, empty, repeated or malformed
// Host (an absolute-form request line hides it otherwise). net/http
// keeps this symbol linkable on purpose ("Do not remove or change the
// type signature", go.dev/issue/67401), so this is no parser of ours:
// the request line, the headers, Content-Length and Transfer-Encoding
// rules (no request smuggling) and the body readers are net/http's.
//
//go:linkname readRequest net/http.readRequest
func readRequest(b *bufio.Reader) (*http.Request, error)
