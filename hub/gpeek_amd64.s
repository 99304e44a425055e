#include "textflag.h"

// func peek(addr uintptr) uintptr
// Reads the word at addr, without race-detector or checkptr instrumentation:
// gstack uses it to read another goroutine's runtime record and the stack of
// a goroutine that is not running (see gstack_fp.go), memory the Go heap
// never unmaps.
TEXT ·peek(SB),NOSPLIT,$0-16
	MOVQ addr+0(FP), AX
	MOVQ (AX), AX
	MOVQ AX, ret+8(FP)
	RET
