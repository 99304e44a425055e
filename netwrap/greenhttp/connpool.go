//go:build unix

package greenhttp

import (
	"container/list"
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
)

// connPool is a Transport's connections: the idle ones, per hub and
// host, and the count per host that MaxConnsPerHost bounds, with the
// greenlets and goroutines waiting for that count to drop.
//
// mu guards everything here and is held only for bookkeeping, never
// across I/O or a park, so that a greenlet can never wait for it while
// another greenlet that holds it is parked.
type connPool struct {
	mu      sync.Mutex
	idle    map[poolKey][]*persistConn // most recently used last
	lru     list.List                  // every idle conn, least recently used first
	conns   map[connectKey]int         // dialing, active and idle, per host
	waiters map[connectKey][]*slotWaiter
}

// poolKey is where an idle connection may be reused: by the greenlets of
// the hub that used it (nil: by plain goroutines), for one host.
type poolKey struct {
	h   *hub.Hub
	key connectKey
}

// slotWaiter is a request waiting for a connection to its host.
type slotWaiter struct {
	w        *green.Waiter
	signaled bool // taken off the queue by signalLocked
}

func (t *Transport) maxIdlePerHost() int {
	if v := t.MaxIdleConnsPerHost; v != 0 {
		return v
	}
	return http.DefaultMaxIdleConnsPerHost
}

// getConn returns a connection for cm: an idle one of the caller's pool
// that is still alive, or a new one when MaxConnsPerHost allows, or,
// once one frees up, whichever comes first; it parks the calling
// greenlet (blocks a goroutine) meanwhile, until ctx ends.
func (t *Transport) getConn(ctx context.Context, cm connectMethod) (*persistConn, error) {
	g, h := hub.Current()
	if g == nil && h != nil {
		return nil, hub.ErrNotCoroutine // a hub callback must not wait
	}
	key := cm.key()
	pk := poolKey{h: h, key: key}
	p := &t.pool
	var sw *slotWaiter
	got := false
	defer func() {
		if sw != nil {
			p.leave(key, sw, !got)
		}
	}()
	for {
		p.mu.Lock()
		if pc := p.popIdleLocked(pk); pc != nil {
			p.mu.Unlock()
			if pc.alive() {
				pc.reused = true
				got = true
				return pc, nil
			}
			pc.closeConn()
			continue
		}
		if p.takeSlotLocked(key, t.MaxConnsPerHost) {
			stale := p.takeStoppedLocked()
			p.mu.Unlock()
			for _, pc := range stale {
				pc.closeConn()
			}
			if sw != nil {
				p.leave(key, sw, false) // got a slot: no longer waiting
				sw = nil
			}
			return t.dialSlot(ctx, cm, pk)
		}
		// At the limit. An idle connection to this host kept for
		// another hub would never come back to us: close it to free
		// its slot.
		if victim := p.popIdleOtherLocked(key); victim != nil {
			p.mu.Unlock()
			victim.closeConn()
			continue
		}
		if err := ctx.Err(); err != nil {
			p.mu.Unlock()
			return nil, context.Cause(ctx)
		}
		sw = p.queueLocked(key, sw)
		p.mu.Unlock()
		if err := waitSlot(ctx, sw.w, h); err != nil {
			return nil, err
		}
	}
}

// takeSlotLocked counts one more connection to key if max (the
// MaxConnsPerHost) allows it, and reports whether it did.
func (p *connPool) takeSlotLocked(key connectKey, max int) bool {
	if max > 0 && p.conns[key] >= max {
		return false
	}
	if p.conns == nil {
		p.conns = make(map[connectKey]int)
	}
	p.conns[key]++
	return true
}

// dialSlot dials a connection for the slot the caller took, giving the
// slot back if the dial fails.
func (t *Transport) dialSlot(ctx context.Context, cm connectMethod, pk poolKey) (*persistConn, error) {
	pc, err := t.dialConn(ctx, cm, pk)
	if err != nil {
		t.pool.release(pk.key)
		return nil, err
	}
	return pc, nil
}

// queueLocked returns sw if it is still queued for key, or else queues
// a new waiter (sw was woken but found no slot: it waits again behind
// the others).
func (p *connPool) queueLocked(key connectKey, sw *slotWaiter) *slotWaiter {
	if sw != nil && !sw.signaled {
		return sw
	}
	sw = &slotWaiter{w: green.NewWaiter()}
	if p.waiters == nil {
		p.waiters = make(map[connectKey][]*slotWaiter)
	}
	p.waiters[key] = append(p.waiters[key], sw)
	return sw
}

// waitSlot parks (blocks) until w is woken or ctx ends.
func waitSlot(ctx context.Context, w *green.Waiter, h *hub.Hub) error {
	stop := context.AfterFunc(ctx, w.Wake)
	defer stop()
	if h != nil {
		// The wake-up may come from another hub or a goroutine: hold
		// ours, or its deadlock detection could give up on us.
		defer h.Hold()()
	}
	if w.Wait(-1, nil) == hub.Interrupted {
		w.Raise()
	}
	if err := ctx.Err(); err != nil {
		return context.Cause(ctx)
	}
	return nil
}

// leave takes sw off the queue; if it was signalled and pass is true (it
// gives up without a connection), the signal goes to the next waiter.
func (p *connPool) leave(key connectKey, sw *slotWaiter, pass bool) {
	p.mu.Lock()
	q := p.waiters[key]
	for i, x := range q {
		if x == sw {
			p.waiters[key] = append(q[:i:i], q[i+1:]...)
			p.mu.Unlock()
			return
		}
	}
	var next *slotWaiter
	if sw.signaled && pass {
		next = p.signalLocked(key)
	}
	p.mu.Unlock()
	if next != nil {
		next.w.Wake()
	}
}

// signalLocked takes the first waiter for key off the queue (to be woken
// once the lock is released).
func (p *connPool) signalLocked(key connectKey) *slotWaiter {
	q := p.waiters[key]
	if len(q) == 0 {
		return nil
	}
	sw := q[0]
	q[0] = nil
	if len(q) == 1 {
		delete(p.waiters, key)
	} else {
		p.waiters[key] = q[1:]
	}
	sw.signaled = true
	return sw
}

// release gives a connection slot of key back (a connection closed or
// handed over) and wakes a waiter.
func (p *connPool) release(key connectKey) {
	p.mu.Lock()
	if p.conns[key]--; p.conns[key] <= 0 {
		delete(p.conns, key)
	}
	sw := p.signalLocked(key)
	p.mu.Unlock()
	if sw != nil {
		sw.w.Wake()
	}
}

func (p *connPool) popIdleLocked(pk poolKey) *persistConn {
	q := p.idle[pk]
	if len(q) == 0 {
		return nil
	}
	pc := q[len(q)-1]
	q[len(q)-1] = nil
	if len(q) == 1 {
		delete(p.idle, pk)
	} else {
		p.idle[pk] = q[:len(q)-1]
	}
	p.unidleLocked(pc)
	return pc
}

// popIdleOtherLocked takes the least recently used idle connection to
// key kept for any hub (or for plain goroutines).
func (p *connPool) popIdleOtherLocked(key connectKey) *persistConn {
	for e := p.lru.Front(); e != nil; e = e.Next() {
		pc := e.Value.(*persistConn)
		if pc.pk.key == key {
			p.removeIdleLocked(pc)
			return pc
		}
	}
	return nil
}

// unidleLocked forgets pc's idle bookkeeping (LRU entry, timer).
func (p *connPool) unidleLocked(pc *persistConn) {
	if pc.lruElem != nil {
		p.lru.Remove(pc.lruElem)
		pc.lruElem = nil
	}
	if pc.idleTimer != nil {
		pc.idleTimer.Stop()
	}
}

// removeIdleLocked takes pc out of the idle pool; it reports whether it
// was there.
func (p *connPool) removeIdleLocked(pc *persistConn) bool {
	if pc.lruElem == nil {
		return false
	}
	q := p.idle[pc.pk]
	for i, x := range q {
		if x == pc {
			copy(q[i:], q[i+1:])
			q[len(q)-1] = nil
			if q = q[:len(q)-1]; len(q) == 0 {
				delete(p.idle, pc.pk)
			} else {
				p.idle[pc.pk] = q
			}
			break
		}
	}
	p.unidleLocked(pc)
	return true
}

var errKeepAlivesDisabled = errors.New("greenhttp: keep-alives disabled")

// putIdle keeps pc for reuse, or reports why it cannot (the caller then
// closes it).
func (t *Transport) putIdle(pc *persistConn) error {
	if t.DisableKeepAlives {
		return errKeepAlivesDisabled
	}
	p := &t.pool
	p.mu.Lock()
	if len(p.idle[pc.pk]) >= t.maxIdlePerHost() {
		p.mu.Unlock()
		return errors.New("greenhttp: too many idle connections for the host")
	}
	if p.idle == nil {
		p.idle = make(map[poolKey][]*persistConn)
	}
	p.idle[pc.pk] = append(p.idle[pc.pk], pc)
	pc.lruElem = p.lru.PushBack(pc)
	pc.idleAt = time.Now()
	var evicted *persistConn
	if t.MaxIdleConns > 0 && p.lru.Len() > t.MaxIdleConns {
		evicted = p.lru.Front().Value.(*persistConn)
		p.removeIdleLocked(evicted)
	}
	if d := t.IdleConnTimeout; d > 0 {
		if pc.idleTimer == nil {
			pc.idleTimer = time.AfterFunc(d, pc.idleTimeout)
		} else {
			pc.idleTimer.Reset(d)
		}
	}
	// Someone waiting for this host may be able to use it (or, on
	// another hub, to close it and dial).
	sw := p.signalLocked(pc.pk.key)
	p.mu.Unlock()
	if evicted != nil {
		evicted.closeConn()
	}
	if sw != nil {
		sw.w.Wake()
	}
	return nil
}

// idleTimeout closes pc if it is still idle (runs on a timer goroutine).
func (pc *persistConn) idleTimeout() {
	p := &pc.t.pool
	p.mu.Lock()
	ok := p.removeIdleLocked(pc)
	p.mu.Unlock()
	if ok {
		pc.closeConn()
	}
}

// takeStoppedLocked takes the idle connections kept for hubs that have
// stopped (nobody can use them any more), to be closed.
func (p *connPool) takeStoppedLocked() []*persistConn {
	var dead []*persistConn
	for e := p.lru.Front(); e != nil; e = e.Next() {
		if pc := e.Value.(*persistConn); pc.pk.h != nil && pc.pk.h.Stopped() {
			dead = append(dead, pc)
		}
	}
	for _, pc := range dead {
		p.removeIdleLocked(pc)
	}
	return dead
}

// takeAllIdle empties the idle pools.
func (p *connPool) takeAllIdle() []*persistConn {
	p.mu.Lock()
	defer p.mu.Unlock()
	var all []*persistConn
	for e := p.lru.Front(); e != nil; e = e.Next() {
		all = append(all, e.Value.(*persistConn))
	}
	for _, pc := range all {
		p.removeIdleLocked(pc)
	}
	return all
}
