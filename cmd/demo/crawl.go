//go:build unix

package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/greenrt/green/internal/crawl"
)

func init() {
	register(command{
		name:    "crawl",
		summary: "fetch pages sequentially, with goroutines, a pool, busy polling, epoll callbacks and greenlets; compare",
		run:     runCrawl,
	})
}

const crawlHelp = `demo crawl [flags] [URL...]

Fetches N pages with each strategy of the classic path from blocking code
to coroutines, and prints a table: wall time, speed-up over sequential, CPU
time (getrusage of the whole process, the built-in server included), pages
and bytes fetched, and whether every strategy got the same bytes.

By default the pages come from a built-in HTTP server on 127.0.0.1 that
waits -latency before each answer. Give http:// URLs as arguments to fetch
those instead (each strategy fetches each URL once).`

func runCrawl(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlags("crawl", crawlHelp, out)
	n := fs.Int("n", 10, "number of pages to fetch from the built-in server")
	latency := fs.Duration("latency", 100*time.Millisecond, "built-in server: delay before each answer")
	size := fs.Int("size", 16<<10, "built-in server: page size in bytes")
	workers := fs.Int("workers", 5, "bound of the conc goroutine pool")
	timeout := fs.Duration("timeout", crawl.DefaultTimeout, "bound on each fetch")
	only := fs.String("only", "", "comma-separated strategies to run (sequential always runs first, as the reference)")
	chart := fs.String("chart", "", "also write the comparison as a bar chart to `FILE` (.svg, .png or .pdf)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n < 1 || *n > 10000 {
		return fmt.Errorf("-n must be between 1 and 10000")
	}
	if *size < 0 || *latency < 0 || *workers < 1 {
		return fmt.Errorf("-size and -latency must not be negative, -workers must be positive")
	}
	if *chart != "" {
		if err := checkChartFile(*chart); err != nil {
			return err
		}
	}
	strategies, err := pickStrategies(*only)
	if err != nil {
		return err
	}

	urls := fs.Args()
	if len(urls) == 0 {
		srv, err := crawl.StartServer(*latency, *size)
		if err != nil {
			return err
		}
		defer srv.Close()
		urls = srv.URLs(*n)
		fmt.Fprintf(out, "built-in server %s: %d pages of %d bytes, %v latency each\n\n", srv.Addr(), *n, *size, *latency)
	}
	ts, err := crawl.Targets(ctx, urls)
	if err != nil {
		return err
	}

	opts := crawl.Options{Timeout: *timeout, Workers: *workers}
	var results []crawl.Result
	for _, s := range strategies {
		if ctx.Err() != nil {
			break
		}
		r := crawl.Measure(ctx, s, ts, opts)
		if ctx.Err() != nil {
			break // interrupted: this strategy's figures mean nothing
		}
		results = append(results, r)
	}
	if len(results) == 0 {
		if ctx.Err() != nil {
			fmt.Fprintln(out, "interrupted")
		}
		return nil
	}
	printCrawlTable(out, results)
	if ctx.Err() != nil {
		fmt.Fprintln(out, "interrupted")
		return nil
	}
	if *chart != "" {
		if err := crawlChart(*chart, results, len(ts)); err != nil {
			return err
		}
		fmt.Fprintf(out, "chart written to %s\n", *chart)
	}
	return nil
}

// pickStrategies returns the strategies named in only (all if empty),
// always starting with the sequential reference.
func pickStrategies(only string) ([]crawl.Strategy, error) {
	all := crawl.Strategies()
	if only == "" {
		return all, nil
	}
	var names []string
	for _, s := range all {
		names = append(names, s.Name)
	}
	want := strings.Split(only, ",")
	for _, w := range want {
		if !slices.Contains(names, strings.TrimSpace(w)) {
			return nil, fmt.Errorf("-only: unknown strategy %q (have %s)", w, strings.Join(names, ", "))
		}
	}
	picked := []crawl.Strategy{all[0]}
	for _, s := range all[1:] {
		for _, w := range want {
			if strings.TrimSpace(w) == s.Name {
				picked = append(picked, s)
				break
			}
		}
	}
	return picked, nil
}

func printCrawlTable(out io.Writer, results []crawl.Result) {
	ref := results[0]
	row := "%-10s  %8s  %8s  %8s  %7s  %9s  %-10s  %s\n"
	fmt.Fprintf(out, row, "strategy", "wall", "speed-up", "CPU", "pages", "bytes", "same bytes", "how")
	for i, r := range results {
		same := "yes"
		switch {
		case r.OK < len(r.Pages):
			same = "ERRORS"
		case i == 0:
			same = "reference"
		case !crawl.Same(ref.Pages, r.Pages):
			same = "NO"
		}
		fmt.Fprintf(out, row, r.Strategy.Name, fmtDur(r.Wall), fmt.Sprintf("%.1fx", ref.Wall.Seconds()/r.Wall.Seconds()),
			fmtDur(r.CPU), fmt.Sprintf("%d/%d", r.OK, len(r.Pages)), fmt.Sprint(r.Bytes), same, r.Strategy.Note)
	}
	for _, r := range results {
		if err := crawl.FirstError(r.Pages); err != nil {
			fmt.Fprintf(out, "%s: first error: %v\n", r.Strategy.Name, err)
		}
	}
}

// fmtDur prints a duration in milliseconds, the unit of the comparison.
func fmtDur(d time.Duration) string {
	return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
}

func crawlChart(file string, results []crawl.Result, pages int) error {
	var names []string
	wall := series{name: "wall time (ms)"}
	cpu := series{name: "CPU time (ms)"}
	for _, r := range results {
		names = append(names, r.Strategy.Name)
		wall.values = append(wall.values, float64(r.Wall)/float64(time.Millisecond))
		cpu.values = append(cpu.values, float64(r.CPU)/float64(time.Millisecond))
	}
	title := fmt.Sprintf("fetching %d pages: wall and CPU time per strategy (lower is better)", pages)
	return writeChart(file, title, "milliseconds", "%.0f", names, []series{wall, cpu})
}
