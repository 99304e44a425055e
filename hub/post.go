package hub

import "sync/atomic"

// posted is one function handed to the loop by Post.
type posted struct {
	fn  func(any)
	arg any
}

// Post queues fn to run on the hub loop, from any goroutine. fn runs in the
// loop itself (not in a coroutine), so it must not park; to run blocking
// code, spawn a coroutine from fn. Functions posted by one goroutine run in
// the order posted. Post fails with ErrStopped once the hub has stopped.
//
// Cost: a mutex and, when the loop may be asleep, one eventfd write; bursts
// of posts share one write.
func (h *Hub) Post(fn func()) error { return h.postArg(callFunc, fn) }

// PostArg is Post of fn(arg), which lets callers post a static function and
// a pointer without allocating a closure.
func (h *Hub) PostArg(fn func(any), arg any) error { return h.postArg(fn, arg) }

func (h *Hub) postArg(fn func(any), arg any) error {
	h.mu.Lock()
	if h.state.Load() == hubStopped {
		h.mu.Unlock()
		return ErrStopped
	}
	h.posted = append(h.posted, posted{fn, arg})
	h.npost.Add(1)
	h.mu.Unlock()
	h.wakeup()
	return nil
}

// wakeup makes the loop leave its wait; at most one eventfd write is in
// flight between two drains of the post queue.
func (h *Hub) wakeup() {
	if h.wakeSig.Swap(true) {
		return
	}
	// The read lock keeps shutdown from closing the eventfd between the
	// check and the write: after a close its number may belong to some
	// other file, which must not receive our 8 bytes.
	h.wakeMu.RLock()
	if !h.pollClosed {
		h.poll.wake()
	}
	h.wakeMu.RUnlock()
}

// runPosted runs what other goroutines posted, in order.
func (h *Hub) runPosted() {
	h.mu.Lock()
	ps := h.posted
	h.posted = h.spare[:0]
	h.npost.Store(0)
	h.mu.Unlock()
	for i, p := range ps {
		h.callback(p.fn, p.arg)
		ps[i] = posted{}
	}
	h.spare = ps[:0]
}

// Call runs fn on the hub and returns when it has run. It fails with
// ErrStopped if the hub has stopped. A panic in fn is reported to the
// error handler, not propagated.
//
// On the hub it runs fn inline. From a plain goroutine it posts fn and
// blocks until it ran. From a coroutine of another hub it posts fn and
// parks (a blocking call would stall that hub, and two hubs calling each
// other would wedge); an interrupt (kill, timeout) of the caller is raised
// at once, and fn, already posted, still runs. From a callback of
// another hub's loop, which must never wait, it panics with
// ErrNotCoroutine: Post instead.
func (h *Hub) Call(fn func()) error {
	if h.OnHub() {
		h.callback(callFunc, fn)
		return nil
	}
	g, ch := Current()
	if g == nil && ch != nil {
		panic(ErrNotCoroutine)
	}
	c := &call{fn: fn}
	c.w.prepareFor(g)
	if g != nil {
		g.SetWaitingOn(h, WaitCall)
	}
	if err := h.postArg(runCall, c); err != nil {
		return err
	}
	if c.w.Wait(-1, nil) == Interrupted {
		c.w.Raise() // fn was posted: it runs all the same
	}
	return nil
}

type call struct {
	w  Waiter
	fn func()
}

func runCall(arg any) {
	c := arg.(*call)
	defer c.w.Notify()
	c.fn()
}

// Hold tells the hub that something outside it (a plain goroutine, a
// callback from a library) may still wake one of its coroutines, so that
// deadlock detection must not fire while the hold is outstanding. It
// returns the release function, which is idempotent. Safe from any
// goroutine.
//
// Use it around work that will later Post to the hub, set a green Event or
// put into a green Queue from a plain goroutine; the module's own bridges
// (offloaded calls, name resolution) hold the hub for you.
func (h *Hub) Hold() (release func()) {
	h.holds.Add(1)
	var once atomic.Bool
	return func() {
		if once.CompareAndSwap(false, true) {
			if h.holds.Add(-1) == 0 {
				h.wakeup() // let the loop re-check for deadlock
			}
		}
	}
}

// Waiting tells the hub that the calling plain goroutine is about to block
// until its coroutines make progress, without a Waiter the hub could fail
// (Run's caller, code of its own that waits on a channel). While such
// observers exist, a process whose hubs can never make progress again
// interrupts the parked coroutines with ErrDeadlock instead of letting the
// observer hang: gevent raises LoopExit in the main greenlet in the same
// situation. It returns the function to call when the wait ends
// (idempotent). Safe from any goroutine. Waits through a Waiter declare
// themselves with Waiter.Wait's from argument instead.
func (h *Hub) Waiting() (done func()) {
	h.outside.Add(1)
	h.wakeup() // let a sleeping loop re-check for deadlock
	var once atomic.Bool
	return func() {
		if once.CompareAndSwap(false, true) {
			h.outside.Add(-1)
		}
	}
}

// Attach makes w's wait end with ErrStopped (Fail) if h stops before
// anybody claims w: a waiter linked into a list of one of h's objects from
// elsewhere (a greenlet of another hub, a plain goroutine) attaches itself
// so that a stopping hub cannot leave it waiting forever. It returns the
// function that detaches w (call it once Wait returned). Safe from any
// goroutine.
func (h *Hub) Attach(w *Waiter) (detach func()) {
	h.obsMu.Lock()
	if h.stopped {
		h.obsMu.Unlock()
		w.Fail(ErrStopped)
		return func() {}
	}
	if h.attached == nil {
		h.attached = make(map[*Waiter]struct{})
	}
	h.attached[w] = struct{}{}
	h.obsMu.Unlock()
	return func() {
		h.obsMu.Lock()
		delete(h.attached, w)
		h.obsMu.Unlock()
	}
}

// observe registers w, a plain goroutine's waiter, as an observer of h
// (see Waiting) that the hub fails with ErrDeadlock or ErrStopped when
// nothing else can end its wait. It returns the function ending that.
func (h *Hub) observe(w *Waiter) (done func()) {
	h.obsMu.Lock()
	if h.observers == nil {
		h.observers = make(map[*Waiter]struct{})
	}
	h.observers[w] = struct{}{}
	h.obsMu.Unlock()
	h.outside.Add(1)
	h.wakeup()
	return func() {
		h.obsMu.Lock()
		delete(h.observers, w)
		h.obsMu.Unlock()
		h.outside.Add(-1)
	}
}

// failObservers fails every registered observer's wait with err; with
// attached set (the hub has stopped), the attached waiters' too. It returns
// the number of waits it ended.
func (h *Hub) failObservers(err error, attached bool) int {
	return h.fail(h.waitersToFail(attached), err)
}

// waitersToFail returns the observers (and, with attached set, the
// attached waiters, and from now on refuses new ones).
func (h *Hub) waitersToFail(attached bool) []*Waiter {
	h.obsMu.Lock()
	defer h.obsMu.Unlock()
	ws := make([]*Waiter, 0, len(h.observers))
	for w := range h.observers {
		ws = append(ws, w)
	}
	if attached {
		h.stopped = true
		for w := range h.attached {
			ws = append(ws, w)
		}
	}
	return ws
}

// fail fails the waits of ws with err and returns how many it ended.
func (h *Hub) fail(ws []*Waiter, err error) int {
	n := 0
	for _, w := range ws {
		if w.Fail(err) {
			n++
		}
	}
	return n
}
