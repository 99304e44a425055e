// Package greengrpc makes gRPC clients (google.golang.org/grpc) usable from
// greenlets: interceptors that run each call, and each step of each
// stream, on a thread-pool goroutine while the calling greenlet parks.
//
//	cc, err := grpc.NewClient(target, append(greengrpc.DialOptions(nil),
//		grpc.WithTransportCredentials(insecure.NewCredentials()))...)
//	reply, err := pb.NewGreeterClient(cc).SayHello(ctx, req) // in a greenlet: parks
//
// # Why the interceptor and not the dialer
//
// gRPC's transport reads and writes on goroutines of its own; a call waits
// for them on Go channels. A cooperative dialer (grpc.WithContextDialer
// with netwrap.DialContext) changes nothing for the calling greenlet, which
// still waits on a channel and stops its hub for the whole call: measured,
// 200 greenlets making 5 ms calls through it run one call at a time
// (about 200 times the goroutines' time), whereas through these
// interceptors they take the goroutines' time (the README's table has the
// figures). The interceptors hand the call to the thread pool (a few
// microseconds) and park the greenlet; gRPC runs as it does for goroutines.
// Size the pool (threadpool.Default is 512) to the number of greenlets
// that call at once.
//
// Put the interceptors first (DialOptions does, with
// grpc.WithChainUnaryInterceptor and WithChainStreamInterceptor): the
// interceptors after them then run on the pool too, and may block.
//
// # Streams
//
// The stream interceptor offloads the stream's creation and wraps the
// stream so that SendMsg, RecvMsg, CloseSend and Header are offloaded too;
// Trailer and Context do not wait. A stream's RecvMsg and SendMsg may be
// called from two greenlets at once, as gRPC allows from two goroutines.
//
// # Kills, contexts, Close
//
// A kill or green.Timeout of a waiting greenlet returns at once and cancels
// the call's context, so gRPC ends the call; the call's own context is
// gRPC's to honour, and the greenlet waits for gRPC's answer. Close the
// ClientConn from a plain goroutine or through threadpool.Do: Close waits
// for gRPC's goroutines on channels.
package greengrpc
