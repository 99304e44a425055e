package greengrpc_test

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// A test service without generated code: Echo (unary) and Chat
// (bidirectional stream) answer "echo " + the request after 5 ms, or after
// the request's context ends for "slow".

const (
	echoMethod = "/green.test.Echo/Echo"
	chatMethod = "/green.test.Echo/Chat"
)

var cancelled atomic.Int32 // slow calls whose context the server saw end

func answer(ctx context.Context, in string) (*wrapperspb.StringValue, error) {
	if in == "slow" {
		select {
		case <-ctx.Done():
			cancelled.Add(1)
			return nil, ctx.Err()
		case <-time.After(10 * time.Second):
		}
	}
	time.Sleep(5 * time.Millisecond)
	return wrapperspb.String("echo " + in), nil
}

var serviceDesc = grpc.ServiceDesc{
	ServiceName: "green.test.Echo",
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{{
		MethodName: "Echo",
		Handler: func(_ any, ctx context.Context, dec func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
			in := new(wrapperspb.StringValue)
			if err := dec(in); err != nil {
				return nil, err
			}
			return answer(ctx, in.Value)
		},
	}},
	Streams: []grpc.StreamDesc{chatDesc},
}

var chatDesc = grpc.StreamDesc{
	StreamName: "Chat", ServerStreams: true, ClientStreams: true,
	Handler: func(_ any, ss grpc.ServerStream) error {
		for {
			in := new(wrapperspb.StringValue)
			if err := ss.RecvMsg(in); err != nil {
				if errors.Is(err, io.EOF) {
					return nil
				}
				return err
			}
			out, err := answer(ss.Context(), in.Value)
			if err != nil {
				return err
			}
			if err := ss.SendMsg(out); err != nil {
				return err
			}
		}
	},
}

// serve serves the test service on loopback (plain goroutines).
func serve() (addr string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	s := grpc.NewServer()
	s.RegisterService(&serviceDesc, struct{}{})
	go s.Serve(ln)
	return ln.Addr().String(), s.Stop, nil
}

func startServer(t testing.TB) string {
	addr, stop, err := serve()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return addr
}

func dial(t testing.TB, addr string, opts ...grpc.DialOption) *grpc.ClientConn {
	cc, err := grpc.NewClient(addr, append(opts, grpc.WithTransportCredentials(insecure.NewCredentials()))...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })
	return cc
}

func echo(ctx context.Context, cc *grpc.ClientConn, in string) (string, error) {
	out := new(wrapperspb.StringValue)
	if err := cc.Invoke(ctx, echoMethod, wrapperspb.String(in), out); err != nil {
		return "", err
	}
	if !strings.HasPrefix(out.Value, "echo ") {
		return out.Value, errors.New("bad answer")
	}
	return strings.TrimPrefix(out.Value, "echo "), nil
}
