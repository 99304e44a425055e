//go:build unix

package greenhttp_test

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

// child is this test binary run again for one test, as the other end of
// a test: a client of 10,000 connections (so that each process fits the
// descriptor limit), a server whose CPU time must not count as the
// parent's. The child prints a line the parent waits for (await), and
// lives until the parent closes its stdin (stop).
type child struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	stdout  io.ReadCloser
	awaited bool          // await reads stdout (and drains it)
	drained chan struct{} // closed once await has read stdout to its end
	once    sync.Once
	err     error
}

// startChild runs the test named test in a child process, with env
// (KEY=value) added to its environment. It is stopped when the test ends.
func startChild(t testing.TB, test string, env ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, stdin: stdin, stdout: stdout, drained: make(chan struct{})}
	t.Cleanup(func() { c.stop() })
	return c
}

// await returns the rest of the first line the child prints that starts
// with prefix (the rest of its output is dropped); it fails the test if
// the child ends first.
func (c *child) await(t testing.TB, prefix string) string {
	t.Helper()
	c.awaited = true
	sc := bufio.NewScanner(c.stdout)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), prefix); ok {
			go func() {
				defer close(c.drained)
				io.Copy(io.Discard, c.stdout)
			}()
			return rest
		}
	}
	close(c.drained)
	t.Fatalf("the child process ended without a line %q", prefix)
	return ""
}

// stop closes the child's stdin, which ends it, and returns how it
// ended. Once; later calls return the same.
func (c *child) stop() error {
	c.once.Do(func() {
		c.stdin.Close()
		if c.awaited {
			<-c.drained
		} else {
			io.Copy(io.Discard, c.stdout)
		}
		c.err = c.cmd.Wait() // after the reads, as os/exec requires
	})
	return c.err
}
