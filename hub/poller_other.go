//go:build !linux

package hub

type poller struct{}

func (p *poller) open() error                     { return ErrUnsupported }
func (p *poller) add(fd int, tok pollToken) error { return ErrUnsupported }
func (p *poller) del(fd int) error                { return ErrUnsupported }
func (p *poller) wait(int64, func(tok pollToken, r, w, hup bool)) error {
	return ErrUnsupported
}
func (p *poller) wake()  {}
func (p *poller) close() {}
