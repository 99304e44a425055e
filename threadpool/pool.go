package threadpool

import (
	"sync"
	"time"
)

// DefaultSize is the size of the Default pool and of New(0): see the
// package documentation for the choice.
const DefaultSize = 512

// IdleTimeout is how long a pool goroutine with nothing to do waits before
// it exits.
const IdleTimeout = time.Second

// Pool is a bounded set of goroutines running offloaded calls: gevent's
// ThreadPool. At most Size calls run at once; the others wait in a FIFO
// queue without blocking anyone. Goroutines are started on demand and exit
// after IdleTimeout without work.
//
// The zero value is not usable; use New, or Default. Cost: a call is a
// mutex, a send on a buffered channel to an idle goroutine (or a new
// goroutine) and, for a greenlet, a Post back to its hub (see
// BenchmarkCall).
type Pool struct {
	mu      sync.Mutex
	size    int
	live    int       // goroutines started and not exited
	idle    []*worker // goroutines waiting for work, most recent last
	queue   []job     // calls waiting for a goroutine, FIFO
	qhead   int
	closed  bool
	drained sync.WaitGroup // live goroutines, for Close
	timeout time.Duration
}

// job is one offloaded call.
type job interface{ exec() }

// worker is one pool goroutine; jobs come through its channel.
type worker struct {
	ch chan job // buffered: the hand-off never waits
}

// New returns a pool running at most size calls at once (size 0:
// DefaultSize). It fails with ErrBadSize for a negative size.
func New(size int) (*Pool, error) {
	if size < 0 {
		return nil, ErrBadSize
	}
	if size == 0 {
		size = DefaultSize
	}
	return &Pool{size: size, timeout: IdleTimeout}, nil
}

var defaultPool = sync.OnceValue(func() *Pool {
	p, _ := New(DefaultSize)
	return p
})

// Default returns the process-wide pool used by Call, CallContext and Do
// (DefaultSize goroutines at most, created on first use, never closed).
// Name resolution in package netwrap uses it too.
func Default() *Pool { return defaultPool() }

// Size returns the maximum number of calls running at once.
func (p *Pool) Size() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.size
}

// SetSize changes the maximum number of calls running at once (gevent's
// maxsize), taking effect at once: a larger size starts queued calls, a
// smaller one lets goroutines exit as their calls end. Size 0 means
// DefaultSize; a negative size fails with ErrBadSize.
func (p *Pool) SetSize(size int) error {
	if size < 0 {
		return ErrBadSize
	}
	if size == 0 {
		size = DefaultSize
	}
	p.mu.Lock()
	p.size = size
	var start []job
	for p.live < p.size && p.qhead < len(p.queue) {
		start = append(start, p.pop())
		p.live++
		p.drained.Add(1)
	}
	p.mu.Unlock()
	for _, j := range start {
		go p.run(j)
	}
	return nil
}

// SetIdleTimeout sets how long an idle goroutine of the pool waits for
// work before it exits (d <= 0: IdleTimeout), for the goroutines that
// become idle from now on.
func (p *Pool) SetIdleTimeout(d time.Duration) {
	if d <= 0 {
		d = IdleTimeout
	}
	p.mu.Lock()
	p.timeout = d
	p.mu.Unlock()
}

// Stats returns the number of calls running and of calls queued.
func (p *Pool) Stats() (running, queued int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.live - len(p.idle), len(p.queue) - p.qhead
}

// Close stops accepting calls (they fail with ErrClosed), lets the calls
// already submitted run, and waits until every goroutine of the pool has
// exited. It blocks the caller: call it from a plain goroutine.
func (p *Pool) Close() {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		for _, w := range p.idle {
			close(w.ch)
		}
		p.idle = nil
	}
	p.mu.Unlock()
	p.drained.Wait()
}

// submit hands j to a goroutine, or queues it; it never waits.
func (p *Pool) submit(j job) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return ErrClosed
	}
	if n := len(p.idle); n > 0 {
		w := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		w.ch <- j
		return nil
	}
	if p.live < p.size {
		p.live++
		p.drained.Add(1)
		p.mu.Unlock()
		go p.run(j)
		return nil
	}
	p.queue = append(p.queue, j)
	p.mu.Unlock()
	return nil
}

func (p *Pool) pop() job {
	j := p.queue[p.qhead]
	p.queue[p.qhead] = nil
	p.qhead++
	if p.qhead == len(p.queue) {
		p.queue, p.qhead = p.queue[:0], 0
	}
	return j
}

// run is a pool goroutine: run j, then queued calls, then wait idle for
// more until the idle timeout, a shrink or Close.
func (p *Pool) run(j job) {
	defer p.drained.Done()
	w := &worker{ch: make(chan job, 1)}
	var idle *time.Timer
	for {
		j.exec()
		p.mu.Lock()
		switch {
		case p.qhead < len(p.queue) && (p.live <= p.size || p.closed):
			j = p.pop()
			p.mu.Unlock()
			continue
		case p.closed || p.live > p.size:
			p.live--
			p.mu.Unlock()
			return
		}
		p.idle = append(p.idle, w)
		timeout := p.timeout
		p.mu.Unlock()
		if idle == nil {
			idle = time.NewTimer(timeout)
		} else {
			idle.Reset(timeout)
		}
		select {
		case next, ok := <-w.ch:
			if !ok { // Close
				p.exit()
				return
			}
			j = next
			continue
		case <-idle.C:
		}
		if !p.retire(w) {
			// A call was handed to us as the timer fired.
			next, ok := <-w.ch
			if !ok {
				p.exit()
				return
			}
			j = next
			continue
		}
		return
	}
}

func (p *Pool) exit() {
	p.mu.Lock()
	p.live--
	p.mu.Unlock()
}

// retire removes an idle worker whose timer fired, unless a call was
// handed to it meanwhile (it is no longer in the idle list), and reports
// whether it did.
func (p *Pool) retire(w *worker) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, x := range p.idle {
		if x == w {
			p.idle = append(p.idle[:i], p.idle[i+1:]...)
			p.live--
			return true
		}
	}
	return false
}
