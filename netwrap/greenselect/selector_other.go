//go:build unix && !linux

package greenselect

import "github.com/greenrt/green/hub"

// epollEvent stands for epoll_wait's result entry, which only Linux has;
// no Selector exists off Linux (NewSelector fails with ErrUnsupported).
type epollEvent struct{}

const (
	ctlAdd = iota
	ctlMod
)

func (s *Selector) ctl(int, int, Events) error { return hub.ErrUnsupported }
func (s *Selector) del(int) error              { return hub.ErrUnsupported }
func (s *Selector) collect() ([]Ready, error)  { return nil, hub.ErrUnsupported }
