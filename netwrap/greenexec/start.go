//go:build unix

package greenexec

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
)

// Start starts the command and returns without waiting for it, like
// exec.Cmd.Start: on success Process is set, and Wait must be called.
//
// The fork and exec run on the caller's thread (os.StartProcess; the
// calling thread waits until the child has called exec, typically well
// under a millisecond). Readers and writers other than *os.File get a
// pipe and a copying greenlet on the caller's hub (from a plain goroutine,
// a goroutine, as in os/exec). It fails with ErrAlreadyStarted on a second
// call, with Err when Command's lookup failed, ErrNoCommand for an empty
// Path, the context's error if it is done already, or the error of
// os.StartProcess.
func (c *Cmd) Start() error {
	if c.started.Swap(true) {
		return ErrAlreadyStarted
	}
	ok := false
	defer func() {
		closeAll(c.childFiles)
		c.childFiles = nil
		if !ok {
			closeAll(c.parentPipes)
			c.parentPipes = nil
			c.copiers = nil
		}
	}()
	if c.Path == "" && c.Err == nil {
		c.Err = ErrNoCommand
	}
	if c.Err != nil {
		return c.Err
	}
	if c.Cancel != nil && c.ctx == nil {
		return ErrCancelWithoutContext
	}
	if c.ctx != nil {
		if err := c.ctx.Err(); err != nil {
			return err
		}
	}
	stdin, err := c.childStdin()
	if err != nil {
		return err
	}
	stdout, err := c.writerDescriptor(c.Stdout)
	if err != nil {
		return err
	}
	stderr := stdout
	if c.Stderr == nil || !interfaceEqual(c.Stderr, c.Stdout) {
		if stderr, err = c.writerDescriptor(c.Stderr); err != nil {
			return err
		}
	}
	inner := &exec.Cmd{
		Path:        c.Path,
		Args:        c.Args,
		Env:         c.Env,
		Dir:         c.Dir,
		ExtraFiles:  c.ExtraFiles,
		SysProcAttr: c.SysProcAttr,
	}
	// Only *os.File values reach os/exec, so that it starts no copying
	// goroutine of its own and its Wait never waits for one.
	if stdin != nil {
		inner.Stdin = stdin
	}
	if stdout != nil {
		inner.Stdout = stdout
	}
	if stderr != nil {
		inner.Stderr = stderr
	}
	if err := inner.Start(); err != nil {
		return err
	}
	ok = true
	c.inner = inner
	c.Process = inner.Process
	c.startCopiers()
	if (c.Cancel != nil || c.WaitDelay != 0) && c.ctx != nil && c.ctx.Done() != nil {
		c.watch = newCtxWatch(c)
	}
	return nil
}

// interfaceEqual compares two interface values without panicking on
// uncomparable dynamic types.
func interfaceEqual(a, b any) (eq bool) {
	defer func() { recover() }()
	return a == b
}

// childStdin returns the file the child reads, or nil for the null
// device.
func (c *Cmd) childStdin() (*os.File, error) {
	switch r := c.Stdin.(type) {
	case nil:
		return nil, nil
	case *os.File:
		return r, nil
	}
	pr, w, err := c.writePipe()
	if err != nil {
		return nil, err
	}
	src := c.Stdin
	c.copiers = append(c.copiers, func() error {
		_, err := io.Copy(w, src)
		if errors.Is(err, syscall.EPIPE) {
			err = nil // the child did not read it all: not an error
		}
		if err1 := w.Close(); err == nil && !errors.Is(err1, os.ErrClosed) {
			err = err1
		}
		return err
	})
	return pr, nil
}

// writerDescriptor returns the file the child writes to for w, or nil for
// the null device.
func (c *Cmd) writerDescriptor(w io.Writer) (*os.File, error) {
	switch f := w.(type) {
	case nil:
		return nil, nil
	case *os.File:
		return f, nil
	}
	r, pw, err := c.readPipe()
	if err != nil {
		return nil, err
	}
	c.copiers = append(c.copiers, func() error {
		_, err := io.Copy(w, r)
		r.Close() // in case the copy stopped on a write error
		return err
	})
	return pw, nil
}

// startCopiers runs the copying functions: as greenlets of the caller's
// hub, or as goroutines for a plain goroutine.
func (c *Cmd) startCopiers() {
	if len(c.copiers) == 0 {
		return
	}
	grp := &copyGroup{running: len(c.copiers)}
	c.io = grp
	_, h := hub.Current()
	for _, fn := range c.copiers {
		run := func() {
			err := errCopyInterrupted
			defer func() { grp.done(err) }()
			err = fn()
		}
		if h != nil {
			green.SpawnOn(h, run).SetName("greenexec-copy")
		} else {
			go run()
		}
	}
	c.copiers = nil
}

// copyGroup counts the running copiers and keeps the first error.
type copyGroup struct {
	mu      sync.Mutex
	running int
	first   error
	l       latch
}

func (g *copyGroup) done(err error) {
	g.mu.Lock()
	if g.first == nil {
		g.first = err
	}
	g.running--
	last := g.running == 0
	g.mu.Unlock()
	if last {
		g.l.release()
	}
}

func (g *copyGroup) err() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.first
}

// ctxWatch calls Cancel when the context of CommandContext is done before
// Wait has seen the process exit, and kills the process WaitDelay later,
// as os/exec's watchCtx does; it runs on a plain goroutine (context's
// AfterFunc).
type ctxWatch struct {
	c    *Cmd
	stop func() bool

	mu      sync.Mutex
	err     error
	firedAt time.Time
	timer   *time.Timer // the kill WaitDelay after the context was done
	l       latch       // open once the Cancel step is over
}

func newCtxWatch(c *Cmd) *ctxWatch {
	w := &ctxWatch{c: c}
	w.stop = context.AfterFunc(c.ctx, w.fire)
	return w
}

func (w *ctxWatch) fire() {
	c := w.c
	w.mu.Lock()
	w.firedAt = time.Now()
	w.mu.Unlock()
	var err error
	if c.Cancel != nil {
		if ierr := c.Cancel(); ierr == nil {
			// Interrupted: whatever the command does from now on may
			// be due to the context, even a zero exit.
			err = c.ctx.Err()
		} else if !errors.Is(ierr, os.ErrProcessDone) {
			err = wrappedError{prefix: "exec: canceling Cmd", err: ierr}
		}
	}
	w.mu.Lock()
	w.err = err
	if c.WaitDelay > 0 {
		w.timer = time.AfterFunc(c.WaitDelay, w.kill)
	}
	w.mu.Unlock()
	w.l.release()
}

// kill runs WaitDelay after the context was done, if the process has not
// been seen to exit by then.
func (w *ctxWatch) kill() {
	if err := w.c.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		w.mu.Lock()
		if w.err == nil {
			w.err = wrappedError{prefix: "exec: killing Cmd", err: err}
		}
		w.mu.Unlock()
	}
}

// finish ends the watch once the process has exited: it returns when
// the context was done (zero if it was not) and the watch's error.
// If Cancel is running, it waits for it to return.
func (w *ctxWatch) finish() (time.Time, error) {
	if w.stop() {
		return time.Time{}, nil // the context was not done: nothing ran
	}
	w.l.wait(true, 0)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.timer != nil {
		w.timer.Stop()
	}
	return w.firedAt, w.err
}

// abandon ends the watch when Wait gives up: no Cancel or kill runs
// after it (one already running finishes on its goroutine).
func (w *ctxWatch) abandon() {
	if w.stop() {
		return
	}
	go func() {
		w.l.wait(true, 0)
		w.mu.Lock()
		if w.timer != nil {
			w.timer.Stop()
		}
		w.mu.Unlock()
	}()
}
