package greengrpc

import (
	"context"

	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/threadpool"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

// DialOptions returns the dial options that install both interceptors on
// pool p (nil: threadpool.Default()), to be passed before any other
// interceptor option.
func DialOptions(p *threadpool.Pool) []grpc.DialOption {
	return []grpc.DialOption{
		grpc.WithChainUnaryInterceptor(UnaryClientInterceptor(p)),
		grpc.WithChainStreamInterceptor(StreamClientInterceptor(p)),
	}
}

// UnaryClientInterceptor returns an interceptor that, in a greenlet, runs
// the rest of the call (the interceptors after it and the invoker) on pool
// p (nil: threadpool.Default()) while the greenlet parks. From a plain
// goroutine the call runs in place; from a hub callback, which must never
// wait, it fails with hub.ErrNotCoroutine.
func UnaryClientInterceptor(p *threadpool.Pool) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		_, err := offload(p, ctx, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, invoker(ctx, method, req, reply, cc, opts...)
		})
		return err
	}
}

// StreamClientInterceptor returns an interceptor that, in a greenlet, opens
// the stream on pool p (nil: threadpool.Default()) and returns a stream
// whose waiting methods run there too. From a plain goroutine it is
// transparent; from a hub callback it fails with hub.ErrNotCoroutine.
func StreamClientInterceptor(p *threadpool.Pool) grpc.StreamClientInterceptor {
	return func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
		if g, h := hub.Current(); g == nil {
			if h != nil {
				return nil, hub.ErrNotCoroutine
			}
			return streamer(ctx, desc, cc, method, opts...)
		}
		p := pool(p)
		return threadpool.CallOn(p, context.Background(), func(gone context.Context) (grpc.ClientStream, error) {
			// The stream lives on after this returns: its context is
			// cancelled by a kill of a waiting greenlet, or once the stream
			// has ended (RecvMsg failed), never by the return.
			sctx, cancel := context.WithCancel(ctx)
			stop := context.AfterFunc(gone, cancel)
			cs, err := streamer(sctx, desc, cc, method, opts...)
			if !stop() || err != nil {
				cancel()
				if err == nil {
					err = context.Canceled // the caller is gone
				}
				return nil, err
			}
			return &stream{ClientStream: cs, p: p, cancel: cancel}, nil
		})
	}
}

func pool(p *threadpool.Pool) *threadpool.Pool {
	if p == nil {
		return threadpool.Default()
	}
	return p
}

// offload runs fn(ctx) on p from a greenlet and in place elsewhere. The
// greenlet waits for fn whatever ctx does (gRPC ends the call when ctx
// ends, and nothing may touch the call's messages after it returns); a
// kill of the greenlet cancels the context fn was given.
func offload[T any](p *threadpool.Pool, ctx context.Context, fn func(context.Context) (T, error)) (T, error) {
	g, h := hub.Current()
	if g == nil {
		if h != nil {
			var zero T
			return zero, hub.ErrNotCoroutine
		}
		return fn(ctx)
	}
	return threadpool.CallOn(pool(p), context.Background(), func(gone context.Context) (T, error) {
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		stop := context.AfterFunc(gone, cancel) // the greenlet was killed
		defer stop()
		return fn(cctx)
	})
}

// stream offloads the waiting methods of a client stream. A kill of a
// greenlet waiting in one of them cancels the stream.
type stream struct {
	grpc.ClientStream
	p      *threadpool.Pool
	cancel context.CancelFunc
}

// do runs op on the pool from a greenlet, in place elsewhere.
func (s *stream) do(op func() error) error {
	if g, h := hub.Current(); g == nil {
		if h != nil {
			return hub.ErrNotCoroutine
		}
		return op()
	}
	_, err := threadpool.CallOn(s.p, context.Background(), func(gone context.Context) (struct{}, error) {
		stop := context.AfterFunc(gone, s.cancel)
		err := op()
		stop()
		return struct{}{}, err
	})
	return err
}

func (s *stream) Header() (md metadata.MD, err error) {
	err = s.do(func() error { md, err = s.ClientStream.Header(); return err })
	return md, err
}

func (s *stream) CloseSend() error { return s.do(s.ClientStream.CloseSend) }

func (s *stream) SendMsg(m any) error {
	return s.do(func() error { return s.ClientStream.SendMsg(m) })
}

// RecvMsg receives a message; once it fails (io.EOF at the end) the
// stream's context is released.
func (s *stream) RecvMsg(m any) error {
	err := s.do(func() error { return s.ClientStream.RecvMsg(m) })
	if err != nil {
		s.cancel()
	}
	return err
}
