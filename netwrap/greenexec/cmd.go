//go:build unix

package greenexec

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/greenrt/green/netwrap/greenos"
)

// Cmd is an external command being prepared or run: os/exec's Cmd, with
// the same exported fields and methods, whose waits park the calling
// greenlet instead of blocking its hub. See the package documentation for
// how it waits, and os/exec for the meaning of each field, which is the
// same here.
//
// The zero value runs nothing: Start fails with ErrNoCommand. A Cmd cannot
// be reused after Run, Output or CombinedOutput, nor be used by several
// goroutines at once (Process.Signal and Process.Kill excepted), as in
// os/exec. After a successful Start, Wait must be called to release the
// process, its pipes and the copying greenlets.
type Cmd struct {
	// Path is the path of the command to run (Command resolves a bare
	// name through PATH). A relative Path is relative to Dir.
	Path string
	// Args holds the command line arguments, including the command as
	// Args[0]; empty means []string{Path}.
	Args []string
	// Env is the environment of the process, "key=value" strings; nil
	// means the current process's environment.
	Env []string
	// Dir is the working directory; empty means the caller's.
	Dir string

	// Stdin is the process's standard input: nil reads from the null
	// device; an *os.File (or a *greenos.File's OSFile) is handed to the
	// process directly; any other reader is copied into a pipe by a
	// greenlet (by a goroutine when Start is called from a plain
	// goroutine), which Wait waits for.
	Stdin io.Reader
	// Stdout and Stderr are the process's standard output and error: nil
	// writes to the null device; an *os.File is handed over directly;
	// any other writer is fed from a pipe by a copying greenlet (a
	// goroutine from a plain goroutine). The same writer for both gets
	// one pipe, as in os/exec.
	Stdout io.Writer
	Stderr io.Writer

	// ExtraFiles are open files inherited by the process as descriptors
	// 3, 4, ...
	ExtraFiles []*os.File
	// SysProcAttr holds optional, operating-system-specific attributes.
	SysProcAttr *syscall.SysProcAttr

	// Process is the process once started: Signal and Kill it from
	// anywhere.
	Process *os.Process
	// ProcessState is the exited process's state, set by Wait.
	ProcessState *os.ProcessState

	// Err is the error of Command's lookup of the name, returned by Start.
	Err error

	// Cancel, if not nil, is called (on a plain goroutine) when the
	// context of CommandContext is done before the command has exited;
	// CommandContext sets it to kill the process. As in os/exec, Wait
	// then returns the context's error if the command otherwise
	// succeeded.
	Cancel func() error
	// WaitDelay bounds, once the context is done or the process has
	// exited, the wait for the copying of its I/O: when it expires the
	// pipes are closed, the process is killed if the context was done,
	// and Wait returns ErrWaitDelay if nothing else went wrong. Zero: no
	// bound.
	WaitDelay time.Duration

	ctx     context.Context
	started atomic.Bool
	waited  bool

	inner       *exec.Cmd   // the command os/exec starts and reaps
	childFiles  []*os.File  // closed after Start
	parentPipes []io.Closer // closed after Wait
	copiers     []func() error
	io          *copyGroup // the running copiers
	watch       *ctxWatch  // the context watcher, if any
	reaped      bool
}

// Command returns the Cmd to run the named program with the given
// arguments, like exec.Command: a name without a path separator is looked
// up in PATH (a few stat calls, on the caller's thread), and a failed
// lookup is kept in Err for Start to return.
func Command(name string, arg ...string) *Cmd {
	e := exec.Command(name, arg...)
	return &Cmd{Path: e.Path, Args: e.Args, Err: e.Err}
}

// CommandContext is Command with a context: if ctx is done before the
// command exits, Cancel is called (by default it kills the process), as
// with exec.CommandContext. It panics if ctx is nil, as os/exec does.
func CommandContext(ctx context.Context, name string, arg ...string) *Cmd {
	if ctx == nil {
		panic("nil Context")
	}
	c := Command(name, arg...)
	c.ctx = ctx
	c.Cancel = func() error { return c.Process.Kill() }
	return c
}

// LookPath is exec.LookPath (it runs on the caller's thread: a few stat
// calls).
func LookPath(file string) (string, error) { return exec.LookPath(file) }

// String describes c for debugging, like exec.Cmd.String.
func (c *Cmd) String() string {
	if c.Err != nil || len(c.Args) == 0 {
		if len(c.Args) == 0 {
			return c.Path
		}
		return strings.Join(c.Args, " ")
	}
	var b strings.Builder
	b.WriteString(c.Path)
	for _, a := range c.Args[1:] {
		b.WriteByte(' ')
		b.WriteString(a)
	}
	return b.String()
}

// Environ returns the environment the command would run with, like
// exec.Cmd.Environ.
func (c *Cmd) Environ() []string {
	return (&exec.Cmd{Path: c.Path, Args: c.Args, Env: c.Env, Dir: c.Dir}).Environ()
}

// Run starts the command and waits for it: Start, then Wait.
func (c *Cmd) Run() error {
	if err := c.Start(); err != nil {
		return err
	}
	return c.Wait()
}

// Output runs the command and returns its standard output, like
// exec.Cmd.Output: with Stderr nil, an *ExitError carries the start and
// end of the command's standard error.
func (c *Cmd) Output() ([]byte, error) {
	if c.Stdout != nil {
		return nil, ErrStdoutSet
	}
	var stdout bytes.Buffer
	c.Stdout = &stdout
	var captured *saver
	if c.Stderr == nil {
		captured = &saver{n: 32 << 10}
		c.Stderr = captured
	}
	err := c.Run()
	if captured != nil {
		if ee, ok := err.(*ExitError); ok {
			ee.Stderr = captured.Bytes()
		}
	}
	return stdout.Bytes(), err
}

// CombinedOutput runs the command and returns its standard output and
// standard error together, like exec.Cmd.CombinedOutput.
func (c *Cmd) CombinedOutput() ([]byte, error) {
	if c.Stdout != nil {
		return nil, ErrStdoutSet
	}
	if c.Stderr != nil {
		return nil, ErrStderrSet
	}
	var b bytes.Buffer
	c.Stdout = &b
	c.Stderr = &b
	err := c.Run()
	return b.Bytes(), err
}

// StdinPipe returns a pipe connected to the command's standard input when
// it starts, like exec.Cmd.StdinPipe, as a *greenos.File: its writes park
// a greenlet while the pipe is full. Wait closes it after the command
// exits; close it sooner to send end of file.
func (c *Cmd) StdinPipe() (io.WriteCloser, error) {
	if c.Stdin != nil {
		return nil, ErrStdinSet
	}
	if c.Process != nil || c.started.Load() {
		return nil, ErrStdinPipeAfterStart
	}
	pr, w, err := c.writePipe()
	if err != nil {
		return nil, err
	}
	c.Stdin = pr
	return w, nil
}

// StdoutPipe returns a pipe connected to the command's standard output
// when it starts, like exec.Cmd.StdoutPipe, as a *greenos.File whose
// reads park a greenlet. Wait closes it once the command has exited, so
// read everything before calling Wait (and do not use Run with it).
func (c *Cmd) StdoutPipe() (io.ReadCloser, error) {
	if c.Stdout != nil {
		return nil, ErrStdoutSet
	}
	if c.Process != nil || c.started.Load() {
		return nil, ErrStdoutPipeAfterStart
	}
	r, pw, err := c.readPipe()
	if err != nil {
		return nil, err
	}
	c.Stdout = pw
	return r, nil
}

// StderrPipe is StdoutPipe for standard error.
func (c *Cmd) StderrPipe() (io.ReadCloser, error) {
	if c.Stderr != nil {
		return nil, ErrStderrSet
	}
	if c.Process != nil || c.started.Load() {
		return nil, ErrStderrPipeAfterStart
	}
	r, pw, err := c.readPipe()
	if err != nil {
		return nil, err
	}
	c.Stderr = pw
	return r, nil
}

// readPipe makes a pipe whose write end goes to the child and whose read
// end, cooperative, stays with the parent until Wait.
func (c *Cmd) readPipe() (*greenos.File, *os.File, error) {
	pw, r, err := c.pipe(false)
	return r, pw, err
}

// writePipe makes a pipe whose read end goes to the child and whose write
// end, cooperative, stays with the parent until Wait.
func (c *Cmd) writePipe() (*os.File, *greenos.File, error) { return c.pipe(true) }

// pipe makes a pipe, gives one end to the child (closed after Start) and
// wraps the other for the parent (closed after Wait): the parent writes
// when parentWrites, else it reads.
func (c *Cmd) pipe(parentWrites bool) (child *os.File, parent *greenos.File, err error) {
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	child, mine := pw, pr
	if parentWrites {
		child, mine = pr, pw
	}
	if parent, err = greenos.Wrap(mine); err != nil {
		pr.Close()
		pw.Close()
		return nil, nil, err
	}
	c.childFiles = append(c.childFiles, child)
	c.parentPipes = append(c.parentPipes, parent)
	return child, parent, nil
}

func closeAll[T io.Closer](cs []T) {
	for _, c := range cs {
		c.Close()
	}
}
