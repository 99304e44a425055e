//go:build unix

// Package greenexec is gevent.subprocess for this project: os/exec with
// the same names (Command, CommandContext, Cmd and its fields, Run,
// Start, Wait, Output, CombinedOutput, StdinPipe, StdoutPipe, StderrPipe,
// LookPath, ExitError, ErrNotFound...), whose waits park the calling
// greenlet instead of blocking its hub. Switching is a change of import:
//
//	import exec "github.com/greenrt/green/netwrap/greenexec"
//
//	out, err := exec.Command("git", "rev-parse", "HEAD").Output() // the greenlet parks
//
// # How it waits
//
// The process is started by os/exec itself, with only *os.File standard
// streams, so that os/exec never starts goroutines or waits on channels.
// Readers and writers that are not files get a pipe whose parent end is a
// cooperative greenos.File, fed or drained by a copying greenlet on the
// caller's hub. The child's exit is awaited on a pidfd (pidfd_open,
// Linux 5.3 and later) registered with the hub; where the kernel or a
// seccomp filter refuses pidfd_open, a plain goroutine waits in
// waitid(WNOWAIT) while the greenlet parks with its hub held (so deadlock
// detection stays correct either way). Once the child has exited, os/exec
// reaps it, which then returns at once and builds the same
// *os.ProcessState and *exec.ExitError as os/exec.
//
// Five greenlets each running `sleep 0.2` finish together in about 0.2 s,
// and the hub runs its other greenlets meanwhile (TestParallelSleeps).
//
// # Kills and timeouts
//
// A greenlet killed, or interrupted by a green.Timeout, while it waits in
// Wait (Run, Output, CombinedOutput) kills the process with SIGKILL,
// closes its pipes and leaves its reaping to a plain goroutine, which ends
// as soon as the child is gone: no child and no zombie outlives the wait.
// CommandContext, Cancel and WaitDelay behave as in os/exec (Cancel runs
// on a plain goroutine). A child meant to outlive its greenlet should be
// waited for by a greenlet that is not killed (or a plain goroutine).
//
// # Who may call what
//
// From a plain goroutine every call behaves like os/exec (the copying
// runs on goroutines). In a hub callback, Wait (and Run, Output,
// CombinedOutput) fail with hub.ErrNotCoroutine; Start works. A Cmd is
// not for concurrent use, as in os/exec, but Process.Signal and
// Process.Kill (Process is the *os.Process) are safe from anywhere.
//
// # Cost
//
// Start costs what os/exec's does (fork and exec on the caller's thread:
// the hub pauses until the child has called exec, typically well under a
// millisecond), plus a pipe and a greenlet per non-file stream. Wait opens
// a pidfd and registers it with the hub (three system calls) and parks;
// the copying costs one system call per read or write, parking when a pipe
// is empty or full.
package greenexec
