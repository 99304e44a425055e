//go:build unix

package netwrap

import "testing"

// socketPair returns the two ends of a Unix stream socketpair as Conns.
func socketPair(t testing.TB) (*Conn, *Conn) {
	t.Helper()
	fds, err := streamSocketpair()
	if err != nil {
		t.Fatal(err)
	}
	var cs [2]*Conn
	for i, fd := range fds {
		// As Accept and Dial make them: owned by netwrap.
		if cs[i], err = adoptConn(fd, false); err != nil {
			t.Fatal(err)
		}
	}
	return cs[0], cs[1]
}
