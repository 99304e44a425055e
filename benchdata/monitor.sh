#!/usr/bin/env bash
# The blocking monitor's cost, side by side: the same test binaries run
# with the monitor on (the default) and off (GREEN_MAX_BLOCKING_TIME=off),
# and, when BASE names a git revision, the binaries built from it (before
# the monitor, run-info and tracing existed), rounds interleaved.
#
#   BASE=main COUNT=10 benchdata/monitor.sh
#
# Prints medians, (min-max) and ratios of ns/op for BenchmarkSwitch
# (green-yield), BenchmarkSpawnJoin (green) and netwrap's
# BenchmarkPingPongGreenlets (a round trip between two greenlets over a
# socketpair: every read parks and is woken by epoll, the echo
# benchmark's path), each run pinned to one CPU at real-time priority when
# allowed, then callgrind instruction counts per operation (deterministic:
# GOMAXPROCS 1, GOGC=off, GODEBUG=asyncpreemptoff=1; (N2-N1)/(N2-N1 ops)).
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-8}
work=$(mktemp -d)
trap 'rm -rf "$work"; [ -n "${basetree:-}" ] && git worktree remove --force "$basetree" >/dev/null 2>&1 || true' EXIT
go test -c -o "$work/green.new" ./green
go test -c -o "$work/netwrap.new" ./netwrap
vs="on off"
if [ -n "${BASE:-}" ]; then
  basetree="$work/base"
  git worktree add -q --detach "$basetree" "$BASE"
  (cd "$basetree" && go test -c -o "$work/green.base" ./green && go test -c -o "$work/netwrap.base" ./netwrap)
  vs="base on off"
fi
pin=""
if chrt -f 1 true 2>/dev/null; then pin="chrt -f 1 taskset -c 1"; fi
run() { # variant package bench
  local v=$1 pkg=$2 bench=$3 bin env=()
  bin="$work/$pkg.${v/off/new}"; bin=${bin/.on/.new}
  [ "$v" = off ] && env=(GREEN_MAX_BLOCKING_TIME=off)
  (cd "$pkg" && env "${env[@]}" $pin "$bin" -test.run XXX -test.bench "$bench" -test.cpu 1 -test.count 1) 2>/dev/null |
    awk -v v="$v" '/^Benchmark/ {print v, $1, $3}'
}
for i in $(seq "$COUNT"); do
  for v in $vs; do
    run "$v" green 'Switch/green-yield$|SpawnJoin/green$' >> "$work/runs.txt"
    run "$v" netwrap 'PingPongGreenlets' >> "$work/runs.txt"
  done
done
python3 - "$work/runs.txt" <<'PY'
import collections, statistics, sys
d = collections.defaultdict(list)
for line in open(sys.argv[1]):
    v, name, x = line.split()
    d[(name.rsplit('-', 1)[0], v)].append(float(x))
names = sorted({k[0] for k in d})
base = any(k[1] == 'base' for k in d)
cols = (['base'] if base else []) + ['on', 'off']
print('| benchmark | ' + ' | '.join(f'{c} ns/op, median (min-max)' for c in cols) + ' | on/off |' + (' on/base |' if base else ''))
print('|---|' + '---|' * len(cols) + '---|' + ('---|' if base else ''))
for n in names:
    m = {c: statistics.median(d[(n, c)]) for c in cols}
    row = f'| `{n}` | ' + ' | '.join(f'{m[c]:.1f} ({min(d[(n, c)]):.1f}-{max(d[(n, c)]):.1f})' for c in cols)
    row += f' | {m["on"] / m["off"]:.3f} |'
    if base:
        row += f' {m["on"] / m["base"]:.3f} |'
    print(row)
PY
if command -v valgrind >/dev/null; then
  echo
  echo "| benchmark | instructions/op: ${BASE:+base | }on | off |"
  echo "|---|${BASE:+---|}---|---|"
  cg() { # binary bench N [env]
    (cd "$4" && env ${5:-} GOGC=off GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null "$1" \
      -test.run XXX -test.bench "$2" -test.benchtime "${3}x" -test.cpu 1 2>&1 >/dev/null |
      awk '/refs/ {gsub(",", "", $4); print $4}')
  }
  per() { # binary bench n1 n2 dir [env]
    local a c; a=$(cg "$1" "$2" "$3" "$5" "${6:-}"); c=$(cg "$1" "$2" "$4" "$5" "${6:-}"); echo $(( (c - a) / ($4 - $3) ))
  }
  for spec in 'green Switch/green-yield$ 100000 300000' 'green SpawnJoin/green$ 100000 300000' 'netwrap PingPongGreenlets 20000 60000'; do
    set -- $spec
    row="| \`$2\` |"
    if [ -n "${BASE:-}" ]; then row="$row $(per "$work/$1.base" "$2" "$3" "$4" "$1") |"; fi
    row="$row $(per "$work/$1.new" "$2" "$3" "$4" "$1") | $(per "$work/$1.new" "$2" "$3" "$4" "$1" GREEN_MAX_BLOCKING_TIME=off) |"
    echo "$row"
  done
fi
