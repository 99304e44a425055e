package greenredis

import (
	"context"
	"crypto/tls"
	"net"
	"time"

	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/netwrap"
	"github.com/greenrt/green/threadpool"
	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// Hook is a redis.Hook that runs each command and pipeline (transactions
// included) on a thread-pool goroutine while the calling greenlet parks.
// Called from a plain goroutine it runs the command in place, as go-redis
// does without it; from a hub callback, which must never wait, the command
// fails with hub.ErrNotCoroutine.
//
// A kill or green.Timeout of the waiting greenlet returns at once (the
// interrupt unwinds it), while the command finishes on its goroutine and
// its connection goes back to the pool; a context's deadline or
// cancellation is go-redis's to honour, and the greenlet waits for that.
//
// The zero Hook uses threadpool.Default.
type Hook struct {
	// Pool runs the commands. Zero value: threadpool.Default().
	Pool *threadpool.Pool
}

var _ redis.Hook = (*Hook)(nil)

func (h *Hook) pool() *threadpool.Pool {
	if h == nil || h.Pool == nil {
		return threadpool.Default()
	}
	return h.Pool
}

// DialHook returns next: dials happen wherever go-redis makes them (on
// pool goroutines for commands, on the calling greenlet for PubSub), with
// Options.Dialer.
func (h *Hook) DialHook(next redis.DialHook) redis.DialHook { return next }

// ProcessHook runs next on the pool when called from a greenlet.
func (h *Hook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		return h.run(func() error { return next(ctx, cmd) })
	}
}

// ProcessPipelineHook runs next on the pool when called from a greenlet
// (pipelines and MULTI/EXEC transactions).
func (h *Hook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		return h.run(func() error { return next(ctx, cmds) })
	}
}

func (h *Hook) run(fn func() error) error {
	g, hb := hub.Current()
	if g == nil {
		if hb != nil {
			return hub.ErrNotCoroutine
		}
		return fn() // a plain goroutine may block
	}
	// The caller waits for the command whatever its context does, so that
	// it never reads a command that the goroutine is still filling in;
	// go-redis applies the context to the command itself.
	_, err := threadpool.CallOn(h.pool(), context.Background(), func(context.Context) (struct{}, error) {
		return struct{}{}, fn()
	})
	return err
}

// Configure prepares opt for greenlets and returns it: Dialer, if nil,
// becomes netwrap's cooperative dialer (with opt.DialTimeout and
// opt.TLSConfig, like go-redis's own), and maintenance notifications are
// turned off (see the package documentation). It does not add the Hook
// (NewClient does).
func Configure(opt *redis.Options) *redis.Options {
	if opt.Dialer == nil {
		opt.Dialer = Dialer(opt.DialTimeout, opt.TLSConfig)
	}
	opt.MaintNotificationsConfig = disabledMaint(opt.MaintNotificationsConfig)
	return opt
}

func disabledMaint(c *maintnotifications.Config) *maintnotifications.Config {
	if c == nil {
		c = &maintnotifications.Config{}
	} else {
		cc := *c
		c = &cc
	}
	c.Mode = maintnotifications.ModeDisabled
	return c
}

// NewClient is redis.NewClient(Configure(opt)) with a zero Hook added: a
// client whose commands greenlets may call as they are.
func NewClient(opt *redis.Options) *redis.Client {
	c := redis.NewClient(Configure(opt))
	c.AddHook(&Hook{})
	return c
}

// Dialer returns a dial function for go-redis's Options.Dialer: netwrap's
// cooperative dialer with the given timeout (zero: none but the
// context's), and TLS on top when tlsConf is not nil (its ServerName
// defaulting to the address's host, as crypto/tls.Dial does). In a greenlet
// the connect and the TLS handshake park it; from a plain goroutine they
// block like package net.
func Dialer(timeout time.Duration, tlsConf *tls.Config) func(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &netwrap.Dialer{Timeout: timeout}
	if tlsConf == nil {
		return d.DialConn
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialConn(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		conf := tlsConf
		if conf.ServerName == "" && !conf.InsecureSkipVerify {
			if host, _, err := net.SplitHostPort(addr); err == nil {
				conf = conf.Clone()
				conf.ServerName = host
			}
		}
		tc := tls.Client(c, conf)
		if err := tc.HandshakeContext(ctx); err != nil {
			c.Close()
			return nil, err
		}
		return tc, nil
	}
}
