package greenpgx

import (
	"context"
	"net"

	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/netwrap"
	"github.com/greenrt/green/threadpool"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ConfigureConn prepares cfg for greenlets and returns it: DialFunc
// becomes netwrap's cooperative dialer (with the configured
// ConnectTimeout, which pgconn applies through the context) and LookupFunc
// resolves host names on the thread pool while the greenlet parks. From a
// plain goroutine both behave as pgx's defaults do.
func ConfigureConn(cfg *pgx.ConnConfig) *pgx.ConnConfig {
	configurePgconn(&cfg.Config)
	return cfg
}

func configurePgconn(cfg *pgconn.Config) {
	cfg.DialFunc = netwrap.DialContext
	cfg.LookupFunc = LookupHost
}

// LookupHost resolves host with net.DefaultResolver, on the thread pool
// when called from a greenlet (pgconn's LookupFunc). IP literals are
// returned as they are.
func LookupHost(ctx context.Context, host string) ([]string, error) {
	if net.ParseIP(host) != nil {
		return []string{host}, nil
	}
	if g, _ := hub.Current(); g == nil {
		return net.DefaultResolver.LookupHost(ctx, host)
	}
	return threadpool.CallContext(ctx, func(ctx context.Context) ([]string, error) {
		return net.DefaultResolver.LookupHost(ctx, host)
	})
}

// Connect is pgx.Connect with a configuration prepared by ConfigureConn.
func Connect(ctx context.Context, connString string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(connString)
	if err != nil {
		return nil, err
	}
	return pgx.ConnectConfig(ctx, ConfigureConn(cfg))
}

// ConnectConfig is pgx.ConnectConfig(ctx, ConfigureConn(cfg)).
func ConnectConfig(ctx context.Context, cfg *pgx.ConnConfig) (*pgx.Conn, error) {
	return pgx.ConnectConfig(ctx, ConfigureConn(cfg))
}
