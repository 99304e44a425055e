#!/usr/bin/env bash
# Core benchmarks for the README: runs the Go benchmarks of green, pool and
# threadpool COUNT times, interleaved with the same benchmarks built from
# BASE (a git revision, optional) when given, and prints markdown tables of
# medians, (min-max) and, with BASE, the ratio new/base of the medians.
#
#   benchdata/core.sh                 # this checkout
#   BASE=812c680 COUNT=8 benchdata/core.sh
#
# Also prints callgrind instruction counts per operation (deterministic,
# GOGC=off so that collector work does not blur them) when valgrind is
# installed and CALLGRIND=1.
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-6}
BENCH=${BENCH:-'Switch|SpawnJoin|QueueHandoff|ChannelRendezvous|EventWakeAll|QueueBridge'}
work=$(mktemp -d)
trap 'rm -rf "$work"; [ -n "${basetree:-}" ] && git worktree remove --force "$basetree" >/dev/null 2>&1 || true' EXIT
go test -c -o "$work/new.test" ./green
if [ -n "${BASE:-}" ]; then
  basetree="$work/base"
  git worktree add -q --detach "$basetree" "$BASE"
  (cd "$basetree" && go test -c -o "$work/base.test" ./green)
fi
for i in $(seq "$COUNT"); do
  for v in new ${BASE:+base}; do
    (cd green && "$work/$v.test" -test.run XXX -test.bench "$BENCH" -test.benchmem) 2>/dev/null |
      awk -v v="$v" '/^Benchmark/ {print v, $0}' >> "$work/runs.txt"
  done
done
python3 - "$work/runs.txt" <<'PY'
import collections, statistics, sys
d = collections.defaultdict(list); allocs = {}
for line in open(sys.argv[1]):
    f = line.split()
    v, name = f[0], f[1].rsplit('-', 1)[0]
    d[(name, v)].append(float(f[3]))
    if 'allocs/op' in f:
        allocs[(name, v)] = f[f.index('allocs/op') - 1]
names = sorted({k[0] for k in d})
base = any(k[1] == 'base' for k in d)
print('| benchmark | ns/op, median (min-max) | allocs/op |' + (' base ns/op | new/base |' if base else ''))
print('|---|---|---|' + ('---|---|' if base else ''))
for n in names:
    xs = d[(n, 'new')]
    row = f'| `{n}` | {statistics.median(xs):.1f} ({min(xs):.1f}-{max(xs):.1f}) | {allocs.get((n, "new"), "")} |'
    if base and d.get((n, 'base')):
        b = d[(n, 'base')]
        row += f' {statistics.median(b):.1f} | {statistics.median(xs) / statistics.median(b):.2f} |'
    print(row)
PY
if [ "${CALLGRIND:-0}" = 1 ] && command -v valgrind >/dev/null; then
  echo
  echo "| benchmark | instructions/op | ${BASE:+base | new/base |}"
  echo "|---|---|${BASE:+---|---|}"
  cg() { GOGC=off GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null "$1" \
      -test.run XXX -test.bench "$2" -test.benchtime "${3}x" -test.cpu 1 2>&1 >/dev/null |
      awk '/refs/ {gsub(",", "", $4); print $4}'; }
  for b in 'Switch/green' 'SpawnJoin/green' 'QueueHandoff/queue-unbounded' 'QueueHandoff/queue-bounded' 'ChannelRendezvous/green'; do
    per() { a=$(cd green && cg "$work/$1.test" "$b" 100000); c=$(cd green && cg "$work/$1.test" "$b" 300000); echo $(( (c - a) / 200000 )); }
    n=$(per new)
    if [ -n "${BASE:-}" ]; then
      o=$(per base)
      echo "| \`$b\` | $n | $o | $(python3 -c "print(f'{$n/$o:.2f}')") |"
    else
      echo "| \`$b\` | $n |"
    fi
  done
fi
