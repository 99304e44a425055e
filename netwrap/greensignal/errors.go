package greensignal

import "errors"

// Sentinel errors of package greensignal; compare with errors.Is.
var (
	// ErrNoSignals is the error of Handle without any signal. (os/signal
	// would relay every signal, including the runtime's own preemption
	// signal, many times a second: a greenlet each time.)
	ErrNoSignals = errors.New("greensignal: no signal given")

	// ErrNilHandler is the error of Handle with a nil function.
	ErrNilHandler = errors.New("greensignal: nil handler")

	// ErrNilContext is the error of WaitContext with a nil context.
	ErrNilContext = errors.New("greensignal: nil context")
)
