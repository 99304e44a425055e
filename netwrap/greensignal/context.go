package greensignal

import (
	"context"
	"os"
	"os/signal"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
)

// NotifyContext returns a copy of parent that is done when one of sigs
// arrives (or parent is done, or stop is called): it is
// os/signal.NotifyContext, with its semantics (no signals: all of them;
// context.Cause names the signal). A greenlet must not wait for it with
// <-ctx.Done(), which blocks the whole hub: use WaitContext.
//
//	ctx, stop := greensignal.NotifyContext(context.Background(), os.Interrupt)
//	defer stop()
//	greensignal.WaitContext(ctx) // the greenlet parks until Ctrl-C
//	srv.Stop(5 * time.Second)
func NotifyContext(parent context.Context, sigs ...os.Signal) (ctx context.Context, stop context.CancelFunc) {
	return signal.NotifyContext(parent, sigs...)
}

// WaitContext waits until ctx is done and returns ctx.Err(). A greenlet
// parks, its hub held meanwhile (a context is cancelled from outside the
// hub: by a timer, a signal, another goroutine), so deadlock detection
// does not fire; a kill or green.Timeout interrupts it. A context that can
// never be done (ctx.Done() nil) parks without a hold, so that deadlock
// detection can end a wait that would last forever. A plain goroutine
// blocks on ctx.Done(). In a hub callback it returns hub.ErrNotCoroutine;
// with a nil ctx, ErrNilContext.
//
// Cost: a context.AfterFunc registration and one post to the hub when the
// context is done.
func WaitContext(ctx context.Context) error {
	if ctx == nil {
		return ErrNilContext
	}
	g, h := hub.Current()
	if g == nil {
		if h != nil {
			return hub.ErrNotCoroutine
		}
		<-ctx.Done()
		return ctx.Err()
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	w := green.NewWaiter()
	if ctx.Done() != nil {
		release := h.Hold()
		defer release()
		stop := context.AfterFunc(ctx, w.Wake)
		defer stop()
	}
	if w.Wait(-1, nil) == hub.Interrupted {
		w.Cancel()
		w.Raise()
	}
	return ctx.Err()
}
