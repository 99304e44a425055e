//go:build unix

package greenos_test

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/netwrap/greenos"
)

// A pipe between two greenlets of one hub, and a regular file read on the
// thread pool: neither blocks the hub.
func Example() {
	r, w, err := greenos.Pipe()
	if err != nil {
		panic(err)
	}
	defer r.Close()
	green.Spawn(func() {
		defer w.Close()
		fmt.Fprintln(w, "through the pipe")
	})
	reader := green.Spawn(func() (string, error) {
		b, err := io.ReadAll(r) // parks until the writer writes and closes
		return string(b), err
	})
	line, err := reader.Get()
	fmt.Print(line, err, "\n")

	name := filepath.Join(os.TempDir(), "greenos-example.txt")
	defer os.Remove(name)
	file := green.Spawn(func() (string, error) {
		if err := greenos.WriteFile(name, []byte("from the disk\n"), 0o600); err != nil {
			return "", err
		}
		b, err := greenos.ReadFile(name) // one thread-pool round trip
		return string(b), err
	})
	text, err := file.Get()
	fmt.Print(text, err, "\n")
	// Output:
	// through the pipe
	// <nil>
	// from the disk
	// <nil>
}
