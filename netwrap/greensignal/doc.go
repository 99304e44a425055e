// Package greensignal is gevent.signal_handler for this project: signals
// handled by greenlets on a hub, and a way for greenlets to wait for a
// signal (or any context) without blocking their hub.
//
//	h, _ := greensignal.Handle(func(sig os.Signal) {
//		srv.Stop(5 * time.Second) // runs in a new greenlet of the hub: it may park
//	}, os.Interrupt, syscall.SIGTERM)
//	defer h.Stop()
//
//	ctx, stop := greensignal.NotifyContext(context.Background(), os.Interrupt)
//	defer stop()
//	greensignal.WaitContext(ctx) // in a greenlet: parks until Ctrl-C
//
// Go delivers signals to channels (os/signal); a greenlet that receives
// from a channel blocks its hub, and a plain goroutine that touches the
// hub's greenlets must go through hub.Post and hold the hub meanwhile.
// Handle does both: a plain goroutine per Handler receives the signals and
// posts each to the hub, which starts the handler as a new greenlet; the
// hub is held while the Handler is installed.
//
// # Who may call what
//
// Handle, HandleOn and Stop are safe from any goroutine (Stop also from
// the handler itself). WaitContext parks a greenlet, blocks a plain
// goroutine and fails in a hub callback with hub.ErrNotCoroutine.
//
// # Graceful shutdown
//
// examples/shutdown is a StreamServer that, on SIGINT, stops accepting,
// lets the connections in flight finish (StreamServer.Stop with a grace
// period) and exits. Call Stop from the signal handler's greenlet or
// another greenlet waiting with WaitContext, never from a connection
// handler of the server being stopped (Stop waits for the handlers).
package greensignal
