//go:build amd64 || arm64

package green

// callerPC returns a PC in the caller of the function that calls it (see
// callerpc_amd64.s). That function must not be inlined and must have a
// frame (every constructor that uses it calls other functions).
func callerPC() uintptr
