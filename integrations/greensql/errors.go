package greensql

import "errors"

// ErrClosed is returned by a Connector's connections after Close.
var ErrClosed = errors.New("greensql: connector closed")
