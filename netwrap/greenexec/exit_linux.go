package greenexec

import "golang.org/x/sys/unix"

// pidfdOpen opens a pidfd for a child; a variable so that tests can take
// the fallback path.
var pidfdOpen = func(pid int) (int, error) { return unix.PidfdOpen(pid, 0) }

// exitedPid reports, without waiting or reaping, whether the child pid has
// exited (or is no longer ours to wait for).
func exitedPid(pid int) bool {
	var info unix.Siginfo
	for {
		err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOHANG|unix.WNOWAIT, nil)
		switch err {
		case unix.EINTR:
			continue
		case nil:
			return info.Signo != 0 // zeroed when no child is waitable
		default:
			return true // ECHILD: reaped by someone else; nothing to wait for
		}
	}
}
