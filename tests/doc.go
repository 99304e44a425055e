// Package tests holds the tests that cross packages: the same work done
// with this project's runtime and with plain Go, compared for identical
// results (crawl strategies, echo servers, a lock-free counter) and, where
// the point is speed, for a ratio measured within one run.
package tests
