#include "textflag.h"

// func getg() uintptr
// Returns the address of the running goroutine's g, read from TLS. It is an
// identity only: the runtime never frees a g, so the address of a live
// goroutine is unique for as long as that goroutine lives.
TEXT ·getg(SB),NOSPLIT,$0-8
	MOVQ (TLS), AX
	MOVQ AX, ret+0(FP)
	RET

// func getgLocked() (gp, locked uintptr)
// Returns getg() and the word at lockedmOff in that g: the runtime's
// g.lockedm (non-zero while the goroutine is locked to its thread) once
// checkLockedLayout has validated the offset, the never-zero g.stack.lo
// until then (see locked.go).
TEXT ·getgLocked(SB),NOSPLIT,$0-16
	MOVQ (TLS), AX
	MOVQ AX, gp+0(FP)
	MOVQ ·lockedmOff(SB), BX
	MOVQ (AX)(BX*1), AX
	MOVQ AX, locked+8(FP)
	RET
