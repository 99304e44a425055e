//go:build unix

// Package echo holds the TCP echo servers and the load client of the bench
// demo (cmd/demo bench) and of the comparison tests: a greenlet server on
// one hub (netwrap.StreamServer), a plain goroutine-per-connection server
// (package net), and a client that keeps a fixed number of connections
// busy sending a message and waiting for its whole echo, as in the uvloop
// benchmark.
package echo

import (
	"errors"
	"net"
	"sync"

	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/netwrap"
)

// Server is a running echo server.
type Server interface {
	// Addr is the address the server listens on.
	Addr() string
	// Close stops the server, closes its connections and waits for its
	// goroutines (or greenlets and hub) to finish.
	Close() error
}

// bufSize is the size of the servers' read buffer: a 100 KiB message
// takes one or a few reads.
const bufSize = 64 << 10

// serveConn echoes everything read from c until EOF or an error. It is the
// handler of both servers: in a greenlet, c is a netwrap conn and every
// wait parks the greenlet; in a goroutine, c is a net conn.
func serveConn(c net.Conn) {
	buf := make([]byte, bufSize)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// greenServer is a netwrap.StreamServer on its own hub.
type greenServer struct {
	h   *hub.Hub
	srv *netwrap.StreamServer
}

// StartGreen starts a greenlet echo server on 127.0.0.1:0: one hub (one
// goroutine) runs the accept loop and a greenlet per connection.
func StartGreen() (Server, error) {
	h, err := hub.New(hub.Config{})
	if err != nil {
		return nil, err
	}
	if err := h.Start(); err != nil {
		return nil, err
	}
	srv := &netwrap.StreamServer{Handler: serveConn, Hub: h, Addr: "127.0.0.1:0"}
	if err := srv.Start(nil); err != nil {
		h.Stop()
		return nil, err
	}
	return &greenServer{h: h, srv: srv}, nil
}

func (s *greenServer) Addr() string { return s.srv.LocalAddr().String() }

func (s *greenServer) Close() error {
	err := s.srv.Stop(0)
	if errors.Is(err, netwrap.ErrServerClosed) {
		err = nil
	}
	s.h.Stop()
	return err
}

// goServer is the plain Go echo server: a goroutine per connection.
type goServer struct {
	ln    net.Listener
	mu    sync.Mutex
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// StartGoroutines starts a goroutine-per-connection echo server on
// 127.0.0.1:0 with package net.
func StartGoroutines() (Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &goServer{ln: ln, conns: make(map[net.Conn]struct{})}
	s.wg.Go(s.accept)
	return s, nil
}

func (s *goServer) Addr() string { return s.ln.Addr().String() }

func (s *goServer) accept() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return // closed
		}
		s.mu.Lock()
		if s.conns == nil { // closing
			s.mu.Unlock()
			c.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.mu.Unlock()
		s.wg.Go(func() {
			serveConn(c)
			c.Close()
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
		})
	}
}

func (s *goServer) Close() error {
	err := s.ln.Close()
	s.mu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.conns = nil
	s.mu.Unlock()
	s.wg.Wait()
	return err
}
