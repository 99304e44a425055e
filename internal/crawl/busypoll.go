//go:build linux

package crawl

import (
	"context"
	"errors"
	"time"

	"golang.org/x/sys/unix"
)

// BusyPoll fetches the pages one after another on non-blocking sockets,
// retrying every call that would block in a tight loop: the classic path's
// "non-blocking, but polled" step. It is no faster than Sequential (it
// still waits for one page before asking for the next) and it burns a
// whole core while it waits, which the CPU column shows.
func BusyPoll(ctx context.Context, ts []Target, timeout time.Duration) []Page {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	pages := make([]Page, len(ts))
	for i, t := range ts {
		raw, err := busyFetch(ctx, t, time.Now().Add(timeout))
		if err != nil {
			pages[i].Err = err
			continue
		}
		pages[i] = parsePage(raw)
	}
	return pages
}

// busyFetch connects, sends and receives on one non-blocking socket,
// spinning on EAGAIN.
func busyFetch(ctx context.Context, t Target, deadline time.Time) ([]byte, error) {
	fd, err := dialNonblock(t)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)

	// spin reports whether to keep retrying: not past the deadline and
	// not cancelled. It reads the clock only every 1024 spins.
	spins := 0
	spin := func() error {
		if spins++; spins%1024 != 0 {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return ErrTimeout
		}
		return nil
	}

	// Send the request. While the connect is in progress, write fails
	// with EAGAIN: that is part of the busy wait.
	for req := t.Request; len(req) > 0; {
		n, err := unix.Write(fd, req)
		switch {
		case err == nil:
			req = req[n:]
		case errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR):
			if err := spin(); err != nil {
				return nil, err
			}
		default:
			return nil, err
		}
	}

	// Read until the server closes the connection.
	var resp []byte
	buf := make([]byte, 32<<10)
	for {
		n, err := unix.Read(fd, buf)
		switch {
		case err == nil && n == 0:
			return resp, nil
		case err == nil:
			resp = append(resp, buf[:n]...)
		case errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR):
			if err := spin(); err != nil {
				return nil, err
			}
		default:
			return nil, err
		}
	}
}

// dialNonblock creates a non-blocking TCP socket and starts connecting it
// to t.Addr. The connect usually returns EINPROGRESS: it completes later.
func dialNonblock(t Target) (int, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	sa := &unix.SockaddrInet4{Port: int(t.Addr.Port()), Addr: t.Addr.Addr().As4()}
	if err := unix.Connect(fd, sa); err != nil && !errors.Is(err, unix.EINPROGRESS) {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}
