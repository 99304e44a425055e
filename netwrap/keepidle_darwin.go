//go:build unix

package netwrap

import "golang.org/x/sys/unix"

// tcpKeepIdle is the TCP option for the idle time before the first
// keep-alive probe (TCP_KEEPALIVE on macOS).
const tcpKeepIdle = unix.TCP_KEEPALIVE
