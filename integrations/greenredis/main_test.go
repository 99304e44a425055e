package greenredis_test

import (
	"testing"

	"github.com/greenrt/green/integrations/internal/servers"
)

// redisSrv is the redis-server the tests and examples use.
var redisSrv servers.Server

func TestMain(m *testing.M) {
	servers.Main(m, map[string]*servers.Server{"redis": &redisSrv})
}

// redisAddr returns the server's address (for the examples).
func redisAddr() string { return redisSrv.Addr() }
