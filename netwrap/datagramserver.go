package netwrap

import (
	"errors"
	"net"
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
	pc   *PacketConn
}

// Start listens (if pc is nil) and starts receiving in a greenlet; it
// returns at once. pc must be a *PacketConn or a socket WrapPacketConn
// accepts.
func (s *DatagramServer) Start(pc net.PacketConn) error {
	if s.Handler == nil {
		return ErrNoHandler
	}
	if pc == nil {
		network, addr := s.Network, s.Addr
		if network == "" {
			network = "udp"
		}
		if addr == "" {
			addr = "127.0.0.1:0"
		}
		p, err := ListenPacket(network, addr)
		if err != nil {
			return err
		}
		pc = p
	}
	w, err := WrapPacketConn(pc)
	if err != nil {
		return err
	}
	s.pc = w
	if err := s.core.start(pickHub(s.Hub), s.MaxHandlers, w.Close, s.recvLoop); err != nil {
		w.Close()
		return err
	}
	return nil
}

// Serve is Start followed by waiting until the server stops; it returns
// ErrServerClosed after Stop.
func (s *DatagramServer) Serve(pc net.PacketConn) error {
	if err := s.Start(pc); err != nil {
		return err
	}
	return s.core.wait()
}

// LocalAddr returns the local address, or nil before Start.
func (s *DatagramServer) LocalAddr() net.Addr {
	if s.pc == nil {
		return nil
	}
	return s.pc.LocalAddr()
}

// Stop stops receiving, closes the socket, waits up to timeout for running
// handlers and kills the rest. timeout <= 0 kills them at once.
func (s *DatagramServer) Stop(timeout time.Duration) error { return s.core.stop(timeout) }

func (s *DatagramServer) recvLoop() error {
	size := s.BufferSize
	if size <= 0 {
		size = 65536
	}
	buf := make([]byte, size)
	for {
		s.core.waitRoom()
		n, addr, err := s.pc.ReadFrom(buf)
		if err != nil {
			if s.core.stopped() || errors.Is(err, net.ErrClosed) {
				return ErrServerClosed
			}
			return err
		}
		data := append([]byte(nil), buf[:n]...)
		s.core.spawn(func() { s.Handler(s.pc, data, addr) })
	}
}
