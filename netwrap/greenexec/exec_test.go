//go:build unix

package greenexec_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/internal/testutil"
	"github.com/greenrt/green/netwrap/greenexec"
)

// Five greenlets each running `sleep 0.2` finish together: the parallel
// run takes well under half of the sequential one (ideally a fifth), and a
// ticker greenlet on the hub never waits anywhere near 0.2 s. The same
// ticker sees os/exec stall the hub for the whole sleep, which shows the
// measurement catches a blocked hub. An overloaded machine can starve the
// hub of CPU for that long too, so the best of three attempts counts (a
// wait that blocked the hub would fail all three).
func TestParallelSleeps(t *testing.T) {
	need(t, "sleep")
	h := testutil.NewHub(t)
	const step = 200 * time.Millisecond
	sleep := func() error { return greenexec.Command("sleep", "0.2").Run() }
	gt := testutil.StartGapTicker(h.Hub, time.Millisecond)
	defer gt.Stop()
	for attempt := 1; ; attempt++ {
		start := time.Now()
		run(t, h.Hub, func() error {
			for range 5 {
				if err := sleep(); err != nil {
					return err
				}
			}
			return nil
		})
		sequential := time.Since(start)

		gt.Reset()
		start = time.Now()
		var gs []*green.Greenlet
		for range 5 {
			gs = append(gs, green.SpawnOn(h.Hub, sleep))
		}
		for _, g := range gs {
			if err := g.Join(); err != nil {
				t.Fatal(err)
			}
		}
		parallel := time.Since(start)
		gap := gt.Max()

		gt.Reset()
		run(t, h.Hub, func() error { return exec.Command("sleep", "0.2").Run() })
		stdlibGap := gt.Max()

		ratio := float64(parallel) / float64(sequential)
		t.Logf("5 x sleep 0.2: sequential %v, parallel %v (ratio %.2f); largest hub gap %v (os/exec in a greenlet: %v)",
			sequential, parallel, ratio, gap, stdlibGap)
		if stdlibGap < step/2 {
			t.Logf("os/exec did not visibly stall the ticker (%v): this machine hides the comparison", stdlibGap)
		}
		if ratio <= 0.5 && gap <= step*3/4 {
			return
		}
		if attempt == 3 {
			t.Fatalf("parallel/sequential = %.2f (want about 0.2, at most 0.5), largest hub gap %v (want well under %v)", ratio, gap, step)
		}
	}
}

// Output, CombinedOutput, exit codes and captured standard error are those
// of os/exec, run side by side from a plain goroutine.
func TestLikeOSExec(t *testing.T) {
	need(t, "sh")
	h := testutil.NewHub(t)
	scripts := []string{
		"echo out; echo err >&2",
		"echo out; echo err >&2; exit 3",
		"printf 'a%.0s' $(seq 1 100000) >&2; exit 1", // a long stderr, cut in the middle
		"kill -TERM $$",
	}
	for _, s := range scripts {
		wantOut, wantErr := exec.Command("sh", "-c", s).Output()
		wantComb, _ := exec.Command("sh", "-c", s).CombinedOutput()
		check := func(who string, out []byte, err error, comb []byte) {
			t.Helper()
			if !bytes.Equal(out, wantOut) || !bytes.Equal(comb, wantComb) {
				t.Errorf("%s %q: output %q / %q, want %q / %q", who, s, out, comb, wantOut, wantComb)
			}
			if (err == nil) != (wantErr == nil) {
				t.Fatalf("%s %q: error %v, want %v", who, s, err, wantErr)
			}
			if wantErr == nil {
				return
			}
			var ee, wee *greenexec.ExitError
			if !errors.As(err, &ee) || !errors.As(wantErr, &wee) {
				t.Fatalf("%s %q: %T, want *exec.ExitError", who, s, err)
			}
			if ee.ExitCode() != wee.ExitCode() || ee.String() != wee.String() || !bytes.Equal(ee.Stderr, wee.Stderr) {
				t.Errorf("%s %q: exit %d %q stderr %d bytes, want %d %q %d bytes",
					who, s, ee.ExitCode(), ee, len(ee.Stderr), wee.ExitCode(), wee, len(wee.Stderr))
			}
		}
		run(t, h.Hub, func() error {
			out, err := greenexec.Command("sh", "-c", s).Output()
			comb, _ := greenexec.Command("sh", "-c", s).CombinedOutput()
			check("greenlet", out, err, comb)
			return nil
		})
		out, err := greenexec.Command("sh", "-c", s).Output()
		comb, _ := greenexec.Command("sh", "-c", s).CombinedOutput()
		check("goroutine", out, err, comb)
	}
}

// Pipes both ways at once, larger than a pipe's buffer: cat echoes 1 MiB
// fed through StdinPipe while a greenlet reads StdoutPipe; Stdin from a
// reader and Stdout to a buffer go through copying greenlets.
func TestPipes(t *testing.T) {
	need(t, "cat", "tr")
	h := testutil.NewHub(t)
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
	run(t, h.Hub, func() error {
		cmd := greenexec.Command("cat")
		in, err := cmd.StdinPipe()
		if err != nil {
			return err
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			return err
		}
		if err := cmd.Start(); err != nil {
			return err
		}
		if _, err := cmd.StdinPipe(); !errors.Is(err, greenexec.ErrStdinSet) {
			return fmt.Errorf("StdinPipe twice: %v", err)
		}
		writer := green.Spawn(func() error {
			defer in.Close()
			_, err := in.Write(data)
			return err
		})
		got, err := io.ReadAll(out)
		if err != nil {
			return err
		}
		if err := writer.Join(); err != nil {
			return err
		}
		if err := cmd.Wait(); err != nil {
			return err
		}
		if !bytes.Equal(got, data) {
			return fmt.Errorf("cat returned %d bytes, want %d identical", len(got), len(data))
		}
		var upper bytes.Buffer
		tr := greenexec.Command("tr", "a-z", "A-Z")
		tr.Stdin = bytes.NewReader(data)
		tr.Stdout = &upper
		if err := tr.Run(); err != nil {
			return err
		}
		if !bytes.Equal(upper.Bytes(), bytes.ToUpper(data)) {
			return errors.New("tr output differs")
		}
		return nil
	})
}

// A greenlet killed while it waits kills the child, and the child is
// reaped (no zombie), long before the child would have ended; so does a
// green.Timeout. A normal Run leaves no zombie either.
func TestKillKillsChild(t *testing.T) {
	need(t, "sleep")
	h := testutil.NewHub(t)
	const life = 20 * time.Second
	pids := make(chan int, 1)
	gl := green.SpawnOn(h.Hub, func() error {
		cmd := greenexec.Command("sleep", "20")
		if err := cmd.Start(); err != nil {
			return err
		}
		pids <- cmd.Process.Pid
		return cmd.Wait()
	})
	pid := <-pids
	start := time.Now()
	if err := gl.Kill(); err != nil || !gl.Killed() {
		t.Fatalf("kill: %v", err)
	}
	if err := reaped(pid); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > life/4 {
		t.Errorf("the child of a killed greenlet took %v to go (its sleep is %v)", took, life)
	}

	run(t, h.Hub, func() error {
		var cmd *greenexec.Cmd
		var runErr error
		err := green.WithTimeout(50*time.Millisecond, func() {
			cmd = greenexec.Command("sleep", "20")
			runErr = cmd.Run()
		})
		if runErr != nil {
			return fmt.Errorf("Run returned %v instead of being interrupted", runErr)
		}
		if !errors.Is(err, green.ErrTimeout) {
			return fmt.Errorf("Run under a Timeout: %v", err)
		}
		if err := reaped(cmd.Process.Pid); err != nil {
			return fmt.Errorf("after a timeout: %v", err)
		}
		cmd = greenexec.Command("sleep", "0")
		if err := cmd.Run(); err != nil {
			return err
		}
		if err := reaped(cmd.Process.Pid); err != nil {
			return fmt.Errorf("after a normal run: %v", err)
		}
		return nil
	})
}

// A plain goroutine joining a greenlet that waits for a child does not get
// a false ErrDeadlock: the pidfd wait is an I/O wait of the hub.
func TestNoFalseDeadlock(t *testing.T) {
	need(t, "sh")
	h := testutil.NewHub(t)
	gl := green.SpawnOn(h.Hub, func() (string, error) {
		out, err := greenexec.Command("sh", "-c", "sleep 0.1; echo done").Output()
		return string(out), err
	})
	v, err := gl.Get()
	if errors.Is(err, hub.ErrDeadlock) {
		t.Fatal("false deadlock while waiting for a child")
	}
	if err != nil || v != "done\n" {
		t.Fatalf("got %q, %v", v, err)
	}
}

// CommandContext kills the child when the context is done; a custom Cancel
// with WaitDelay; a context done before Start.
func TestCommandContext(t *testing.T) {
	need(t, "sleep", "sh")
	h := testutil.NewHub(t)
	run(t, h.Hub, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		cmd := greenexec.CommandContext(ctx, "sleep", "20")
		err := cmd.Run()
		var ee *greenexec.ExitError
		if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			return fmt.Errorf("cancelled by its context: %v", err)
		}
		if err := reaped(cmd.Process.Pid); err != nil {
			return err
		}
		// Cancel sends SIGTERM, which the shell ignores; WaitDelay
		// then kills it.
		ctx2, cancel2 := context.WithCancel(context.Background())
		defer cancel2()
		cmd = greenexec.CommandContext(ctx2, "sh", "-c", "trap '' TERM; sleep 20")
		cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
		cmd.WaitDelay = 50 * time.Millisecond
		if err := cmd.Start(); err != nil {
			return err
		}
		green.Spawn(func() { green.Sleep(20 * time.Millisecond); cancel2() })
		err = cmd.Wait()
		if !errors.As(err, &ee) {
			return fmt.Errorf("Cancel then WaitDelay: %v", err)
		}
		done, cancel3 := context.WithCancel(context.Background())
		cancel3()
		if err := greenexec.CommandContext(done, "sleep", "0").Start(); !errors.Is(err, context.Canceled) {
			return fmt.Errorf("Start with a done context: %v", err)
		}
		return nil
	})
}

// WaitDelay ends the wait for a pipe that a grandchild keeps open, with
// ErrWaitDelay, after what was written before.
func TestWaitDelay(t *testing.T) {
	need(t, "sh", "sleep")
	h := testutil.NewHub(t)
	run(t, h.Hub, func() error {
		var out bytes.Buffer
		cmd := greenexec.Command("sh", "-c", "sleep 1 & echo early")
		cmd.Stdout = &out
		cmd.WaitDelay = 50 * time.Millisecond
		err := cmd.Run()
		if !errors.Is(err, greenexec.ErrWaitDelay) || out.String() != "early\n" {
			return fmt.Errorf("got %q, %v; want \"early\\n\", ErrWaitDelay", out.String(), err)
		}
		return nil
	})
}

// Misuse gets os/exec's errors: an unknown program, a zero Cmd, Start or
// Wait twice, Wait before Start, pipes after Start, Cancel without a
// context, Wait in a hub callback.
func TestErrors(t *testing.T) {
	need(t, "sleep")
	h := testutil.NewHub(t)
	run(t, h.Hub, func() error {
		err := greenexec.Command("no-such-program-here").Run()
		var ee *greenexec.Error
		if !errors.As(err, &ee) || !errors.Is(err, greenexec.ErrNotFound) {
			return fmt.Errorf("unknown program: %v", err)
		}
		if err := (&greenexec.Cmd{}).Run(); !errors.Is(err, greenexec.ErrNoCommand) {
			return fmt.Errorf("zero Cmd: %v", err)
		}
		if err := (&greenexec.Cmd{}).Wait(); !errors.Is(err, greenexec.ErrNotStarted) {
			return fmt.Errorf("Wait before Start: %v", err)
		}
		c := &greenexec.Cmd{Path: "/bin/true", Cancel: func() error { return nil }}
		if err := c.Start(); !errors.Is(err, greenexec.ErrCancelWithoutContext) {
			return fmt.Errorf("Cancel without a context: %v", err)
		}
		cmd := greenexec.Command("sleep", "0")
		if err := cmd.Start(); err != nil {
			return err
		}
		if err := cmd.Start(); !errors.Is(err, greenexec.ErrAlreadyStarted) {
			return fmt.Errorf("Start twice: %v", err)
		}
		if _, err := cmd.StdoutPipe(); !errors.Is(err, greenexec.ErrStdoutPipeAfterStart) {
			return fmt.Errorf("StdoutPipe after Start: %v", err)
		}
		// h.Call from a plain goroutine runs in the hub's loop.
		cbErr := make(chan error, 1)
		go h.Call(func() { cbErr <- cmd.Wait() })
		defer h.Hold()()
		for len(cbErr) == 0 {
			green.Sleep(time.Millisecond)
		}
		if err := <-cbErr; !errors.Is(err, hub.ErrNotCoroutine) {
			return fmt.Errorf("Wait in a hub callback: %v", err)
		}
		if err := cmd.Wait(); err != nil {
			return err
		}
		if err := cmd.Wait(); !errors.Is(err, greenexec.ErrWaitCalled) {
			return fmt.Errorf("Wait twice: %v", err)
		}
		if s := cmd.String(); !strings.HasSuffix(s, "sleep 0") {
			return fmt.Errorf("String: %q", s)
		}
		return nil
	})
	if s := (&greenexec.Cmd{Path: "x"}).String(); s != "x" {
		t.Errorf("String of a Cmd without Args: %q", s)
	}
}

// Process.Signal from another greenlet ends a child; Start on one hub and
// Wait on another work together.
func TestSignalAndOtherHub(t *testing.T) {
	need(t, "sleep", "sh")
	hs := testutil.NewHubs(t, 2)
	var cmd *greenexec.Cmd
	var out bytes.Buffer
	run(t, hs[0].Hub, func() error {
		cmd = greenexec.Command("sh", "-c", "echo started; exec sleep 20")
		cmd.Stdout = &out // copied by a greenlet of hub 0
		return cmd.Start()
	})
	waiter := green.SpawnOn(hs[1].Hub, cmd.Wait)
	run(t, hs[1].Hub, func() error {
		green.Sleep(20 * time.Millisecond)
		return cmd.Process.Signal(syscall.SIGTERM)
	})
	err := waiter.Join()
	var ee *greenexec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGTERM {
		t.Fatalf("signalled child: %v", err)
	}
	if out.String() != "started\n" {
		t.Fatalf("output %q", out.String())
	}
}

// Started from a plain goroutine, the copying runs on goroutines; a
// greenlet's Wait then waits for them (here for a grandchild that keeps
// the pipe open 0.1 s after the child exited) with its hub held, so a
// plain goroutine joining it gets no false ErrDeadlock.
func TestWaitForGoroutineCopiers(t *testing.T) {
	need(t, "sh", "sleep")
	h := testutil.NewHub(t)
	var out bytes.Buffer
	cmd := greenexec.Command("sh", "-c", "(sleep 0.1; echo late) & echo early")
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	err := green.SpawnOn(h.Hub, cmd.Wait).Join()
	if errors.Is(err, hub.ErrDeadlock) {
		t.Fatal("false deadlock while waiting for the copying goroutines")
	}
	if err != nil || out.String() != "early\nlate\n" {
		t.Fatalf("got %q, %v", out.String(), err)
	}
}
