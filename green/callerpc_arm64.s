#include "textflag.h"

// func callerPC() uintptr
// See callerpc_amd64.s: on arm64 the frame pointer is R29 and the saved
// return address sits one word above it too.
TEXT ·callerPC(SB),NOSPLIT|NOFRAME,$0-8
	MOVD 8(R29), R0
	MOVD R0, ret+0(FP)
	RET
