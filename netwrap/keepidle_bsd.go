//go:build unix && !linux && !darwin

package netwrap

import "golang.org/x/sys/unix"

// tcpKeepIdle is the TCP option for the idle time before the first
// keep-alive probe.
const tcpKeepIdle = unix.TCP_KEEPIDLE
