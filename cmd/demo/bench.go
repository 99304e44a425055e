//go:build unix

package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/greenrt/green/internal/echo"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

func init() {
	register(command{
		name:    "bench",
		summary: "echo benchmark: greenlet server vs goroutine server (and gevent, uvloop, node with -peers)",
		run:     runBench,
	})
}

const benchHelp = `Starts a greenlet echo server (netwrap on one hub) and a plain goroutine
echo server in this process, drives each with a built-in load client (-conns
connections, each sending a message and waiting for its whole echo) at each
message size, -rounds times interleaved, and prints for the median round
req/s, MiB/s, p50/p99 latency and the ratio to the goroutine server. The
client runs in this process too, on the same cores: on a busy machine,
compare ratios and repeat.

-peers also starts gevent, uvloop and node echo servers when their runtimes
are installed (python3 with the gevent or uvloop module, node) and says why
any was skipped. -addr drives an echo server that is already running instead.`

// benchServer is one server to measure. start returns its address and the
// function that stops it; skip, if set, says why it cannot run.
type benchServer struct {
	name  string
	start func(ctx context.Context) (addr string, stop func(), err error)
	skip  string
}

// benchRow is the measurement of one server at one message size.
type benchRow struct {
	server string
	size   int
	stats  echo.Stats
	err    error
}

func runBench(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("bench", benchHelp, out)
	dur := fs.Duration("duration", 700*time.Millisecond, "measured time per server, message size and round")
	warmup := fs.Duration("warmup", 100*time.Millisecond, "unmeasured time before each measurement")
	rounds := fs.Int("rounds", 3, "measure everything this many times, interleaved, and report the median round")
	sizesFlag := fs.String("sizes", "1,10,100", "comma-separated message sizes in KiB")
	conns := fs.Int("conns", 10, "concurrent client connections")
	addr := fs.String("addr", "", "benchmark the echo server at `HOST:PORT` instead of the built-in ones")
	peers := fs.Bool("peers", false, "also benchmark gevent, uvloop and node echo servers when installed")
	chart := fs.String("chart", "", "also write req/s relative to the goroutine server as a bar chart to `FILE` (.svg, .png or .pdf)")
	progress := fs.Bool("progress", term.IsTerminal(int(os.Stderr.Fd())), "show a progress bar on stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *chart != "" {
		if err := checkChartFile(*chart); err != nil {
			return err
		}
	}
	sizes, err := parseSizes(*sizesFlag)
	if err != nil {
		return err
	}
	if *dur <= 0 || *dur > 10*time.Minute || *warmup < 0 || *conns < 1 || *conns > 1000 || *rounds < 1 || *rounds > 100 {
		return fmt.Errorf("need 0 < -duration <= 10m, -warmup >= 0, 1 <= -conns <= 1000 and 1 <= -rounds <= 100")
	}

	servers := builtinServers()
	if *addr != "" {
		servers = []benchServer{{name: *addr, start: func(context.Context) (string, func(), error) {
			return *addr, func() {}, nil
		}}}
	}
	if *peers {
		ps, cleanup := peerServers()
		defer cleanup()
		servers = append(servers, ps...)
	}

	var runnable []benchServer
	for _, s := range servers {
		if s.skip != "" {
			fmt.Fprintf(out, "skipping %s: %s\n", s.name, s.skip)
			continue
		}
		runnable = append(runnable, s)
	}
	steps := *rounds * len(runnable) * len(sizes)
	fmt.Fprintf(out, "%d servers x %d sizes x %d rounds, %v each (+%v warm-up), %d connections: about %v\n\n",
		len(runnable), len(sizes), *rounds, *dur, *warmup, *conns, time.Duration(steps)*(*dur+*warmup))

	var bar *progressbar.ProgressBar
	if *progress {
		bar = progressbar.NewOptions(steps, progressbar.OptionSetWriter(os.Stderr),
			progressbar.OptionSetWidth(30), progressbar.OptionShowCount(), progressbar.OptionClearOnFinish())
	}
	rows := benchAll(ctx, runnable, sizes, *rounds, echo.Load{Conns: *conns, Duration: *dur, Warmup: *warmup}, bar)
	if bar != nil {
		bar.Finish()
	}
	printBenchTable(out, rows)
	if ctx.Err() != nil {
		fmt.Fprintln(out, "interrupted")
		return nil
	}
	if *chart != "" && *addr != "" {
		fmt.Fprintln(out, "no chart: it compares with the built-in goroutine server, which -addr leaves out")
	} else if *chart != "" {
		if err := benchChart(*chart, rows, sizes); err != nil {
			return err
		}
		fmt.Fprintf(out, "chart written to %s\n", *chart)
	}
	return nil
}

// benchAll starts every server, then measures rounds times each server
// at each size, interleaved so that a change in the machine's load hits
// every server alike, and returns for each server and size the round with
// the median req/s. The servers are stopped at the end.
func benchAll(ctx context.Context, servers []benchServer, sizes []int, rounds int, load echo.Load, bar *progressbar.ProgressBar) []benchRow {
	ss, stop := startBenchServers(ctx, servers)
	defer stop()
	all := map[string][]benchRow{} // by benchKey, one row per round
	for round := 1; round <= rounds && ctx.Err() == nil; round++ {
		benchRound(ctx, round, ss, sizes, load, bar, all)
	}
	var rows []benchRow
	for _, s := range ss {
		for _, size := range sizes {
			if rs := all[benchKey(s.name, size)]; len(rs) > 0 {
				rows = append(rows, medianRow(rs))
			}
		}
	}
	return rows
}

// startedServer is a server of benchAll once started (or not: err).
type startedServer struct {
	benchServer
	addr string
	err  error
}

// startBenchServers starts the servers and returns them with the
// function that stops those that started.
func startBenchServers(ctx context.Context, servers []benchServer) ([]startedServer, func()) {
	var ss []startedServer
	var stops []func()
	for _, s := range servers {
		addr, stop, err := s.start(ctx)
		if err == nil {
			stops = append(stops, stop)
		}
		ss = append(ss, startedServer{s, addr, err})
	}
	return ss, func() {
		for _, stop := range slices.Backward(stops) {
			stop()
		}
	}
}

func benchKey(server string, size int) string { return fmt.Sprint(server, "/", size) }

// benchRound measures each server at each size once, adding the rows to
// all; a round that is interrupted adds nothing more.
func benchRound(ctx context.Context, round int, ss []startedServer, sizes []int, load echo.Load, bar *progressbar.ProgressBar, all map[string][]benchRow) {
	for _, s := range ss {
		for _, size := range sizes {
			if bar != nil {
				bar.Describe(fmt.Sprintf("round %d: %-10s %3d KiB", round, s.name, size>>10))
			}
			if ctx.Err() != nil {
				return // interrupted: keep only the rounds that ran whole
			}
			row := s.measure(ctx, load, size)
			if ctx.Err() == nil {
				all[benchKey(s.name, size)] = append(all[benchKey(s.name, size)], row)
			}
			if bar != nil {
				bar.Add(1)
			}
		}
	}
}

// measure runs the load against s with messages of size.
func (s startedServer) measure(ctx context.Context, load echo.Load, size int) benchRow {
	row := benchRow{server: s.name, size: size, err: s.err}
	if s.err == nil {
		load.Addr, load.Size = s.addr, size
		row.stats, row.err = load.Run(ctx)
	}
	return row
}

// medianRow returns the first failed round, or the round with the median
// req/s.
func medianRow(rs []benchRow) benchRow {
	for _, r := range rs {
		if r.err != nil {
			return r
		}
	}
	slices.SortFunc(rs, func(a, b benchRow) int { return cmp.Compare(a.stats.ReqPerSec(), b.stats.ReqPerSec()) })
	return rs[len(rs)/2]
}

// builtinServers returns the two in-process servers.
func builtinServers() []benchServer {
	inproc := func(start func() (echo.Server, error)) func(context.Context) (string, func(), error) {
		return func(context.Context) (string, func(), error) {
			srv, err := start()
			if err != nil {
				return "", nil, err
			}
			return srv.Addr(), func() { srv.Close() }, nil
		}
	}
	return []benchServer{
		{name: "greenlets", start: inproc(echo.StartGreen)},
		{name: "goroutines", start: inproc(echo.StartGoroutines)},
	}
}

// parseSizes parses a comma-separated list of sizes in KiB.
func parseSizes(s string) ([]int, error) {
	var sizes []int
	for f := range strings.SplitSeq(s, ",") {
		k, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || k < 1 || k<<10 > echo.MaxMessage {
			return nil, fmt.Errorf("-sizes: %q is not a size between 1 and %d KiB", f, echo.MaxMessage>>10)
		}
		sizes = append(sizes, k<<10)
	}
	return sizes, nil
}

func printBenchTable(out io.Writer, rows []benchRow) {
	ref := map[int]float64{} // goroutine server's req/s per size
	for _, r := range rows {
		if r.server == "goroutines" && r.err == nil {
			ref[r.size] = r.stats.ReqPerSec()
		}
	}
	row := "%-12s %7s %10s %9s %9s %9s %15s\n"
	fmt.Fprintf(out, row, "server", "size", "req/s", "MiB/s", "p50", "p99", "vs goroutines")
	for _, r := range rows {
		size := fmt.Sprintf("%d KiB", r.size>>10)
		if r.err != nil {
			fmt.Fprintf(out, "%-12s %7s error: %v\n", r.server, size, r.err)
			continue
		}
		ratio := "-"
		if g := ref[r.size]; g > 0 {
			ratio = fmt.Sprintf("%.2fx", r.stats.ReqPerSec()/g)
		}
		fmt.Fprintf(out, row, r.server, size, fmt.Sprintf("%.0f", r.stats.ReqPerSec()),
			fmt.Sprintf("%.1f", r.stats.MiBPerSec()), fmtLatency(r.stats.P50), fmtLatency(r.stats.P99), ratio)
	}
}

// fmtLatency prints a latency in milliseconds with two decimals.
func fmtLatency(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

// benchChart charts each server's req/s relative to the goroutine server,
// one group of bars per message size: sizes differ in req/s by orders of
// magnitude, ratios share one scale.
func benchChart(file string, rows []benchRow, sizes []int) error {
	ref := map[int]float64{}
	var order []string
	vals := map[string]map[int]float64{}
	for _, r := range rows {
		if r.err != nil {
			continue
		}
		if r.server == "goroutines" {
			ref[r.size] = r.stats.ReqPerSec()
		}
		if vals[r.server] == nil {
			vals[r.server] = map[int]float64{}
			order = append(order, r.server)
		}
		vals[r.server][r.size] = r.stats.ReqPerSec()
	}
	var cats []string
	for _, size := range sizes {
		cats = append(cats, fmt.Sprintf("%d KiB messages", size>>10))
	}
	var ss []series
	for _, name := range order {
		s := series{name: name}
		for _, size := range sizes {
			v := 0.0
			if ref[size] > 0 {
				v = vals[name][size] / ref[size]
			}
			s.values = append(s.values, v)
		}
		ss = append(ss, s)
	}
	return writeChart(file, "echo req/s relative to the goroutine server (higher is better)", "x goroutine server", "%.2f", cats, ss)
}
