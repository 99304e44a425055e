//go:build unix

package greenexec

import (
	"sync"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
)

// latch is a one-way gate that greenlets (of any hub) and plain goroutines
// can wait on, opened by whoever finishes the work (a copying greenlet, a
// plain goroutine). Its mutex is held for a few instructions, never across
// a park, so a greenlet never waits on it for another greenlet.
type latch struct {
	mu   sync.Mutex
	open bool
	ws   []*green.Waiter
}

func (l *latch) release() {
	l.mu.Lock()
	if l.open {
		l.mu.Unlock()
		return
	}
	l.open = true
	ws := l.ws
	l.ws = nil
	l.mu.Unlock()
	for _, w := range ws {
		w.Wake()
	}
}

func (l *latch) isOpen() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.open
}

// wait waits until the latch is open (forever) or d has passed, and
// reports whether it is open. A greenlet parks, holding its hub meanwhile
// (the opener may be a plain goroutine, which deadlock detection cannot
// see); a plain goroutine blocks. A kill or Timeout interrupts a greenlet
// (raised as a panic). The caller is not a hub callback.
func (l *latch) wait(forever bool, d time.Duration) bool {
	l.mu.Lock()
	if l.open || (!forever && d <= 0) {
		ok := l.open
		l.mu.Unlock()
		return ok
	}
	w := green.NewWaiter()
	l.ws = append(l.ws, w)
	l.mu.Unlock()
	if g, h := hub.Current(); g != nil {
		defer h.Hold()()
	}
	timeout := time.Duration(-1)
	if !forever {
		timeout = d
	}
	res := w.Wait(timeout, nil)
	if res == hub.Interrupted {
		w.Cancel()
		w.Raise()
	}
	return l.isOpen()
}
