#include "textflag.h"

// func getg() uintptr
TEXT ·getg(SB),NOSPLIT,$0-8
	MOVD g, R0
	MOVD R0, ret+0(FP)
	RET

// func getgLocked() (gp, locked uintptr)
// See getg_amd64.s.
TEXT ·getgLocked(SB),NOSPLIT,$0-16
	MOVD g, R0
	MOVD R0, gp+0(FP)
	MOVD ·lockedmOff(SB), R1
	MOVD (R0)(R1), R0
	MOVD R0, locked+8(FP)
	RET
