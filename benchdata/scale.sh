#!/usr/bin/env bash
# Scale benchmarks for the README's "Scale" section (issue 13): the greenlet
# echo server (cmd/demo echo) beside the Go net server and, where they are
# built, gnet, nbio and the C epoll servers of ../shared/bench, one run,
# every server pinned to CPU 0 and driven from CPU 1, rounds interleaved
# with rotating order (the conventions of ../shared/bench/scale/lib.sh,
# which this sources: RT=1 real-time priority and a pause after each window).
#
# Run ../shared/bench/setup.sh and ../shared/bench/scale/build.sh first (the
# peers and the C load tools); missing peers are left out. Phases:
#   echo   lockstep echo, 10 conns, SIZES (1 KiB 10 KiB 100 KiB)
#   scale  1 KiB lockstep echo at CONNS_LIST (1000 10000): req/s, server CPU
#          per request, server RSS with all of them active, connect phase
#   mem    RSS per idle connection at N (10000), never used / after one echo
#   par    one hub per core: servers NOT pinned (both CPUs), ours with 1
#          and 2 hubs beside Go net at GOMAXPROCS=2 (the client shares the
#          cores: a throughput comparison), PAR_CONNS (1000) connections
#   all    echo, scale and mem (default)
#
#   benchdata/scale.sh [PHASE] [ROUNDS] > results.txt
#   benchdata/scale.sh table results.txt...  # the README's markdown table (phases' outputs in any order)
#
# env: BENCH (../shared/bench), SERVERS (ours gonet gnet nbio cepoll),
# BASE_DEMO (a green-demo binary built from another revision: adds a
# "base" row), HUBS (ours' -hubs, default 1), GOMAXPROCS_OURS (1),
# EXTRA ("name=command;name=command": more rows; GREEN_DEMO in a command is
# this checkout's demo binary).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
if [ "${1:-}" = table ]; then
  shift
  exec python3 "$here/scale_table.py" "$@"
fi
phase=${1:-all}; rounds=${2:-3}
BENCH=${BENCH:-$root/../shared/bench}
[ -f "$BENCH/scale/lib.sh" ] || BENCH=/work/shared/bench
. "$BENCH/scale/lib.sh"
work=$(mktemp -d)
trap 'for p in ${pids:-}; do kill $p 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"' EXIT
(cd "$root" && go build -o "$work/green-demo" ./cmd/demo) || exit 1
ECHO[ours]="env GOMAXPROCS=${GOMAXPROCS_OURS:-1} $work/green-demo echo ${HUBS:+-hubs $HUBS} -addr ADDR"
[ -n "${BASE_DEMO:-}" ] && ECHO[base]="env GOMAXPROCS=1 $BASE_DEMO echo -addr ADDR"
extra=()
IFS=';' read -ra _ex <<<"${EXTRA:-}"
for e in "${_ex[@]}"; do
  [ -n "$e" ] || continue
  ECHO[${e%%=*}]=${e#*=}; ECHO[${e%%=*}]=${ECHO[${e%%=*}]//GREEN_DEMO/$work/green-demo}; extra+=("${e%%=*}")
done
want=(${SERVERS:-ours ${BASE_DEMO:+base} gonet gnet nbio cepoll} "${extra[@]}")
servers=()
for s in "${want[@]}"; do
  exe=$(echo "${ECHO[$s]:-}" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) { print $i; exit } }')
  if [ -n "$exe" ] && [ -x "$exe" ]; then servers+=("$s"); else echo "# skipped $s (not built)" >&2; fi
done
[ -x "$BIN/echoload" ] || { echo "build the load tools: $BENCH/scale/build.sh" >&2; exit 1; }
stamp
echo "# machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
echo "# revision: $(cd "$root" && git rev-parse --short HEAD 2>/dev/null)"
echo "# servers: ${servers[*]}"
ulimit -n 200000 2>/dev/null || ulimit -n "$(ulimit -Hn)"

declare -A pid port
pids=""
start_all() {
  local p=$1 s
  pids=""
  for s in "${servers[@]}"; do
    p=$((p + 1)); port[$s]=$p
    pid[$s]=$(start_server "${ECHO[$s]}" $p "$work/$s.log")
    pids="$pids ${pid[$s]}"
  done
  for s in "${servers[@]}"; do
    $ON1 "$BIN/echoload" -p ${port[$s]} -s 1024 -c 10 -d 0.5 -w 0.2 -l warm >/dev/null
  done
}
stop_all() { for p in $pids; do kill $p 2>/dev/null; done; wait 2>/dev/null; pids=""; }

phase_echo() {
  start_all 27400
  echo "# phase=echo rounds=$rounds sizes=${SIZES:-1024 10240 102400} conns=10"
  for ((r = 1; r <= rounds; r++)); do
    for sz in ${SIZES:-1024 10240 102400}; do
      for s in $(rotate $r "${servers[@]}"); do
        echo "round=$r $(DUR=${DUR:-1.5} measure_clean $ON1 "$BIN/echoload" -p ${port[$s]} -s $sz -c 10 -d ${DUR:-1.5} -w 0.3 -l $s -P ${pid[$s]})"
      done
    done
  done
  stop_all
}

phase_scale() {
  start_all 27500
  echo "# phase=scale rounds=$rounds conns=${CONNS_LIST:-1000 10000} size=1024"
  for ((r = 1; r <= rounds; r++)); do
    for c in ${CONNS_LIST:-1000 10000}; do
      for s in $(rotate $r "${servers[@]}"); do
        echo "round=$r $(DUR=${DUR:-3} measure_clean $ON1 "$BIN/echoload" -p ${port[$s]} -s 1024 -c $c -d ${DUR:-3} -w 1 -l $s -P ${pid[$s]})"
        sleep 1 # let the server reap the closed connections
      done
    done
  done
  stop_all
}

phase_mem() {
  local n=${N:-10000} p=27600 s sz r0 r1 hp i
  echo "# phase=mem rounds=$rounds conns=$n"
  for ((r = 1; r <= rounds; r++)); do
    for s in $(rotate $r "${servers[@]}"); do
      for sz in 0 1024; do
        p=$((p + 1))
        local sp; sp=$(start_server "${ECHO[$s]}" $p /dev/null); pids=$sp
        sleep 0.5
        r0=$(rss_kb $sp)
        $ON1 "$BIN/connhold" -p $p -c $n -s $sz -t 30 >"$work/connhold" & hp=$!
        for i in $(seq 300); do grep -q ready "$work/connhold" 2>/dev/null && break; sleep 0.1; done
        sleep 2
        r1=$(rss_kb $sp)
        kill $hp; wait $hp 2>/dev/null
        kill $sp; wait $sp 2>/dev/null; pids=""
        awk -v r=$r -v s=$s -v n=$n -v sz=$sz -v a=$r0 -v b=$r1 'BEGIN {
          printf "mem round=%d %s conns=%d echoed=%d rss_before_kb=%d rss_idle_kb=%d bytes_per_conn=%.0f\n", r, s, n, sz, a, b, (b - a) * 1024 / n }'
      done
    done
  done
}

phase_par() {
  local p=27800 s c=${PAR_CONNS:-1000} sp
  declare -A PAR=(
    [ours_1hub]="env GOMAXPROCS=2 $work/green-demo echo -hubs 1 -addr ADDR"
    [ours_2hubs]="env GOMAXPROCS=2 $work/green-demo echo -hubs 2 -addr ADDR"
    [gonet_2]="env GOMAXPROCS=2 $H/bin/goecho -addr ADDR"
  )
  local names=(ours_1hub ours_2hubs gonet_2)
  declare -A pp ppid
  for s in "${names[@]}"; do
    p=$((p + 1)); pp[$s]=$p
    local cmd=${PAR[$s]//ADDR/127.0.0.1:$p}
    $PRIO bash -c "exec $cmd" >/dev/null 2>&1 &
    ppid[$s]=$!; pids="$pids $!"
    for i in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null && break; sleep 0.1; done
  done
  echo "# phase=par rounds=$rounds conns=$c size=1024 (servers and client unpinned)"
  for ((r = 1; r <= rounds; r++)); do
    for s in $(rotate $r "${names[@]}"); do
      echo "par round=$r $(DUR=${DUR:-3} measure_clean $PRIO "$BIN/echoload" -p ${pp[$s]} -s 1024 -c $c -d ${DUR:-3} -w 1 -l $s -P ${ppid[$s]})"
      sleep 1
    done
  done
  stop_all
}

case $phase in
par) phase_par ;;
echo) phase_echo ;;
scale) phase_scale ;;
mem) phase_mem ;;
all) phase_echo; phase_scale; phase_mem ;;
*) echo "unknown phase $phase" >&2; exit 2 ;;
esac
stamp
