//go:build unix && !linux

package crawl

import (
	"context"
	"errors"
	"time"

	"github.com/greenrt/green/hub"
)

var errUnsupported = errors.New("crawl: raw non-blocking sockets are only implemented on Linux")

// BusyPoll is only implemented on Linux.
func BusyPoll(ctx context.Context, ts []Target, timeout time.Duration) []Page {
	return fail(len(ts), errUnsupported)
}

// Callbacks is only implemented on Linux (the hub's poller is epoll).
func Callbacks(ctx context.Context, ts []Target, timeout time.Duration, h *hub.Hub) []Page {
	return fail(len(ts), errUnsupported)
}
