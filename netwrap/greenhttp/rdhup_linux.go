package greenhttp

import "golang.org/x/sys/unix"

// pollRDHUP is Linux's POLLRDHUP: the peer closed its end (or shut down
// writing).
const pollRDHUP = unix.POLLRDHUP
