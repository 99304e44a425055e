package loadtest

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/greenrt/green/green"
	"github.com/greenrt/green/hub"
	"github.com/greenrt/green/internal/testutil"
)

// Worker does worker w's share of the work (ops operations, each answer
// checked) and returns the first error. It runs in a greenlet or in a plain
// goroutine, as the run requires.
type Worker func(w, ops int) error

// PhasedWorker is a Worker that opens connections of its own first and
// calls connected once they are open: connected returns when every worker
// has connected (or finished), so that the operations start together, and
// the hub's gaps of the two phases are measured apart (Figures.ConnectGap
// and Figures.Gap). 200 greenlets connecting at once keep the hub busy
// with their turns (parsing, handshakes, buffers: CPU, not waiting), which
// is a burst the operations' bound is not about.
type PhasedWorker func(w, ops int, connected func()) error

// Setup is what a comparison runs. Zero fields take the values.
type Setup struct {
	Name     string        // printed with the figures
	Workers  int           // zero: 200
	Ops      int           // per worker; zero: 20
	MaxRatio float64       // greenlets' time / goroutines' time; zero: 1.5 (3 under -race)
	MaxGap   time.Duration // largest ticker gap; zero: 50 ms (200 ms under -race)
	Rounds   int           // attempts (the machine is shared); zero: 3
	Hang     time.Duration // a run taking longer has hung; zero: 60 s
}

func (s *Setup) defaults() {
	if s.Workers == 0 {
		s.Workers = 200
	}
	if s.Ops == 0 {
		s.Ops = 20
	}
	if s.MaxRatio == 0 {
		s.MaxRatio = 1.5 * raceRatio
	}
	if s.MaxGap == 0 {
		s.MaxGap = 50 * time.Millisecond * raceFactor
	}
	if s.Rounds == 0 {
		s.Rounds = 3
	}
	if s.Hang == 0 {
		s.Hang = 60 * time.Second
	}
}

// Figures are one round's measurements.
type Figures struct {
	Green, Plain time.Duration // wall time of all workers, connecting included
	Gap          time.Duration // the hub's largest gap during the green run (its operations, for a PhasedWorker)
	ConnectGap   time.Duration // for a PhasedWorker: the largest gap while the greenlets connected
	RefGap       time.Duration // the same ticker's largest gap on the idle hub while the goroutines ran
	Rounds       int           // how many rounds Compare ran (each runs both sides once)
}

// Ratio is Green / Plain.
func (f Figures) Ratio() float64 { return float64(f.Green) / float64(f.Plain) }

func (f Figures) String() string {
	s := fmt.Sprintf("greenlets %v", f.Green.Round(time.Millisecond))
	if f.Plain != 0 {
		s += fmt.Sprintf(", goroutines %v (%.2fx)", f.Plain.Round(time.Millisecond), f.Ratio())
	}
	s += fmt.Sprintf(", largest hub gap %v", f.Gap.Round(100*time.Microsecond))
	if f.ConnectGap != 0 {
		s += fmt.Sprintf(" (while all connected at once: %v)", f.ConnectGap.Round(100*time.Microsecond))
	}
	if f.RefGap != 0 {
		s += fmt.Sprintf("; idle hub's gap during the goroutines' run %v", f.RefGap.Round(100*time.Microsecond))
	}
	return s
}

// Compare runs plain then green, up to s.Rounds times, and stops at the
// first round that meets the targets; it fails t with every round's
// figures if none does, and with the workers' errors if any answer was
// wrong. It logs one line "FIGURES name: ..." per round (go test -v) and
// returns the last round's figures. plain may be nil when the greenlets
// are compared with nothing (then only the gap is checked).
func Compare(t testing.TB, h *hub.Hub, s Setup, greenW, plainW Worker) Figures {
	t.Helper()
	return ComparePhased(t, h, s, phased(greenW), phased(plainW))
}

func phased(w Worker) PhasedWorker {
	if w == nil {
		return nil
	}
	return func(i, ops int, _ func()) error { return w(i, ops) }
}

// ComparePhased is Compare for workers that connect first (see
// PhasedWorker); the gap bound applies to the operations.
func ComparePhased(t testing.TB, h *hub.Hub, s Setup, greenW, plainW PhasedWorker) Figures {
	t.Helper()
	s.defaults()
	var rounds []Figures
	for r := 0; r < s.Rounds; r++ {
		var f Figures
		if plainW != nil {
			ref := testutil.StartGapTicker(h, time.Millisecond)
			f.Plain = runPlain(t, s, plainW)
			f.RefGap = ref.Stop()
		}
		f.Green, f.Gap, f.ConnectGap = runGreen(t, h, s, greenW)
		if t.Failed() {
			return f
		}
		f.Rounds = r + 1
		rounds = append(rounds, f)
		t.Logf("FIGURES %s: %d workers x %d ops: %v", s.Name, s.Workers, s.Ops, f)
		if f.Gap <= s.MaxGap+f.RefGap && (plainW == nil || f.Ratio() <= s.MaxRatio) {
			return f
		}
	}
	var b strings.Builder
	for i, f := range rounds {
		fmt.Fprintf(&b, "\n  round %d: %v", i+1, f)
	}
	t.Errorf("%s: no round within %.1fx of the goroutines with hub gaps <= %v (plus the idle hub's gap):%s",
		s.Name, s.MaxRatio, s.MaxGap, b.String())
	return rounds[len(rounds)-1]
}

// RunGreen runs s.Workers greenlets of w on h and returns their wall time
// and the largest gap of a ticker greenlet on h meanwhile. Workers' errors
// fail t (the first few are shown).
func RunGreen(t testing.TB, h *hub.Hub, s Setup, w Worker) (time.Duration, time.Duration) {
	t.Helper()
	elapsed, gap, _ := runGreen(t, h, s, phased(w))
	return elapsed, gap
}

func runGreen(t testing.TB, h *hub.Hub, s Setup, w PhasedWorker) (elapsed, gap, connectGap time.Duration) {
	t.Helper()
	s.defaults()
	gt := testutil.StartGapTicker(h, time.Millisecond)
	errs := make([]error, s.Workers)
	gs := make([]*green.Greenlet, s.Workers)
	// The barrier of connected: state of h's greenlets only, no lock.
	var all green.Event
	all.BindHub(h)
	arrived, finished := 0, 0
	check := func() {
		if arrived > 0 && arrived+finished == s.Workers && !all.IsSet() {
			connectGap = gt.Max()
			gt.Reset()
			all.Set()
		}
	}
	connected := func() {
		arrived++
		check()
		all.Wait()
	}
	start := time.Now()
	for i := range gs {
		gs[i] = green.NewOn(h, func() {
			defer func() { finished++; check() }()
			errs[i] = w(i, s.Ops, connected)
		})
		gs[i].Start()
	}
	// The wait for a hang is a Go timer, not a hub timer: a frozen hub
	// would never fire its own.
	joined := make(chan struct{})
	go func() { green.JoinAll(gs...); close(joined) }()
	select {
	case <-joined:
	case <-time.After(s.Hang):
		hung(s, "greenlets")
	}
	elapsed = time.Since(start)
	gap = gt.Stop()
	for _, g := range gs {
		if g.Err() != nil { // a panic in a worker
			t.Errorf("%s: greenlet failed: %v", s.Name, g.Err())
			break
		}
	}
	report(t, s, "greenlet", errs)
	return elapsed, gap, connectGap
}

// RunPlain runs s.Workers goroutines of w and returns their wall time.
func RunPlain(t testing.TB, s Setup, w Worker) time.Duration {
	t.Helper()
	return runPlain(t, s, phased(w))
}

func runPlain(t testing.TB, s Setup, w PhasedWorker) time.Duration {
	t.Helper()
	s.defaults()
	errs := make([]error, s.Workers)
	var wg sync.WaitGroup
	var mu sync.Mutex
	arrived, finished := 0, 0
	all := make(chan struct{})
	check := func() { // with mu held
		if arrived > 0 && arrived+finished == s.Workers {
			select {
			case <-all:
			default:
				close(all)
			}
		}
	}
	connected := func() {
		mu.Lock()
		arrived++
		check()
		mu.Unlock()
		<-all
	}
	start := time.Now()
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { mu.Lock(); finished++; check(); mu.Unlock() }()
			errs[i] = w(i, s.Ops, connected)
		}()
	}
	joined := make(chan struct{})
	go func() { wg.Wait(); close(joined) }()
	select {
	case <-joined:
	case <-time.After(s.Hang):
		hung(s, "goroutines")
	}
	elapsed := time.Since(start)
	report(t, s, "goroutine", errs)
	return elapsed
}

func report(t testing.TB, s Setup, kind string, errs []error) {
	t.Helper()
	n := 0
	for i, err := range errs {
		if err == nil {
			continue
		}
		n++
		if n <= 3 {
			t.Errorf("%s: %s %d: %v", s.Name, kind, i, err)
		}
	}
	if n > 3 {
		t.Errorf("%s: %d of %d %ss failed", s.Name, n, len(errs), kind)
	}
}

// hung ends the test binary: the workers are stuck (on a frozen hub, in
// the cases this package exists for) and the hub could not be stopped.
func hung(s Setup, kind string) {
	fmt.Fprintf(os.Stderr, "%s: %d %s did not finish within %v: HANG\n%s",
		s.Name, s.Workers, kind, s.Hang, testutil.Stacks())
	os.Exit(2)
}

// GapBound is the default MaxGap: 50 ms, four times that under the race
// detector.
func GapBound() time.Duration { return 50 * time.Millisecond * raceFactor }

// RaceRatio is the factor by which the race detector widens time-ratio
// bounds (1 without it), for tests that set their own MaxRatio.
func RaceRatio() float64 { return raceRatio }
