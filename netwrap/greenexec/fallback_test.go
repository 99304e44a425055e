//go:build unix

package greenexec

import (
	"errors"
	"os/exec"
	"testing"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/internal/testutil"
	"golang.org/x/sys/unix"
)

// noPidfd makes pidfd_open fail as on a kernel older than 5.3 for the
// length of the test.
func noPidfd(t *testing.T) {
	if _, err := exec.LookPath("sleep"); err != nil {
		t.Skip(err)
	}
	old := pidfdOpen
	pidfdOpen = func(int) (int, error) { return -1, unix.ENOSYS }
	t.Cleanup(func() { pidfdOpen = old })
}

func sleeps(h *hub.Hub, n int, arg string) []*green.Greenlet {
	var gs []*green.Greenlet
	for range n {
		gs = append(gs, green.SpawnOn(h, func() error { return Command("sleep", arg).Run() }))
	}
	return gs
}

// Without pidfd, children are awaited through SIGCHLD: five sleeps
// overlap (ratio to one sleep, measured side by side) and the hub keeps
// ticking. Best of three attempts, as in TestParallelSleeps.
func TestFallbackParallel(t *testing.T) {
	noPidfd(t)
	h := testutil.NewHub(t)
	gt := testutil.StartGapTicker(h.Hub, time.Millisecond)
	defer gt.Stop()
	for attempt := 1; ; attempt++ {
		start := time.Now()
		for _, g := range sleeps(h.Hub, 1, "0.2") {
			if err := g.Join(); err != nil {
				t.Fatal(err)
			}
		}
		one := time.Since(start)
		gt.Reset()
		start = time.Now()
		for _, g := range sleeps(h.Hub, 5, "0.2") {
			if err := g.Join(); err != nil {
				t.Fatal(err)
			}
		}
		five := time.Since(start)
		gap := gt.Max()
		t.Logf("without pidfd: one sleep 0.2 in %v, five at once in %v (ratio %.2f); largest hub gap %v",
			one, five, float64(five)/float64(one), gap)
		if five <= 5*one/2 && gap <= 150*time.Millisecond { // a blocked hub: about 200 ms
			return
		}
		if attempt == 3 {
			t.Fatalf("five parallel sleeps took %v against %v for one, largest hub gap %v", five, one, gap)
		}
	}
}

// Without pidfd, a plain goroutine joining the waiting greenlets of a hub
// that has nothing else to do gets no false ErrDeadlock: the hub is held
// while the SIGCHLD watcher may wake them.
func TestFallbackNoFalseDeadlock(t *testing.T) {
	noPidfd(t)
	h := testutil.NewHub(t)
	for _, g := range sleeps(h.Hub, 3, "0.1") {
		if err := g.Join(); err != nil {
			if errors.Is(err, hub.ErrDeadlock) {
				t.Fatal("false deadlock while waiting for a child through SIGCHLD")
			}
			t.Fatal(err)
		}
	}
}

// Without pidfd, a kill still kills and reaps the child, and the watcher
// goroutine ends with the last wait (the leak check counts goroutines).
func TestFallbackKill(t *testing.T) {
	noPidfd(t)
	h := testutil.NewHub(t)
	pids := make(chan int, 1)
	gl := green.SpawnOn(h.Hub, func() error {
		cmd := Command("sleep", "20")
		if err := cmd.Start(); err != nil {
			return err
		}
		pids <- cmd.Process.Pid
		return cmd.Wait()
	})
	pid := <-pids
	if err := gl.Kill(); err != nil || !gl.Killed() {
		t.Fatalf("kill: %v", err)
	}
	for i := 0; ; i++ {
		if err := unix.Kill(pid, 0); errors.Is(err, unix.ESRCH) {
			break
		}
		if i == 1000 {
			t.Fatal("the child of a killed greenlet is still there")
		}
		time.Sleep(2 * time.Millisecond)
	}
}
