//go:build unix && !linux

package greenhttp

// pollRDHUP is 0 where poll(2) has no POLLRDHUP: a peer's end of stream
// shows there as POLLIN with a zero-length peek.
const pollRDHUP = 0
