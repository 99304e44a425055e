package green_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/internal/testutil"
)

// TestProfileLabelsInCPUProfile: samples taken while a named greenlet
// computes carry its name. The profile is gzipped protobuf: label keys and
// values are in its string table only when some sample carries them.
func TestProfileLabelsInCPUProfile(t *testing.T) {
	th := testutil.NewHub(t)
	th.SetMaxBlockingTime(-1) // the CPU loop below blocks the hub on purpose
	const name = "cpu-burner-7f3a"
	var prof bytes.Buffer
	if err := pprof.StartCPUProfile(&prof); err != nil {
		t.Skip("a CPU profile is already running:", err)
	}
	gl := green.NewOn(th.Hub, func() { spinFor(300 * time.Millisecond) }).SetName(name)
	gl.Start()
	gl.Join()
	pprof.StopCPUProfile()
	zr, err := gzip.NewReader(&prof)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"greenlet", name, "hub", th.Name()} {
		if !bytes.Contains(raw, []byte(s)) {
			t.Errorf("the CPU profile has no label string %q", s)
		}
	}
}

// TestProfileLabelsInGoroutineDump: a parked named greenlet's goroutine
// shows its labels in the goroutine profile; once it ends, its worker
// carries only the hub's.
func TestProfileLabelsInGoroutineDump(t *testing.T) {
	th := testutil.NewHub(t)
	var ev green.Event
	ev.BindHub(th.Hub)
	gl := green.NewOn(th.Hub, func() { ev.Wait() }).SetName("labelled-waiter")
	gl.Start()
	time.Sleep(20 * time.Millisecond)
	var dump strings.Builder
	pprof.Lookup("goroutine").WriteTo(&dump, 1)
	if !strings.Contains(dump.String(), `"greenlet":"labelled-waiter"`) {
		t.Errorf("no greenlet label in the goroutine dump:\n%s", dump.String())
	}
	ev.Set()
	gl.Join()
	was := green.SetProfileLabels(false)
	defer green.SetProfileLabels(was)
	gl = green.NewOn(th.Hub, func() { green.Sleep(time.Hour) }).SetName("unlabelled")
	gl.Start()
	defer gl.Kill()
	time.Sleep(20 * time.Millisecond)
	dump.Reset()
	pprof.Lookup("goroutine").WriteTo(&dump, 1)
	if strings.Contains(dump.String(), `"greenlet":"unlabelled"`) {
		t.Errorf("labels set while off")
	}
	if !strings.Contains(dump.String(), `"hub":"`+th.Name()+`"`) {
		t.Errorf("no hub label")
	}
}
