//go:build unix

package netwrap

import (
	"net"
	"sync/atomic"
	"time"

	"github.com/greenrt/green/hub"
)

// DatagramServer is gevent's DatagramServer: it receives packets in a
// greenlet and runs the handler for each one in its own greenlet, all on
// one hub. Set the fields, then call Start or Serve once. The zero value
// with a Handler set serves UDP on a port the system picks.
type DatagramServer struct {
	// Handler handles one packet: data (owned by the handler) came from
	// addr; reply with pc.WriteTo. Required. A panic is reported to the
	// hub's error handler and ends only that handler.
	Handler func(pc *PacketConn, data []byte, addr net.Addr)

	// Network and Addr say where Start and Serve listen when given a nil
	// socket. Zero values: "udp" and "127.0.0.1:0".
	Network, Addr string

	// MaxHandlers bounds the handlers running at once; while the bound is
	// reached the server stops receiving (packets queue in the kernel and
	// may be dropped). Zero value: no bound.
	MaxHandlers int

	// BufferSize is the largest packet received whole. Zero value: 65536.
	BufferSize int

	// Hub is the hub the server runs on. Zero value: the caller's hub, or
	// hub.Default from a plain goroutine.
	Hub *hub.Hub

	core serverCore
	pc   atomic.Pointer[PacketConn]
}

// Start listens (if pc is nil) and starts receiving in a greenlet; it
// returns at once. pc must be a *PacketConn or a socket WrapPacketConn
// accepts. The rules of StreamServer.Start apply: one start, ErrNoHandler,
// hub.ErrStopped, and a pc given by the caller is left open on error.
func (s *DatagramServer) Start(pc net.PacketConn) error {
	if s == nil || s.Handler == nil {
		return ErrNoHandler
	}
	if err := s.core.reserve(pickHub(s.Hub)); err != nil {
		return err
	}
	w, err := s.listen(pc)
	if err != nil {
		s.core.unreserve()
		return err
	}
	s.pc.Store(w)
	if err := s.core.run(s.MaxHandlers, w.Close, s.recvLoop); err != nil {
		s.pc.Store(nil)
		if pc == nil {
			w.Close()
		}
		return err
	}
	return nil
}

// listen returns pc made cooperative, or a socket it opens if pc is nil.
func (s *DatagramServer) listen(pc net.PacketConn) (*PacketConn, error) {
	if pc == nil {
		network, addr := s.Network, s.Addr
		if network == "" {
			network = "udp"
		}
		if addr == "" {
			addr = "127.0.0.1:0"
		}
		return ListenPacket(network, addr)
	}
	return WrapPacketConn(pc)
}

// Serve is Start followed by waiting until the server stops; it returns
// ErrServerClosed once Stop has finished, or the receive error that ended
// the loop (see StreamServer.Serve).
func (s *DatagramServer) Serve(pc net.PacketConn) error {
	if pc == nil && s != nil && s.core.started() {
		return s.core.wait() // started with Start: wait for it to stop
	}
	if err := s.Start(pc); err != nil {
		return err
	}
	return s.core.wait()
}

// LocalAddr returns the local address, or nil before Start.
func (s *DatagramServer) LocalAddr() net.Addr {
	if s == nil {
		return nil
	}
	if pc := s.pc.Load(); pc != nil {
		return pc.LocalAddr()
	}
	return nil
}

// Stop stops receiving, closes the socket, waits up to timeout for running
// handlers and kills the rest, as StreamServer.Stop does (ErrStopTimeout
// if some survive their kill). timeout <= 0 kills them at once.
func (s *DatagramServer) Stop(timeout time.Duration) error {
	if s == nil {
		return nil
	}
	return s.core.stop(timeout)
}

func (s *DatagramServer) recvLoop() error {
	size := s.BufferSize
	if size <= 0 {
		size = 65536
	}
	buf := make([]byte, size)
	pc := s.pc.Load()
	turn := func() (bool, error) {
		s.core.waitRoom()
		n, addr, err := pc.ReadFrom(buf)
		if err != nil {
			s.core.unusedRoom()
			if s.core.stopped() {
				return true, ErrServerClosed
			}
			return true, err
		}
		data := append([]byte(nil), buf[:n]...)
		s.core.spawn(func() { s.Handler(pc, data, addr) })
		return false, nil
	}
	for {
		if done, err := s.core.step(turn); done {
			return err
		}
	}
}

// StopAccepting stops receiving without closing the socket (datagrams
// queue in its buffer); StartAccepting resumes. As StreamServer's.
func (s *DatagramServer) StopAccepting() {
	if s != nil {
		s.core.pause()
	}
}

// StartAccepting resumes receiving after StopAccepting.
func (s *DatagramServer) StartAccepting() {
	if s != nil {
		s.core.resume()
	}
}

// Accepting reports whether the server is running and receiving.
func (s *DatagramServer) Accepting() bool { return s != nil && s.core.accepting() }
