#include "textflag.h"

// func getg() uintptr
// Returns the address of the running goroutine's g, read from TLS. It is an
// identity only: the runtime never frees a g, so the address of a live
// goroutine is unique for as long as that goroutine lives.
TEXT ·getg(SB),NOSPLIT,$0-8
	MOVQ (TLS), AX
	MOVQ AX, ret+0(FP)
	RET
