package greengrpc_test

import (
	"context"
	"fmt"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/integrations/greengrpc"
	"github.com/greenrt/green/threadpool"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// Ten greenlets call a gRPC service (each answer takes 5 ms) through one
// ClientConn; each call runs on the thread pool while its greenlet parks.
func ExampleDialOptions() {
	addr, stop, err := serve() // the test service: Echo answers "echo " + the request
	if err != nil {
		panic(err)
	}
	defer stop()

	opts := append(greengrpc.DialOptions(nil), grpc.WithTransportCredentials(insecure.NewCredentials()))
	cc, err := grpc.NewClient(addr, opts...)
	if err != nil {
		panic(err)
	}
	defer threadpool.Do(func() { cc.Close() }) // Close waits on channels: not on the hub

	gs := make([]*green.Greenlet, 10)
	for i := range gs {
		gs[i] = green.Spawn(func() (string, error) {
			out := new(wrapperspb.StringValue)
			err := cc.Invoke(context.Background(), "/green.test.Echo/Echo", wrapperspb.String(fmt.Sprint(i)), out)
			return out.Value, err
		})
	}
	green.JoinAll(gs...)
	fmt.Println(gs[0].Value(), gs[9].Value(), gs[9].Err())
	// Output: echo 0 echo 9 <nil>
}
