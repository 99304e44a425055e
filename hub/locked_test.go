//go:build amd64 || arm64

package hub

import (
	"runtime"
	"strings"
	"testing"
)

// TestLockedLayout checks that the switch paths read the locked flag out of
// the goroutine record on the runtime this module is built for (the check
// falls back to asking the runtime on others: TestLockedFallback).
func TestLockedLayout(t *testing.T) {
	if runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64" {
		t.Skip("no record reads on", runtime.GOARCH)
	}
	checkLockedLayout()
	if lockedmOff == gStackLo {
		if strings.HasPrefix(runtime.Version(), "go1.26") {
			t.Fatal("the g.lockedm offset did not hold on Go 1.26: every switch asks the runtime")
		}
		t.Skip("the g.lockedm offset does not hold on", runtime.Version(), "(fallback in use)")
	}
}

// TestLockedFallback runs the refusal and ordinary switches with the
// record read off (the layout check failed): the slow path decides.
func TestLockedFallback(t *testing.T) {
	checkLockedLayout()
	saved := lockedmOff
	lockedmOff = gStackLo
	defer func() { lockedmOff = saved }()
	checkLockRefused(t)
}
