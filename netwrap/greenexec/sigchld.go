//go:build unix

package greenexec

import (
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
)

// children is the process's SIGCHLD watcher, the fallback when pidfd_open
// is refused.
var children childWatcher

// childWatcher wakes greenlets waiting for children to exit when SIGCHLD
// arrives. Its goroutine runs only while somebody waits. Its mutex is held
// for map operations and wake-ups (posts), never across a park.
type childWatcher struct {
	mu   sync.Mutex
	subs map[*childSub]struct{}
	ch   chan os.Signal
	quit chan struct{}
}

type childSub struct {
	pid int
	w   *green.Waiter
}

// wait parks the calling greenlet of h until the child pid has exited,
// without reaping it. A kill or Timeout interrupts it (raised).
func (cw *childWatcher) wait(pid int, h *hub.Hub) error {
	s := &childSub{pid: pid, w: green.NewWaiter()}
	release := h.Hold() // the wake-up comes from a plain goroutine
	defer release()
	cw.add(s)
	defer cw.remove(s)
	if exitedPid(pid) { // before we listened
		return nil
	}
	if s.w.Wait(-1, nil) == hub.Interrupted {
		s.w.Cancel()
		s.w.Raise()
	}
	return nil
}

func (cw *childWatcher) add(s *childSub) {
	cw.mu.Lock()
	defer cw.mu.Unlock()
	if cw.subs == nil {
		cw.subs = make(map[*childSub]struct{})
	}
	cw.subs[s] = struct{}{}
	if cw.ch == nil {
		cw.ch = make(chan os.Signal, 1)
		cw.quit = make(chan struct{})
		signal.Notify(cw.ch, syscall.SIGCHLD)
		go cw.loop(cw.ch, cw.quit)
	}
}

func (cw *childWatcher) remove(s *childSub) {
	cw.mu.Lock()
	defer cw.mu.Unlock()
	delete(cw.subs, s)
	if len(cw.subs) == 0 && cw.ch != nil {
		signal.Stop(cw.ch)
		close(cw.quit)
		cw.ch, cw.quit = nil, nil
	}
}

func (cw *childWatcher) loop(ch chan os.Signal, quit chan struct{}) {
	for {
		select {
		case <-quit:
			return
		case <-ch:
		}
		cw.mu.Lock()
		for s := range cw.subs {
			if exitedPid(s.pid) {
				s.w.Wake()
			}
		}
		cw.mu.Unlock()
	}
}
