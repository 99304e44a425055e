//go:build unix

package greenselect

import (
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/netwrap/greenos"
	"golang.org/x/sys/unix"
)

// Events is a set of readiness events of a Selector.
type Events uint32

// The events a Selector waits for (Python's selectors.EVENT_READ and
// EVENT_WRITE).
const (
	EventRead Events = 1 << iota
	EventWrite
)

// Key is a descriptor registered with a Selector, the events it is
// watched for and the caller's data (Python's SelectorKey).
type Key struct {
	Fd     int
	Events Events
	Data   any
}

// Ready is one result of Selector.Select: the key and which of its events
// are ready.
type Ready struct {
	Key    *Key
	Events Events
}

// Selector is Python's selectors.EpollSelector for greenlets: a set of
// descriptors kept in an epoll instance of its own, waited on with Select.
// Registering costs one epoll_ctl; a Select that finds something ready is
// one epoll_wait, and one that waits parks the greenlet on the hub (the
// Selector's epoll descriptor is registered with the hub of the first
// greenlet that waits, once). Use it instead of Poll for a set of
// descriptors waited on again and again. Create it with NewSelector; the
// zero value is not usable.
//
// Every method is safe from any goroutine. Select parks a greenlet; blocks
// a plain goroutine (like epoll_wait); from a hub callback only
// SelectTimeout with d <= 0 works (the others fail with
// hub.ErrNotCoroutine). One Select at a time: a second one fails with
// ErrConcurrentUse. Close wakes a waiting Select with os.ErrClosed. The
// epoll set is level-triggered: a descriptor stays ready, and is reported
// by every Select, until its data is read (or room to write is used).
//
// A descriptor closed while registered leaves the set (as with epoll) but
// its key stays until Unregister; unregister before closing.
type Selector struct {
	f    *greenos.File // the epoll descriptor
	rc   syscall.RawConn
	epfd int
	mu   sync.Mutex // keys; held for map operations only, never across a park
	keys map[int]*Key
	busy atomic.Bool
	evs  []epollEvent // used by the Select that holds busy
}

// NewSelector returns an empty Selector. It fails only if the system
// refuses an epoll descriptor (EMFILE...).
func NewSelector() (*Selector, error) {
	epfd, err := newEpoll()
	if err != nil {
		return nil, err
	}
	f := greenos.NewFile(uintptr(epfd), "selector")
	if f == nil {
		unix.Close(epfd)
		return nil, os.NewSyscallError("epoll_create1", unix.EBADF)
	}
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &Selector{f: f, rc: rc, epfd: epfd, keys: make(map[int]*Key), evs: make([]epollEvent, 64)}, nil
}

// Register adds fd to the set, watched for events (EventRead, EventWrite
// or both), with data returned in its Key. It fails with ErrBadEvents,
// ErrRegistered, os.ErrClosed after Close, or the epoll_ctl error (EBADF
// for a descriptor that is not open, EPERM for a regular file, which epoll
// cannot watch).
func (s *Selector) Register(fd int, events Events, data any) (*Key, error) {
	if events == 0 || events&^(EventRead|EventWrite) != 0 || fd < 0 || fd > 1<<31-1 {
		return nil, ErrBadEvents
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keys == nil {
		return nil, os.ErrClosed
	}
	if _, ok := s.keys[fd]; ok {
		return nil, ErrRegistered
	}
	if err := s.ctl(ctlAdd, fd, events); err != nil {
		return nil, err
	}
	k := &Key{Fd: fd, Events: events, Data: data}
	s.keys[fd] = k
	return k, nil
}

// Modify changes the events and data of a registered fd and returns its
// new Key. It fails with ErrBadEvents, ErrNotRegistered or os.ErrClosed.
func (s *Selector) Modify(fd int, events Events, data any) (*Key, error) {
	if events == 0 || events&^(EventRead|EventWrite) != 0 {
		return nil, ErrBadEvents
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keys == nil {
		return nil, os.ErrClosed
	}
	if _, ok := s.keys[fd]; !ok {
		return nil, ErrNotRegistered
	}
	if err := s.ctl(ctlMod, fd, events); err != nil {
		return nil, err
	}
	k := &Key{Fd: fd, Events: events, Data: data}
	s.keys[fd] = k
	return k, nil
}

// Unregister removes fd from the set and returns its Key. It fails with
// ErrNotRegistered or os.ErrClosed. A descriptor closed since it was
// registered is unregistered without error.
func (s *Selector) Unregister(fd int) (*Key, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keys == nil {
		return nil, os.ErrClosed
	}
	k, ok := s.keys[fd]
	if !ok {
		return nil, ErrNotRegistered
	}
	delete(s.keys, fd)
	return k, s.del(fd)
}

// Key returns the Key of a registered fd.
func (s *Selector) Key(fd int) (*Key, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.keys[fd]
	return k, ok
}

// Len returns the number of registered descriptors.
func (s *Selector) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.keys)
}

// Select waits until at least one registered descriptor is ready and
// returns the ready ones with their ready events. With nothing registered
// it fails with ErrNoFDs; after Close, with os.ErrClosed.
func (s *Selector) Select() ([]Ready, error) { return s.sel(forever) }

// SelectTimeout is Select with a timeout: an empty result and no error
// once d has passed with nothing ready (with nothing registered, a sleep
// of d); d <= 0 checks without waiting.
func (s *Selector) SelectTimeout(d time.Duration) ([]Ready, error) {
	if d < 0 {
		d = 0
	}
	return s.sel(d)
}

func (s *Selector) sel(d time.Duration) ([]Ready, error) {
	if !s.busy.CompareAndSwap(false, true) {
		return nil, ErrConcurrentUse
	}
	defer s.busy.Store(false)
	if s.Len() == 0 {
		if s.closed() {
			return nil, os.ErrClosed
		}
		if d == forever {
			return nil, ErrNoFDs
		}
	}
	if out, err := s.collect(); err != nil || len(out) > 0 || d == 0 {
		return out, err
	}
	if g, h := hub.Current(); g == nil && h != nil {
		return nil, hub.ErrNotCoroutine
	}
	if s.Len() == 0 {
		green.Sleep(d)
		return nil, nil
	}
	var deadline time.Time
	if d != forever {
		deadline = time.Now().Add(d)
	}
	s.f.SetReadDeadline(deadline)
	if d != forever {
		defer s.f.SetReadDeadline(time.Time{})
	}
	for {
		if err := s.f.WaitRead(); err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return nil, nil
			}
			if errors.Is(err, os.ErrClosed) {
				return nil, os.ErrClosed
			}
			return nil, err
		}
		if out, err := s.collect(); err != nil || len(out) > 0 {
			return out, err
		}
	}
}

func (s *Selector) closed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keys == nil
}

// Close releases the epoll descriptor and forgets every key; a Select
// waiting meanwhile fails with os.ErrClosed. The registered descriptors
// are not closed. A second Close returns os.ErrClosed.
func (s *Selector) Close() error {
	s.mu.Lock()
	if s.keys == nil {
		s.mu.Unlock()
		return os.ErrClosed
	}
	s.keys = nil
	s.mu.Unlock()
	return s.f.Close()
}
