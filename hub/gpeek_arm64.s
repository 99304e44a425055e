#include "textflag.h"

// func peek(addr uintptr) uintptr
// See gpeek_amd64.s.
TEXT ·peek(SB),NOSPLIT,$0-16
	MOVD addr+0(FP), R0
	MOVD (R0), R0
	MOVD R0, ret+8(FP)
	RET
