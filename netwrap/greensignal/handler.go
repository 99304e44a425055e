package greensignal

import (
	"os"
	"os/signal"
	"sync"
	"sync/atomic"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
)

// Handler runs a function in a new greenlet of a hub each time one of its
// signals arrives: gevent's signal_handler. Create it with Handle or
// HandleOn and end it with Stop; the zero value is not usable.
//
// While a Handler is installed its hub is held (hub.Hold): a signal may
// arrive at any time, so greenlets waiting for what the handler will do
// are not deadlocked, and deadlock detection leaves them alone (gevent's
// signal watchers keep its loop alive in the same way).
//
// As with os/signal.Notify, the signals are caught, not given their
// default action (SIGINT no longer ends the program), until Stop. Signals
// that arrive faster than the hub takes them are coalesced beyond a small
// buffer, as os/signal does.
//
// Cost: one plain goroutine per Handler, parked on a channel while no
// signal comes; per signal, a post to the hub and a greenlet.
type Handler struct {
	h       *hub.Hub
	fn      func(os.Signal)
	ch      chan os.Signal
	quit    chan struct{}
	stopped atomic.Bool
	once    sync.Once
	release func()
}

// Handle installs fn as the handler of sigs on the caller's hub (the
// default hub from a plain goroutine). See HandleOn.
func Handle(fn func(os.Signal), sigs ...os.Signal) (*Handler, error) {
	_, h := hub.Current()
	if h == nil {
		h = hub.Default()
	}
	return HandleOn(h, fn, sigs...)
}

// HandleOn installs fn as the handler of sigs on h: each signal received
// runs fn(sig) in a new greenlet of h, which may park, spawn, stop
// servers... (a panic in it is reported to h's error handler, like any
// greenlet's). It fails with ErrNoSignals, ErrNilHandler, or
// hub.ErrStopped if h has stopped. Safe from any goroutine.
func HandleOn(h *hub.Hub, fn func(os.Signal), sigs ...os.Signal) (*Handler, error) {
	if len(sigs) == 0 {
		return nil, ErrNoSignals
	}
	if fn == nil {
		return nil, ErrNilHandler
	}
	if h == nil || h.Stopped() {
		return nil, hub.ErrStopped
	}
	hd := &Handler{h: h, fn: fn, ch: make(chan os.Signal, 8), quit: make(chan struct{}), release: h.Hold()}
	signal.Notify(hd.ch, sigs...)
	go hd.forward()
	return hd, nil
}

// forward hands each signal to the hub until Stop or until the hub stops
// (which stops the Handler).
func (hd *Handler) forward() {
	for {
		select {
		case <-hd.quit:
			return
		case <-hd.h.Done():
			hd.Stop() // the hub has stopped: nothing can run the handler
			return
		case sig := <-hd.ch:
			err := hd.h.Post(func() {
				if hd.stopped.Load() {
					return
				}
				green.SpawnOn(hd.h, func() { hd.fn(sig) }).SetName("signal " + sig.String())
			})
			if err != nil {
				hd.Stop() // the hub has stopped
				return
			}
		}
	}
}

// Stop uninstalls the handler: no handler greenlet starts after Stop
// returns (those already started run on), the signals get their previous
// disposition back (unless other os/signal or greensignal registrations
// still want them), and the hub is no longer held. Stop is idempotent and
// safe from any goroutine, including the handler's own greenlet.
func (hd *Handler) Stop() {
	hd.once.Do(func() {
		hd.stopped.Store(true)
		signal.Stop(hd.ch)
		close(hd.quit)
		hd.release()
	})
}
