// Package tests holds cross-package tests that run the same work with this
// project's runtime and with plain Go, and compare the outcomes.
package tests

import (
	"testing"

	"github.com/greenrt/green/internal/testutil"
)

// leakCheck checks, at cleanup, that the test left no goroutine or file
// descriptor behind (testutil.CheckLeaks).
func leakCheck(t *testing.T) { testutil.CheckLeaks(t) }
