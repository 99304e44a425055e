package greenpgx_test

import (
	"testing"

	"github.com/greenrt/green/integrations/internal/servers"
)

// pgSrv is the PostgreSQL server the tests and examples use.
var pgSrv servers.Server

func TestMain(m *testing.M) {
	servers.Main(m, map[string]*servers.Server{"postgres": &pgSrv})
}

func dsn() string { return pgSrv.(*servers.Postgres).DSN() }
