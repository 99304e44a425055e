package green

import (
	"fmt"
	"io"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/greenrt/green/hub"
)

// Run-info: gevent's print_run_info, format_run_info and GreenletTree.
//
// For every running hub it lists its live greenlets as a tree (by the
// greenlet that spawned them, see TrackGreenletTree), each with its id,
// name (or function), state, what it is parked on and for how long, where
// it was spawned, and on request its stack. Each hub describes its own
// greenlets in a callback on its loop, so the listing is consistent; a hub
// that does not answer (it is blocked) is shown with the blocking
// monitor's report of who holds it.

// RunInfoOptions says what FormatRunInfoWith and PrintRunInfoWith show.
// The zero value lists every greenlet without stacks and waits up to a
// second for each hub.
type RunInfoOptions struct {
	// Stacks adds each greenlet's stack (read without stopping the
	// world; see hub.G.StackOf).
	Stacks bool
	// Timeout bounds the wait for each hub's answer. Zero value: 1 s.
	Timeout time.Duration
	// Limit bounds the number of greenlets listed per hub: each hub
	// describes its greenlets in a callback on its loop, about 1 µs
	// each (plus the stack), during which it runs nothing else. Zero
	// value: 1000. Negative: no limit.
	Limit int
}

// FormatRunInfo returns the run-info of every hub, without stacks
// (gevent's format_run_info). See RunInfoOptions for more.
func FormatRunInfo() string { return FormatRunInfoWith(RunInfoOptions{}) }

// FormatRunInfoWith is FormatRunInfo with options.
func FormatRunInfoWith(opts RunInfoOptions) string {
	var b strings.Builder
	PrintRunInfoWith(&b, opts)
	return b.String()
}

// PrintRunInfo writes the run-info of every hub, with stacks, to w
// (gevent's print_run_info). It is safe from any goroutine: a greenlet
// parks while other hubs answer; a hub callback lists only its own hub.
func PrintRunInfo(w io.Writer) error { return PrintRunInfoWith(w, RunInfoOptions{Stacks: true}) }

// PrintRunInfoWith is PrintRunInfo with options.
func PrintRunInfoWith(w io.Writer, opts RunInfoOptions) error {
	if opts.Timeout <= 0 {
		opts.Timeout = time.Second
	}
	switch {
	case opts.Limit == 0:
		opts.Limit = 1000
	case opts.Limit < 0:
		opts.Limit = 0 // Coroutines: all
	}
	hubs := hub.Hubs()
	reports := make([]hubInfo, len(hubs))
	total := 0
	for i, h := range hubs {
		reports[i] = collectHub(h, opts)
		total += len(reports[i].gs)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "green run-info: %d hubs, %d greenlets, %d goroutines (%s, %s)\n",
		len(hubs), total, runtime.NumGoroutine(), runtime.Version(), time.Now().Format(time.RFC3339))
	for _, r := range reports {
		b.WriteString("\n")
		r.format(&b, opts)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// hubInfo is one hub's answer.
type hubInfo struct {
	h       *hub.Hub
	gs      []greenletInfo
	more    int    // greenlets left out (Limit)
	missing string // why the hub did not answer
}

type greenletInfo struct {
	id, parent uint64
	name       string
	state      string
	waiting    string
	parked     time.Duration
	site       string
	stack      string
}

// collectHub gets h's greenlets described on h.
func collectHub(h *hub.Hub, opts RunInfoOptions) hubInfo {
	r := hubInfo{h: h}
	collect := func() { r.gs, r.more = describeHub(h, opts) }
	if h.OnHub() {
		collect()
		return r
	}
	g, ch := hub.Current()
	if g == nil && ch != nil {
		r.missing = "not asked: run-info was requested from a callback of " + ch.Name() + ", which cannot wait for other hubs"
		return r
	}
	var w hub.Waiter
	w.Prepare()
	if g != nil {
		g.SetWaitingOn(h, hub.WaitCall)
	}
	if err := h.Post(func() {
		if w.Claim() {
			collect()
			w.Wake()
		}
	}); err != nil {
		r.missing = "stopped"
		return r
	}
	switch w.Wait(opts.Timeout, nil) {
	case hub.Interrupted:
		w.Raise()
	case hub.TimedOut:
		r.missing = fmt.Sprintf("did not answer within %v", opts.Timeout)
	}
	return r
}

// describeHub lists h's greenlets. On h.
func describeHub(h *hub.Hub, opts RunInfoOptions) ([]greenletInfo, int) {
	gs := h.Coroutines(opts.Limit)
	more := h.Live() - len(gs)
	out := make([]greenletInfo, 0, len(gs))
	for _, g := range gs {
		pc, parent := g.Origin()
		gi := greenletInfo{id: g.ID(), parent: parent, name: g.Name(), state: g.State(), site: hub.CallSite(pc)}
		if gl, ok := g.Runner().(*Greenlet); ok && gi.name == "" {
			gi.name = funcName(gl.fn)
		}
		if gi.state == "parked" {
			gi.waiting = describeWait(g, h)
			_, _, gi.parked = g.WaitingOn()
		}
		if opts.Stacks {
			gi.stack = g.StackOf()
			if gi.stack == "" && gi.state == "ready" {
				gi.stack = "(not started yet)\n"
			}
		}
		out = append(out, gi)
	}
	return out, more
}

// funcName is the name of the function a greenlet runs, for unnamed ones.
func funcName(fn any) string {
	v := reflect.ValueOf(fn)
	if v.Kind() != reflect.Func || v.IsNil() {
		return ""
	}
	f := runtime.FuncForPC(v.Pointer())
	if f == nil {
		return ""
	}
	name := f.Name()
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return name + "()"
}

// format writes the hub's section: a header, then its greenlets as a tree.
func (r *hubInfo) format(b *strings.Builder, opts RunInfoOptions) {
	h := r.h
	mon := "blocking monitor off"
	if d := h.MaxBlockingTime(); d > 0 {
		mon = fmt.Sprintf("blocking monitor %v", d)
	}
	if r.missing != "" {
		fmt.Fprintf(b, "%s: %s; %s\n", h.Name(), r.missing, mon)
		if e := h.Blocked(); e != nil {
			fmt.Fprintf(b, "  blocked for %v+ by %s\n", e.Held.Round(time.Millisecond), e.Holder())
			if e.Stack != "" {
				b.WriteString(indent(e.Stack, "    "))
			}
		}
		return
	}
	counts := map[string]int{}
	for _, g := range r.gs {
		counts[g.state]++
	}
	var parts []string
	for _, st := range []string{"running", "ready", "parked"} {
		if counts[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[st], st))
		}
	}
	fmt.Fprintf(b, "%s: %d greenlets (%s); %s\n", h.Name(), len(r.gs)+r.more, strings.Join(parts, ", "), mon)
	if e := h.Blocked(); e != nil {
		fmt.Fprintf(b, "  blocked now for %v+ by %s\n", e.Held.Round(time.Millisecond), e.Holder())
	}
	// The tree: children under the greenlet that spawned them, when it
	// is alive on this hub; the others at the top.
	byID := map[uint64]bool{}
	for _, g := range r.gs {
		byID[g.id] = true
	}
	kids := map[uint64][]int{}
	var roots []int
	for i, g := range r.gs {
		if g.parent != 0 && byID[g.parent] && g.parent != g.id {
			kids[g.parent] = append(kids[g.parent], i)
		} else {
			roots = append(roots, i)
		}
	}
	byIDOrder := func(s []int) {
		slices.SortFunc(s, func(a, c int) int {
			switch {
			case r.gs[a].id < r.gs[c].id:
				return -1
			case r.gs[a].id > r.gs[c].id:
				return 1
			}
			return 0
		})
	}
	byIDOrder(roots)
	var walk func(i int, prefix string, last bool)
	walk = func(i int, prefix string, last bool) {
		g := r.gs[i]
		b.WriteString(prefix + " +--- " + g.line(byID) + "\n")
		sub := prefix + " |    "
		if last {
			sub = prefix + "      "
		}
		if g.stack != "" {
			b.WriteString(indent(g.stack, sub+"  "))
		}
		ks := kids[g.id]
		byIDOrder(ks)
		for j, k := range ks {
			walk(k, sub, j == len(ks)-1)
		}
	}
	for j, i := range roots {
		walk(i, "", j == len(roots)-1)
	}
	if r.more > 0 {
		fmt.Fprintf(b, " ... and %d more greenlets (RunInfoOptions.Limit)\n", r.more)
	}
}

// line is one greenlet's description.
func (g *greenletInfo) line(live map[uint64]bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "#%d", g.id)
	if g.name != "" {
		fmt.Fprintf(&b, " %q", g.name)
	}
	b.WriteString(" " + g.state)
	if g.state == "parked" {
		if g.parked > 0 {
			fmt.Fprintf(&b, " %v", roundDur(g.parked))
		}
		if g.waiting != "" {
			b.WriteString(": " + g.waiting)
		}
	}
	if g.site != "" {
		b.WriteString("; spawned at " + g.site)
	}
	if g.parent != 0 && !live[g.parent] {
		fmt.Fprintf(&b, " by #%d", g.parent)
	}
	return b.String()
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n") + "\n"
}
