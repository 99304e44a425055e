//go:build !linux

package hub

import "fmt"

// Describe says what the descriptor is, for run-info: "fd 7".
func (d *FD) Describe() string { return fmt.Sprintf("fd %d", d.fd) }
