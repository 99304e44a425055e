//go:build unix

package greenhttp

import (
	"io"
	"net/http"
	"net/url"
)

// Get is http.Get on DefaultClient: in a greenlet it parks it until the
// response header is in (reading the body parks it too).
func Get(url string) (*http.Response, error) { return DefaultClient.Get(url) }

// Head is http.Head on DefaultClient.
func Head(url string) (*http.Response, error) { return DefaultClient.Head(url) }

// Post is http.Post on DefaultClient.
func Post(url, contentType string, body io.Reader) (*http.Response, error) {
	return DefaultClient.Post(url, contentType, body)
}

// PostForm is http.PostForm on DefaultClient.
func PostForm(url string, data url.Values) (*http.Response, error) {
	return DefaultClient.PostForm(url, data)
}
