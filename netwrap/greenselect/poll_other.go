//go:build unix && !linux

package greenselect

import (
	"time"

	"github.com/greenrt/green/hub"
	"golang.org/x/sys/unix"
)

// pollRDHUP is the peer-closed event of poll(2): Linux's POLLRDHUP, which
// other systems do not have (their POLLHUP covers the hang-up).
const pollRDHUP = 0

// pollGreen is never reached off Linux: without a hub there is no
// greenlet to park.
func pollGreen([]unix.PollFd, time.Duration) (int, error) { return 0, hub.ErrUnsupported }

// newEpoll fails off Linux: there is no epoll.
func newEpoll() (int, error) { return -1, hub.ErrUnsupported }
