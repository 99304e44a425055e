//go:build unix

package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestEatPlay(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"-scale", "0.002"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	s := out.String()
	for _, want := range []string{"egon eat start", "alex play start", "egon eat end", "alex play end", "all done"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	// eat (3 units) ends before play (5 units).
	if strings.Index(s, "egon eat end") > strings.Index(s, "alex play end") {
		t.Errorf("eat ended after play:\n%s", s)
	}
}

func TestUsageAndErrors(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"-h"}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "eatplay") {
		t.Fatalf("-h: exit %d, %q", code, out.String())
	}
	out.Reset()
	if code := run([]string{"nosuch"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "unknown subcommand") {
		t.Fatalf("unknown subcommand: exit %d, %q", code, errOut.String())
	}
	errOut.Reset()
	if code := run([]string{"eatplay", "-scale", "-1"}, &out, &errOut); code != 1 {
		t.Fatalf("bad flag value: exit %d", code)
	}
	if code := run([]string{"eatplay", "-h"}, &out, &errOut); code != 0 {
		t.Fatalf("subcommand -h: exit %d", code)
	}
}
