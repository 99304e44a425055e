package servers

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Server is a running server process.
type Server interface {
	// Addr is the loopback host:port it listens on.
	Addr() string
	// Stop ends it and removes its files.
	Stop()
}

var (
	startErrs = map[string]error{}
	running   []Server
)

// Main starts the servers named in want ("redis", "postgres"), storing
// each started server through its pointer, runs the tests and examples,
// stops the servers and exits. A server that cannot start is recorded:
// Need reports it to each test that needs it, and examples are left out of
// the run (they cannot skip), unless CI is set, where everything runs and
// fails.
func Main(m *testing.M, want map[string]*Server) {
	flag.Parse()
	var failed []string
	for name, dst := range want {
		s, err := start(name)
		if err != nil {
			startErrs[name] = err
			failed = append(failed, fmt.Sprintf("%s: %v", name, err))
			continue
		}
		*dst = s
		running = append(running, s)
	}
	if len(failed) > 0 && !InCI() {
		fmt.Fprintf(os.Stderr, "servers unavailable (tests that need them skip, examples are not run; set CI=1 to fail instead):\n  %s\n",
			strings.Join(failed, "\n  "))
		if f := flag.Lookup("test.run"); f != nil && f.Value.String() == "" {
			_ = f.Value.Set("^Test")
		}
	}
	code := m.Run()
	for _, s := range running {
		s.Stop()
	}
	os.Exit(code)
}

func start(name string) (Server, error) {
	switch name {
	case "redis":
		return StartRedis()
	case "postgres":
		return StartPostgres()
	}
	return nil, fmt.Errorf("unknown server %q", name)
}

// InCI reports whether the environment variable CI is set (to anything
// but "" or "false"/"0").
func InCI() bool {
	v := os.Getenv("CI")
	return v != "" && v != "0" && v != "false"
}

// Need fails or skips t (see the package documentation) if the named
// server did not start.
func Need(t testing.TB, name string) {
	t.Helper()
	if err, ok := startErrs[name]; ok {
		Unavailable(t, fmt.Errorf("%s did not start: %w", name, err))
	}
}

// Unavailable fails t with err if CI is set, and skips it with err
// otherwise.
func Unavailable(t testing.TB, err error) {
	t.Helper()
	if InCI() {
		t.Fatalf("%v (CI is set, so this fails instead of skipping)", err)
	}
	t.Skipf("%v (set CI=1 to make this a failure)", err)
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// waitFor calls ready until it succeeds, the process exits (exited is
// closed) or timeout passes.
func waitFor(ready func() error, exited <-chan struct{}, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		err := ready()
		if err == nil {
			return nil
		}
		select {
		case <-exited:
			return errors.New("the server exited during start-up")
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after %v: %w", timeout, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func hostPort(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }
