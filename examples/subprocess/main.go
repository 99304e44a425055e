//go:build unix

// Command subprocess is gevent.subprocess in Go: commands run from
// greenlets with greenexec (os/exec's API), each greenlet parking while
// its child runs, so five 0.2 s commands take about 0.2 s in all, and a
// ticker greenlet on the same hub keeps ticking meanwhile.
//
//	go run ./examples/subprocess
package main

import (
	"bufio"
	"fmt"
	"strings"
	"time"

	"github.com/greenrt/green/green"
	exec "github.com/greenrt/green/netwrap/greenexec" // the one-line switch from os/exec
)

func main() {
	// The program's body runs as the main greenlet (gevent's): it shares
	// ticks with the ticker greenlet without a lock, since both run on
	// the same hub, one at a time. From a plain goroutine that read would
	// race with the ticker's writes.
	if err := green.Main(func() {
		start := time.Now()
		ticks := 0
		ticker := green.Spawn(func() {
			for {
				green.Sleep(10 * time.Millisecond) // would stall if a wait blocked the hub
				ticks++
			}
		})

		// Five commands at once, each in its own greenlet.
		var gs []*green.Greenlet
		for i := 1; i <= 5; i++ {
			gs = append(gs, green.Spawn(func() (string, error) {
				out, err := exec.Command("sh", "-c", fmt.Sprintf("sleep 0.2; echo job %d", i)).Output()
				return strings.TrimSpace(string(out)), err
			}))
		}
		for _, g := range gs {
			v, err := g.Get()
			if err != nil {
				fmt.Println("error:", err)
				continue
			}
			fmt.Println(v)
		}
		fmt.Printf("5 commands of 0.2 s each: %.1f s in all; the ticker ticked meanwhile: %v\n",
			time.Since(start).Seconds(), ticks > 5)

		// A pipe read line by line while the command runs.
		reader := green.Spawn(func() error {
			cmd := exec.Command("sh", "-c", "for i in 1 2 3; do echo line $i; sleep 0.05; done")
			out, err := cmd.StdoutPipe()
			if err != nil {
				return err
			}
			if err := cmd.Start(); err != nil {
				return err
			}
			sc := bufio.NewScanner(out) // each read parks the greenlet
			for sc.Scan() {
				fmt.Println("read:", sc.Text())
			}
			return cmd.Wait()
		})
		if err := reader.Join(); err != nil {
			fmt.Println("error:", err)
		}

		// An exit status, as os/exec reports it.
		err := green.Spawn(func() error { return exec.Command("sh", "-c", "exit 3").Run() }).Join()
		if ee, ok := err.(*exec.ExitError); ok {
			fmt.Println("exit code:", ee.ExitCode())
		}
		ticker.Kill()
	}); err != nil {
		fmt.Println("error:", err)
	}
}
