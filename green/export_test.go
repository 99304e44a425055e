package green

import "io"

// SetRunInfoOutput makes NotifyRunInfo write to w until the returned
// function is called.
func SetRunInfoOutput(w io.Writer) (restore func()) {
	old := runInfoOut
	runInfoOut = w
	return func() { runInfoOut = old }
}
