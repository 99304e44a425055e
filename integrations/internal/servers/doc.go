// Package servers starts the real servers that the integrations' tests
// talk to: redis-server and PostgreSQL from the system's packages (Debian:
// apt-get install -y redis-server postgresql), each on a free loopback port
// in a temporary directory, stopped when the test binary ends.
//
// A package's TestMain calls Main with the servers it needs. When one
// cannot start, the tests that need it fail with the reason if the
// environment variable CI is set, and skip with it otherwise (Need); the
// package's examples, which cannot skip, are left out of the run then.
package servers
