package pool

import (
	"iter"
	"sync"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
)

// Group is a set of greenlets that can be joined and killed together:
// gevent's Group. A greenlet that finishes leaves the group by itself (a
// raw link run in its hub's loop removes it).
//
// The zero value is an empty, unbounded group whose Spawn starts greenlets
// on the caller's hub (the default hub from a plain goroutine); NewGroupOn
// fixes the hub. A Pool is a Group with a bound on its size.
//
// Methods are safe from any goroutine. Inside a greenlet, waiting calls
// (Join, Kill, a Spawn or Add on a full Pool) park it and can be
// interrupted by a kill or a green.Timeout; from a plain goroutine they
// block. Membership operations take a mutex for a few hundred nanoseconds
// and never block while holding it.
//
// Cost: one small allocation per member (its list node) plus one raw link
// on the member's greenlet.
type Group struct {
	mu      sync.Mutex
	h       *hub.Hub
	members map[*green.Greenlet]*member
	head    *member
	tail    *member
	ndying  int
	killing int
	onExit  func(*green.Greenlet)

	// Bound, set by Pool: size is meaningful only when bounded.
	bounded  bool
	size     int
	reserved int // slots taken by spawns that have not added yet
	slotQ    waitq
	emptyQ   waitq
}

// member is a node of the group's ordered member list.
type member struct {
	gl         *green.Greenlet
	prev, next *member
	dying      bool                  // killed by the group: not killed again
	onDone     func(*green.Greenlet) // internal completion hook (tasks)
}

// NewGroup returns an empty unbounded group; the zero value works too.
func NewGroup() *Group { return &Group{} }

// NewGroupOn returns an empty unbounded group whose Spawn starts greenlets
// on h.
func NewGroupOn(h *hub.Hub) *Group { return &Group{h: h} }

// group makes *Group (and *Pool, which embeds it) a Spawner.
func (g *Group) group() *Group { return g }

// groupOf returns s's group, or nil for a nil Spawner (a nil interface, a
// nil *Group or a nil *Pool, whose promoted method cannot be called).
func groupOf(s Spawner) *Group {
	switch v := s.(type) {
	case nil:
		return nil
	case *Pool:
		if v == nil {
			return nil
		}
	}
	return s.group()
}

// Hub returns the hub Spawn uses: the one given to NewGroupOn or
// NewPoolOn, or nil for "the caller's hub".
func (g *Group) Hub() *hub.Hub { return g.h }

// spawnHub is the hub new members go to.
func (g *Group) spawnHub() *hub.Hub {
	if g.h != nil {
		return g.h
	}
	if _, h := hub.Current(); h != nil {
		return h
	}
	return hub.Default()
}

// waitHub is the hub a plain goroutine declares itself waiting on, so that
// deadlock detection can free it. Caller holds g.mu.
func (g *Group) waitHub() *hub.Hub {
	if g.h != nil {
		return g.h
	}
	if g.head != nil {
		return g.head.gl.Hub()
	}
	return nil
}

// Len returns the number of members.
func (g *Group) Len() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.members)
}

// Contains reports whether gl is a member.
func (g *Group) Contains(gl *green.Greenlet) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	_, ok := g.members[gl]
	return ok
}

// Members returns a snapshot of the members, in the order they were added.
func (g *Group) Members() []*green.Greenlet {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]*green.Greenlet, 0, len(g.members))
	for m := g.head; m != nil; m = m.next {
		out = append(out, m.gl)
	}
	return out
}

// All iterates over a snapshot of the members, in the order they were
// added (gevent's iteration over a group).
func (g *Group) All() iter.Seq[*green.Greenlet] {
	return func(yield func(*green.Greenlet) bool) {
		for _, gl := range g.Members() {
			if !yield(gl) {
				return
			}
		}
	}
}

// Spawn starts fn(args...) in a new greenlet that is a member of the group,
// and returns it (see green.Spawn for the accepted functions). On a full
// Pool it first waits for a free slot: it parks a greenlet (a kill or
// timeout interrupts the wait) and blocks a plain goroutine. On a Pool of
// size 0 it waits forever.
func (g *Group) Spawn(fn any, args ...any) *green.Greenlet {
	g.acquire(forever)
	return g.startReserved(fn, args)
}

// TrySpawn is Spawn that fails with ErrPoolFull instead of waiting for a
// slot. On an unbounded Group it always succeeds.
func (g *Group) TrySpawn(fn any, args ...any) (*green.Greenlet, error) {
	if !g.acquire(0) {
		return nil, ErrPoolFull
	}
	return g.startReserved(fn, args), nil
}

func (g *Group) startReserved(fn any, args []any) *green.Greenlet {
	gl := green.NewOn(g.spawnHub(), fn, args...)
	g.add(gl, true, nil)
	gl.Start()
	return gl
}

// Add makes gl a member; it leaves when it finishes. Adding a member again,
// a greenlet that has already finished, or nil does nothing. On a full Pool, Add
// waits for a free slot as Spawn does.
func (g *Group) Add(gl *green.Greenlet) {
	if gl == nil {
		return
	}
	g.acquire(forever)
	g.add(gl, true, nil)
}

// TryAdd is Add that fails with ErrPoolFull instead of waiting (gevent's
// add(blocking=False)).
func (g *Group) TryAdd(gl *green.Greenlet) error { return g.AddTimeout(gl, 0) }

// AddTimeout is Add that gives up with ErrPoolFull if no slot is free
// within d (d <= 0: only check).
func (g *Group) AddTimeout(gl *green.Greenlet, d time.Duration) error {
	if gl == nil {
		return green.ErrNilGreenlet
	}
	if !g.acquire(max(d, 0)) {
		return ErrPoolFull
	}
	g.add(gl, true, nil)
	return nil
}

// add inserts gl, turning a reservation taken by acquire into membership,
// and links its exit. A greenlet that is already a member or dead only
// gives the reservation back.
func (g *Group) add(gl *green.Greenlet, reserved bool, onDone func(*green.Greenlet)) {
	g.mu.Lock()
	if reserved && g.bounded {
		g.reserved--
	}
	if _, dup := g.members[gl]; dup || gl.Dead() {
		if g.bounded {
			g.slotQ.wakeOne()
		}
		g.mu.Unlock()
		return
	}
	if g.members == nil {
		g.members = make(map[*green.Greenlet]*member)
		g.onExit = g.exited
	}
	m := &member{gl: gl, prev: g.tail, onDone: onDone}
	if g.tail != nil {
		g.tail.next = m
	} else {
		g.head = m
	}
	g.tail = m
	g.members[gl] = m
	if g.killing > 0 {
		g.emptyQ.wakeAll() // a Kill in progress kills newcomers too
	}
	fn := g.onExit
	g.mu.Unlock()
	// The link is never removed: if gl was discarded or re-added meanwhile,
	// exited finds the right state (or nothing) when it fires.
	gl.RawLink(fn)
}

// exited runs in the hub loop when a member finishes. The member leaves
// first, then its completion hook runs, and only then are the waiters of
// the group woken, so that whoever they are sees the hook's effects.
func (g *Group) exited(gl *green.Greenlet) {
	g.mu.Lock()
	m := g.members[gl]
	if m == nil {
		g.mu.Unlock()
		return
	}
	g.unlinkLocked(m)
	g.mu.Unlock()
	if m.onDone != nil {
		m.onDone(gl)
	}
	g.mu.Lock()
	g.wakeLocked()
	g.mu.Unlock()
}

// unlinkLocked removes m. Caller holds g.mu and calls wakeLocked after.
func (g *Group) unlinkLocked(m *member) {
	delete(g.members, m.gl)
	if m.prev != nil {
		m.prev.next = m.next
	} else {
		g.head = m.next
	}
	if m.next != nil {
		m.next.prev = m.prev
	} else {
		g.tail = m.prev
	}
	m.prev, m.next = nil, nil
	if m.dying {
		g.ndying--
	}
}

// wakeLocked wakes, after a member left, one waiter for a slot and, if the
// group is empty or a Kill is watching it, the waiters for that. Caller
// holds g.mu.
func (g *Group) wakeLocked() {
	if g.bounded {
		g.slotQ.wakeOne()
	}
	if len(g.members) == 0 || g.killing > 0 {
		g.emptyQ.wakeAll()
	}
}

// Discard removes gl from the group without killing it, and reports
// whether it was a member.
func (g *Group) Discard(gl *green.Greenlet) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	m := g.members[gl]
	if m == nil {
		return false
	}
	g.unlinkLocked(m)
	g.wakeLocked()
	return true
}

// Join waits until the group is empty (gevent's join()).
func (g *Group) Join() { g.waitEmpty(newDeadline(forever), nil) }

// JoinTimeout waits until the group is empty or d has passed (d <= 0:
// only check) and reports whether it became empty. Members that join their
// own group wait for themselves: don't.
func (g *Group) JoinTimeout(d time.Duration) bool {
	return g.waitEmpty(newDeadline(max(d, 0)), nil)
}

// waitEmpty waits for the group to be empty, or (when more is not nil)
// for more() to hold, until the deadline. It reports whether the group is
// empty (or more() held).
func (g *Group) waitEmpty(dl deadline, more func() bool) bool {
	for {
		g.mu.Lock()
		if len(g.members) == 0 || (more != nil && more()) {
			g.mu.Unlock()
			return true
		}
		left := dl.left()
		if left == 0 {
			g.mu.Unlock()
			return false
		}
		w, res := g.parkOn(&g.emptyQ, left)
		g.mu.Unlock()
		if res == hub.Interrupted {
			w.Raise()
		}
	}
}

// Kill kills every member with green.ErrGreenletExit and waits until the
// group is empty. See KillWith.
func (g *Group) Kill() error { return g.KillWith(green.KillOptions{}) }

// KillWith kills every member (gevent's Group.kill): the kill is delivered
// to all of them first, then, unless o.NoWait, KillWith waits until the
// group is empty, killing members added meanwhile, for at most o.Timeout
// (zero: no limit) and fails with green.ErrTimeout if members remain (they
// recovered the kill, or are slow to unwind).
//
// A member is killed once by its group: one that swallows the kill is not
// killed again by later calls of Kill or KillOne, but stays a member until
// it finishes. A member that kills its own group is killed last.
func (g *Group) KillWith(o green.KillOptions) error {
	dl := newDeadline(forever)
	if o.Timeout > 0 {
		dl = newDeadline(o.Timeout)
	}
	kill := green.KillOptions{Err: o.Err, NoWait: true}
	me := green.Current()
	g.mu.Lock()
	g.killing++
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		g.killing--
		g.mu.Unlock()
	}()
	for {
		var victims []*green.Greenlet
		self := false
		g.mu.Lock()
		for m := g.head; m != nil; m = m.next {
			if m.dying {
				continue
			}
			m.dying = true
			g.ndying++
			if m.gl == me {
				self = true
				continue
			}
			victims = append(victims, m.gl)
		}
		g.mu.Unlock()
		for _, gl := range victims {
			gl.KillWith(kill)
		}
		if self {
			me.KillWith(kill) // unwinds the caller here
		}
		if o.NoWait {
			return nil
		}
		if !g.waitEmpty(dl, func() bool { return g.ndying < len(g.members) }) {
			return green.ErrTimeout
		}
		if g.Len() == 0 {
			return nil
		}
	}
}

// KillOne kills gl if it is a member that the group has not killed yet,
// then (unless o.NoWait) waits until gl is dead, for at most o.Timeout
// (zero: no limit), failing with green.ErrTimeout (gevent's killone). A
// member the group is already killing (a Kill or KillOne in progress, or
// one it survived) is not killed again and KillOne returns at once, as
// gevent's killone does. A greenlet that is not a member is not killed,
// but is still waited for.
func (g *Group) KillOne(gl *green.Greenlet, o green.KillOptions) error {
	g.mu.Lock()
	m := g.members[gl]
	if m != nil && m.dying {
		g.mu.Unlock()
		return nil
	}
	if m != nil {
		m.dying = true
		g.ndying++
	}
	g.mu.Unlock()
	if m != nil {
		gl.KillWith(green.KillOptions{Err: o.Err, NoWait: true})
	}
	if o.NoWait {
		return nil
	}
	if o.Timeout > 0 {
		gl.JoinTimeout(o.Timeout)
	} else {
		gl.Join()
	}
	if !gl.Dead() {
		return green.ErrTimeout
	}
	return nil
}

// parkOn waits in q for up to left. It is called with g.mu held, releases
// it while waiting, and returns with it held again and the waiter removed
// from q; the caller raises an interrupt once it has released the lock (a
// wait Interrupted after a waker claimed it was handed what it waited for:
// Claimed).
func (g *Group) parkOn(q *waitq, left time.Duration) (*hub.WaitNode[struct{}], hub.ParkResult) {
	n := q.push()
	wh := g.waitHub()
	g.mu.Unlock()
	res := n.Wait(left, wh)
	g.mu.Lock()
	q.remove(n)
	return n, res
}
