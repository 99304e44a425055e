package greengorilla

import (
	"github.com/gorilla/websocket"
	"github.com/greenrt/green/netwrap"
)

// DefaultDialer is websocket.DefaultDialer with netwrap's dialer.
var DefaultDialer = Dialer(nil)

// Dialer returns a copy of d (nil: websocket.DefaultDialer) whose
// NetDialContext is netwrap.DialContext unless d sets one of its own dial
// functions (NetDialContext, NetDial or NetDialTLSContext). In a greenlet
// the connect, the TLS handshake, the websocket handshake and every read
// and write then park the greenlet; from a plain goroutine they block like
// package net's.
func Dialer(d *websocket.Dialer) *websocket.Dialer {
	if d == nil {
		d = websocket.DefaultDialer
	}
	c := *d
	if c.NetDialContext == nil && c.NetDial == nil && c.NetDialTLSContext == nil {
		c.NetDialContext = netwrap.DialContext
	}
	return &c
}
