package green

import (
	"errors"
	"testing"
	"time"
)

func TestSmoke(t *testing.T) {
	var log []string
	f := func(name string) {
		log = append(log, name+"A")
		Yield()
		log = append(log, name+"B")
	}
	g1 := Spawn(f, "1")
	g2 := Spawn(f, "2")
	done := JoinAll(g1, g2)
	if len(done) != 2 {
		t.Fatal(done)
	}
	if got := log; len(got) != 4 || got[0] != "1A" || got[1] != "2A" || got[2] != "1B" || got[3] != "2B" {
		t.Fatal(got)
	}
	g := Spawn(func() (any, error) { return 42, nil })
	v, err := g.Get()
	if v != 42 || err != nil {
		t.Fatal(v, err)
	}
	s := Spawn(func() { Sleep(time.Hour) })
	time.Sleep(time.Millisecond)
	if err := s.Kill(); err != nil || !s.Successful() || !s.Killed() {
		t.Fatal(err, s)
	}
	to := Spawn(func() error {
		return WithTimeout(time.Millisecond, func() { Sleep(time.Hour) })
	})
	if err := to.Join(); !errors.Is(err, ErrTimeout) {
		t.Fatal(err)
	}
	p := Spawn(func() { panic("boom") })
	if err := p.Join(); err == nil {
		t.Fatal("no panic error")
	}
}
