//go:build unix

package echo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"time"
)

// MaxMessage bounds the message size of Load: a message is written whole
// before its echo is read, which needs the echo to fit in the socket
// buffers meanwhile (Linux's loopback defaults hold several hundred KiB).
const MaxMessage = 256 << 10

// Load describes one load run against an echo server.
type Load struct {
	Addr     string        // server address, host:port
	Size     int           // message size in bytes, 1..MaxMessage
	Conns    int           // concurrent connections (the uvloop benchmark uses 10)
	Duration time.Duration // how long to keep sending
	Warmup   time.Duration // sending before measuring starts (not counted)
}

// Stats is the outcome of a load run.
type Stats struct {
	Requests int           // round trips completed in the measured window
	Bytes    int64         // bytes sent (and received back) in them
	Elapsed  time.Duration // length of the measured window
	P50, P99 time.Duration // round-trip latency percentiles
}

// ReqPerSec returns requests per second.
func (s Stats) ReqPerSec() float64 { return float64(s.Requests) / s.Elapsed.Seconds() }

// MiBPerSec returns the echoed payload in MiB per second (one direction).
func (s Stats) MiBPerSec() float64 { return float64(s.Bytes) / (1 << 20) / s.Elapsed.Seconds() }

// Run drives the server: Conns plain goroutines each dial once, then
// repeatedly send a Size-byte message and read its whole echo, checking
// that the echo equals the message. Cancelling ctx ends the run early
// (the stats cover what was measured so far). It fails on the first
// connection error or wrong echo.
func (l Load) Run(ctx context.Context) (Stats, error) {
	if l.Size < 1 || l.Size > MaxMessage {
		return Stats{}, fmt.Errorf("echo: message size %d out of 1..%d", l.Size, MaxMessage)
	}
	conns := max(l.Conns, 1)
	start := time.Now()
	measure := start.Add(l.Warmup)
	end := measure.Add(l.Duration)
	ctx, cancel := context.WithDeadline(ctx, end)
	defer cancel()

	var (
		mu       sync.Mutex
		lat      []time.Duration
		firstErr error
		wg       sync.WaitGroup
	)
	for i := range conns {
		wg.Go(func() {
			l, err := l.conn(ctx, i, measure)
			mu.Lock()
			defer mu.Unlock()
			lat = append(lat, l...)
			if err != nil && firstErr == nil {
				firstErr = err
				cancel()
			}
		})
	}
	wg.Wait()
	stop := time.Now()
	if stop.After(end) {
		stop = end
	}
	st := Stats{Requests: len(lat), Bytes: int64(len(lat)) * int64(l.Size), Elapsed: stop.Sub(measure)}
	if st.Elapsed <= 0 {
		st.Elapsed = time.Nanosecond
	}
	if len(lat) > 0 {
		slices.Sort(lat)
		st.P50 = lat[len(lat)*50/100]
		st.P99 = lat[len(lat)*99/100]
	}
	return st, firstErr
}

// conn runs one connection until ctx ends and returns the latencies of
// the round trips that started after measure.
func (l Load) conn(ctx context.Context, id int, measure time.Time) ([]time.Duration, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", l.Addr)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil
		}
		return nil, err
	}
	defer c.Close()
	// Ending the run (deadline or cancel) interrupts a pending read.
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	msg := Message(id, l.Size)
	back := make([]byte, l.Size)
	var lat []time.Duration
	for ctx.Err() == nil {
		t0 := time.Now()
		if _, err := c.Write(msg); err != nil {
			return lat, l.ended(ctx, err)
		}
		if _, err := io.ReadFull(c, back); err != nil {
			return lat, l.ended(ctx, err)
		}
		if !bytes.Equal(back, msg) {
			return lat, fmt.Errorf("echo: connection %d: wrong echo", id)
		}
		if t0.After(measure) {
			lat = append(lat, time.Since(t0))
		}
	}
	return lat, nil
}

// ended turns an I/O error caused by the end of the run into nil.
func (l Load) ended(ctx context.Context, err error) error {
	if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
		return nil
	}
	return err
}

// Message returns the size-byte message of connection id: printable bytes
// that differ between connections, so that crossed echoes are noticed.
func Message(id, size int) []byte {
	b := make([]byte, size)
	x := uint32(id)*2654435761 + 1
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = 'a' + byte(x%26)
	}
	return b
}
