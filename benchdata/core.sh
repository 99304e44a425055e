#!/usr/bin/env bash
# Core benchmarks for the README: the Go benchmarks of green, hub, pool and
# threadpool, each beside its plain-Go baseline from the same binary, run
# COUNT rounds interleaved (every benchmark once per round), then reduced
# to medians, (min-max) and the ratio ours/baseline of the medians. When
# BASE names a git revision, the same benchmarks built from it run in the
# same rounds and a column new/base is added. When gevent is importable
# (Debian's python3-gevent), ../shared/bench/peers/gevent_micro.py runs at
# the end for the gevent column.
#
#   benchdata/core.sh                     # print the markdown block
#   WRITE=1 benchdata/core.sh             # and replace it in README.md
#   BASE=812c680 COUNT=8 benchdata/core.sh
#   CALLGRIND=1 benchdata/core.sh         # also instruction counts
#
# README.md holds the block between the lines
# "<!-- benchdata/core.sh: begin -->" and "<!-- benchdata/core.sh: end -->";
# never edit the figures by hand, run this again.
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-5}
BENCHTIME=${BENCHTIME:-1s}
PKGS="green hub pool threadpool"
# The benchmarks each package contributes (a -test.bench pattern).
declare -A BENCH=(
  [green]='^Benchmark(Switch|SpawnJoin|SleepTimers|Parked|QueueHandoff|ChannelRendezvous|EventWakeAll|QueueBridge)$'
  [hub]='^BenchmarkYield$'
  [pool]='^BenchmarkPoolMap$'
  [threadpool]='^BenchmarkCall$'
)
work=$(mktemp -d)
trap 'rm -rf "$work"; [ -n "${basetree:-}" ] && git worktree remove --force "$basetree" >/dev/null 2>&1 || true' EXIT
load=$(cut -d' ' -f1 /proc/loadavg)
for p in $PKGS; do go test -c -o "$work/$p.new" "./$p"; done
vs=new
if [ -n "${BASE:-}" ]; then
  basetree="$work/base"
  git worktree add -q --detach "$basetree" "$BASE"
  for p in $PKGS; do
    (cd "$basetree" && [ -d "$p" ] && go test -c -o "$work/$p.base" "./$p") || true
  done
  vs="new base"
fi
for i in $(seq "$COUNT"); do
  for p in $PKGS; do
    for v in $vs; do
      [ -x "$work/$p.$v" ] || continue
      (cd "$p" && "$work/$p.$v" -test.run XXX -test.bench "${BENCH[$p]}" -test.benchtime "$BENCHTIME" -test.benchmem) 2>/dev/null |
        awk -v v="$v" '/^Benchmark/ {print v, $0}' >> "$work/runs.txt"
    done
  done
done
gevent=""
py=$(command -v /usr/bin/python3 || command -v python3 || true)
if [ -n "$py" ] && "$py" -c 'import gevent' 2>/dev/null && [ -f ../shared/bench/peers/gevent_micro.py ]; then
  gevent=$("$py" ../shared/bench/peers/gevent_micro.py 100000 2>/dev/null || true)
  gevent="$gevent
version $("$py" -c 'import gevent; print(gevent.__version__)')"
fi
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
block="$work/block.md"
{
  echo "<!-- benchdata/core.sh: begin -->"
  echo "\`COUNT=$COUNT benchdata/core.sh\`, $(date -u +%Y-%m-%d): $(nproc) shared cores ($cpu), $(go env GOVERSION), $(go env GOOS)/$(go env GOARCH), load average $load at the start."
  echo "Each round runs every benchmark once (\`-test.benchtime $BENCHTIME\`, GOMAXPROCS as the machine has, except where a name says GOMAXPROCS=1); rounds interleave ours with the baselines, so a ratio compares medians measured side by side."
  echo
  GEVENT="$gevent" python3 - "$work/runs.txt" "${BASE:-}" <<'PY'
import collections, os, re, statistics, sys
runs, base_rev = sys.argv[1], sys.argv[2]
val = collections.defaultdict(list)   # (version, name, unit) -> values
for line in open(runs):
    f = line.split()
    v, name = f[0], re.sub(r'-\d+$', '', f[1])
    for x, unit in zip(f[3::2], f[4::2]):
        try:
            val[(v, name, unit)].append(float(x))
        except ValueError:
            pass
gev = {}
for line in os.environ.get('GEVENT', '').splitlines():
    m = re.match(r'gevent (.*?): ([\d.]+) (ns/op|bytes)', line)
    if m:
        gev[m.group(1).split(' ')[0]] = float(m.group(2))
    if line.startswith('version '):
        gev['version'] = line.split()[1]
# (what, ours, unit, allocs unit, baseline, baseline's words, gevent key)
rows = [
    ('switch: one `green.Yield` between two greenlets', 'BenchmarkSwitch/green-yield', 'ns/op', 'allocs/op',
     'BenchmarkSwitch/chan-roundtrip', 'Go channel round trip between two goroutines', 'sleep(0)'),
    ('the same at the hub level, `hub.G.Yield`', 'BenchmarkYield', 'ns/op', 'allocs/op', None, None, None),
    ('spawn + join a trivial greenlet, from a greenlet', 'BenchmarkSpawnJoin/green', 'ns/op', 'allocs/op',
     'BenchmarkSpawnJoin/goroutine-waitgroup', 'goroutine + sync.WaitGroup', 'spawn+join'),
    ('typed spawn + `Get` (`green.Go`, a `Task[int]`)', 'BenchmarkSpawnJoin/green-typed', 'ns/op', 'allocs/op',
     'BenchmarkSpawnJoin/green-value', '`Spawn` + `Get` of the same function (its value boxed)', None),
    ('10,000 greenlets sleeping random times under 1 ms, per timer', 'BenchmarkSleepTimers/10k', 'ns/timer', None, None, None, None),
    ('memory per parked greenlet, 100,000 parked (bytes)', 'BenchmarkParked', 'bytes/greenlet', None, None, None, 'memory'),
    ('ints producer → consumer through an unbounded `Queue`, per item', 'BenchmarkQueueHandoff/queue-unbounded/GOMAXPROCS=1', 'ns/op', 'allocs/op',
     'BenchmarkQueueHandoff/chan-buffered-128/GOMAXPROCS=1', 'Go channel, capacity 128, two goroutines', None),
    ('the same through a `Queue` bounded at 128', 'BenchmarkQueueHandoff/queue-bounded-128/GOMAXPROCS=1', 'ns/op', 'allocs/op',
     'BenchmarkQueueHandoff/chan-buffered-128/GOMAXPROCS=1', 'the same channel', None),
    ('rendezvous through `Channel[int]`, per item', 'BenchmarkChannelRendezvous/green-channel/GOMAXPROCS=1', 'ns/op', 'allocs/op',
     'BenchmarkChannelRendezvous/chan-unbuffered/GOMAXPROCS=1', 'unbuffered Go channel', None),
    ('one `Event.Set` waking 1,000 waiting greenlets, per waiter', 'BenchmarkEventWakeAll/waiters=1000', 'ns/waiter', 'allocs/op', None, None, None),
    ('plain goroutine `Put` into a `Queue` drained by a greenlet, per item', 'BenchmarkQueueBridge/goroutine-put/greenlet-get', 'ns/op', 'allocs/op', None, None, None),
    ('`pool.Map` of 10,000 trivial tasks on `NewPool(100)`, per task', 'BenchmarkPoolMap/green/Map', 'ns/task', 'allocs/task',
     'BenchmarkPoolMap/conc/iter.Map', 'conc `iter.Mapper{MaxGoroutines: 100}.Map`', None),
    ('`p.Spawn` per task, then `p.Join()` (gevent\'s idiom), per task', 'BenchmarkPoolMap/green/Spawn', 'ns/task', 'allocs/task',
     'BenchmarkPoolMap/conc/pool', 'conc `pool` with 100 goroutines, `Go` per task', None),
    ('`pool.ImapUnordered`, one greenlet per task, per task', 'BenchmarkPoolMap/green/ImapUnordered', 'ns/task', 'allocs/task',
     'BenchmarkPoolMap/conc/pool', 'the same conc pool', None),
    ('`threadpool.Call` from a greenlet (hand-off, park, wake)', 'BenchmarkCall/greenlet', 'ns/op', 'allocs/op',
     'BenchmarkCall/goroutine', '`threadpool.Call` from a plain goroutine', None),
]
def cell(v, name, unit):
    xs = val.get((v, name, unit))
    if not xs:
        return None, ''
    m = statistics.median(xs)
    fmt = (lambda x: f'{x:.1f}') if m < 100 else (lambda x: f'{x:.0f}')
    return m, f'{fmt(m)} ({fmt(min(xs))}-{fmt(max(xs))})'
def allocs(v, name, unit):
    xs = val.get((v, name, unit)) if unit else None
    if not xs:
        return ''
    # Bytes per operation (the pool rows' B/op is per 10,000 tasks).
    bs = val.get((v, name, 'B/op'))
    per = 10000 if unit == 'allocs/task' else 1
    b = f', {statistics.median(bs) / per:.0f} B' if bs else ''
    return f'{statistics.median(xs):g}{b}'
def lo(v, name, unit):
    xs = val.get((v, name, unit))
    return min(xs) if xs else None
hdr = '| what (benchmark) | ours: median (min-max) | allocs, bytes | baseline in the same run | ours/baseline |'
sep = '|---|---|---|---|---|'
if gev:
    hdr += f' gevent {gev.get("version", "")} | gevent/ours |'; sep += '---|---|'
if base_rev:
    hdr += f' before ({base_rev}) | allocs, bytes before | ours/before: medians (mins) |'; sep += '---|---|---|'
print(hdr); print(sep)
for what, name, unit, au, bname, bwords, gkey in rows:
    m, c = cell('new', name, unit)
    if m is None:
        continue
    short = name.replace('Benchmark', '', 1)
    line = f'| {what} (`{short}`) | {c} {unit} | {allocs("new", name, au)} |'
    if bname:
        bm, bc = cell('new', bname, unit)
        line += f' {bwords}: {bc} | **{m / bm:.2f}x** |' if bm else ' | |'
    else:
        line += ' | |'
    if gev:
        g = gev.get(gkey) if gkey else None
        line += f' {g:.0f} | {g / m:.1f}x |' if g else ' | |'
    if base_rev:
        om, oc = cell('base', name, unit)
        line += f' {oc} | {allocs("base", name, au)} | {m / om:.2f} ({lo("new", name, unit) / lo("base", name, unit):.2f}) |' if om else ' | | |'
    print(line)
PY
  if [ "${CALLGRIND:-0}" = 1 ] && command -v valgrind >/dev/null; then
    echo
    echo "Instructions per operation under callgrind (deterministic: GOGC=off, GODEBUG=asyncpreemptoff=1, one CPU; (N2-N1)/(N2-N1 ops)):"
    echo
    echo "| benchmark | instructions/op |${BASE:+ before | ours/before |}"
    echo "|---|---|${BASE:+---|---|}"
    cg() { (cd green && GOGC=off GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null "$1" \
        -test.run XXX -test.bench "$2" -test.benchtime "${3}x" -test.cpu 1 2>&1 >/dev/null |
        awk '/refs/ {gsub(",", "", $4); print $4}'); }
    per() { # version bench: instructions per op, or "-" when it has no such benchmark
      local a c; a=$(cg "$work/green.$1" "$2" 100000); c=$(cg "$work/green.$1" "$2" 300000)
      local d=0
      if [ -n "$a" ] && [ -n "$c" ]; then d=$(( (c - a) / 200000 )); fi
      if [ "$d" -gt 0 ]; then echo "$d"; else echo -; fi
    }
    for b in 'Switch/green-yield$' 'SpawnJoin/green$' 'SpawnJoin/green-value$' 'SpawnJoin/green-typed$' 'QueueHandoff/queue-unbounded' 'QueueHandoff/queue-bounded' 'ChannelRendezvous/green'; do
      n=$(per new "$b")
      if [ -n "${BASE:-}" ]; then
        o=$(per base "$b")
        r=-
        if [ "$o" != - ] && [ "$n" != - ]; then r=$(python3 -c "print(f'{$n/$o:.2f}')"); fi
        echo "| \`${b%\$}\` | $n | $o | $r |"
      else
        echo "| \`${b%\$}\` | $n |"
      fi
    done
  fi
  echo "<!-- benchdata/core.sh: end -->"
} > "$block"
cat "$block"
if [ "${WRITE:-0}" = 1 ]; then
  python3 - README.md "$block" <<'PY'
import sys
readme, block = sys.argv[1], open(sys.argv[2]).read()
s = open(readme).read()
b, e = '<!-- benchdata/core.sh: begin -->', '<!-- benchdata/core.sh: end -->'
i, j = s.find(b), s.find(e)
if i < 0 or j < 0:
    sys.exit('README.md has no benchdata/core.sh block')
open(readme, 'w').write(s[:i] + block.rstrip('\n') + s[j + len(e):])
PY
  echo "README.md updated" >&2
fi
