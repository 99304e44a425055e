//go:build unix

package greenexec_test

import (
	"fmt"
	"strings"

	"github.com/greenrt/green/green"
	exec "github.com/greenrt/green/netwrap/greenexec"
)

// Three commands in three greenlets of one hub: each greenlet parks while
// its child runs, so the three sleeps overlap (about 0.2 s in all, not
// 0.6), and the output comes back as with os/exec.
func Example() {
	var gs []*green.Greenlet
	for _, word := range []string{"one", "two", "three"} {
		gs = append(gs, green.Spawn(func() (string, error) {
			out, err := exec.Command("sh", "-c", "sleep 0.2; echo "+word).Output()
			return strings.TrimSpace(string(out)), err
		}))
	}
	for _, g := range gs {
		v, err := g.Get()
		fmt.Println(v, err)
	}
	// Output:
	// one <nil>
	// two <nil>
	// three <nil>
}
