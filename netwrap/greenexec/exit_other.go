//go:build unix && !linux

package greenexec

import "golang.org/x/sys/unix"

// Off Linux no hub runs (hub.New fails with hub.ErrUnsupported), so no
// greenlet ever waits for a child: Wait is exec.Cmd.Wait there, and these
// are never reached.

// pidfdOpen fails: pidfds are Linux's.
var pidfdOpen = func(int) (int, error) { return -1, unix.ENOSYS }

// exitedPid reports the child as exited, so that a waiter would go on to
// exec.Cmd.Wait (waitid with WNOWAIT, which peeks without reaping, is not
// portable).
func exitedPid(int) bool { return true }
