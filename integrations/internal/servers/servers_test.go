package servers

import (
	"os/exec"
	"strings"
	"testing"
)

func TestStartStop(t *testing.T) {
	r, err := StartRedis()
	if err != nil {
		Unavailable(t, err)
	}
	defer r.Stop()
	p, err := StartPostgres()
	if err != nil {
		Unavailable(t, err)
	}
	defer p.Stop()
	if err := r.ping(); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("psql", p.DSN(), "-Atc", "select 1+1").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "2" {
		t.Fatalf("psql: %v %s", err, out)
	}
}
