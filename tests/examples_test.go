package tests

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Every program under examples/ builds, runs to completion on its own
// with its default flags, exits with status 0 and reports no unhandled
// greenlet error (built with -race when the tests are), the blocking
// monitor's threshold raised to 2 s but for examples/blocking. Skipped
// with -short (it runs the go tool).
func TestExamplesRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the examples")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool:", err)
	}
	dirs, err := filepath.Glob("../examples/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no examples found: %v", err)
	}
	bin := t.TempDir()
	args := []string{"build", "-o", bin + string(os.PathSeparator)}
	if raceEnabled {
		args = append(args, "-race") // the examples' greenlets under the race detector too
	}
	build := exec.Command(goTool, append(args, "./examples/...")...)
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./examples/...: %v\n%s", err, out)
	}
	for _, dir := range dirs {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, filepath.Join(bin, name))
			if name != "blocking" {
				// A TLS handshake or a parse under the race detector on
				// a loaded machine may hold the hub past 100 ms: the
				// monitor would be right to say so, but that is not
				// what these runs check (examples/blocking shows the
				// monitor's reports, with the default threshold).
				cmd.Env = append(os.Environ(), "GREEN_MAX_BLOCKING_TIME=2s")
			}
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%s: %v\n%s", name, err, out)
			}
			if strings.Contains(string(out), "ERROR") || strings.Contains(string(out), "failed") {
				t.Fatalf("%s reported an error:\n%s", name, out)
			}
		})
	}
}
