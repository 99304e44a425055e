#!/usr/bin/env bash
# greenhttp against net/http, fasthttp and gevent's pywsgi: HTTP hello
# world (and a 10 KiB answer, and keep-alive off) with wrk -t1 -c300, in
# the shape of ../../../../shared/bench/http-compare.sh and scale/http-run.sh:
# each server pinned to CPU 0 (the Go ones with GOMAXPROCS=1), wrk pinned
# to CPU 1, one server at a time, the order rotating from round to round,
# each window warmed for 1 s; the server's CPU time over the window (its
# threads' schedstat) gives CPU per request. With RT=1 (the default, as in
# the harness) servers and wrk run SCHED_FIFO and each window is followed
# by a pause as long as itself, so that other jobs on the shared cores
# cannot swing a window threefold.
#
# usage: http-compare.sh [ROUNDS] > results.txt   (then: summarize below)
# env:   SERVERS ("ours nethttp fasthttp gevent"), CASES ("hello 10k close"),
#        CONNS (300), DUR (5s), RT (1)
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
rounds=${1:-3}; conns=${CONNS:-300}; dur=${DUR:-5s}
servers=(${SERVERS:-ours nethttp fasthttp gevent})
cases=(${CASES:-hello 10k close})
RT=${RT:-1}
if [ "$RT" = 1 ]; then PRIO="chrt -f 1"; else PRIO=""; fi
command -v wrk >/dev/null || { echo "wrk missing (apt-get install wrk, or ../shared/bench/setup.sh)" >&2; exit 1; }

bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
(cd "$repo" && go build -o "$bin/green-demo" ./cmd/demo) || exit 1
(cd "$here/peers" && GOFLAGS=-mod=mod go build -o "$bin/" ./...) || exit 1
declare -A CMD=(
  [ours]="env GOMAXPROCS=1 $bin/green-demo http -read-header-timeout 0 -idle-timeout 0 -addr ADDR"
  [nethttp]="env GOMAXPROCS=1 $bin/nethttp -addr ADDR"
  [fasthttp]="env GOMAXPROCS=1 $bin/fasthttp -addr ADDR"
  [gevent]="/usr/bin/python3 $here/peers/gevent_http.py ADDR"
)
declare -A PATHOF=([hello]=/ [10k]=/10k [close]=/)

cpu_ns() { cat /proc/$1/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'; }
# opens: TCP connections accepted so far, machine-wide (PassiveOpens).
opens() { awk '/^Tcp:/ && $2 ~ /[0-9]/ { print $7 }' /proc/net/snmp; }
rotate() { local k=$1; shift; local a=("$@") n=$# i; for ((i = 0; i < n; i++)); do printf '%s ' "${a[(i + k) % n]}"; done; }

echo "# http-compare: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), load $(cut -d' ' -f1-3 /proc/loadavg), $(uname -r), $(go version | cut -d' ' -f3), wrk -t1 -c$conns -d$dur, RT=$RT"
port=27800
for ((r = 1; r <= rounds; r++)); do
  for c in "${cases[@]}"; do
    for s in $(rotate $r "${servers[@]}"); do
      port=$((port + 1))
      cmd=${CMD[$s]//ADDR/127.0.0.1:$port}
      taskset -c 0 $PRIO bash -c "exec $cmd" >/dev/null 2>&1 &
      pid=$!
      for i in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
      url=http://127.0.0.1:$port${PATHOF[$c]}
      hdr=(); [ "$c" = close ] && hdr=(-H "Connection: close") # wrk drops "Connection:close"
      taskset -c 1 $PRIO wrk -t1 -c$conns -d1s "${hdr[@]}" "$url" >/dev/null 2>&1
      c0=$(cpu_ns $pid); o0=$(opens)
      out=$(taskset -c 1 $PRIO wrk -t1 -c$conns -d$dur --latency "${hdr[@]}" "$url" 2>&1)
      c1=$(cpu_ns $pid); o1=$(opens)
      kill $pid; wait $pid 2>/dev/null
      echo "$out" | awk -v r=$r -v c=$c -v s=$s -v cpu=$((c1 - c0)) -v opens=$((o1 - o0)) '
        /Requests\/sec/ { rps = $2 } $1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 }
        / requests in / { n = $1 } /Socket errors|Non-2xx/ { err = err " " $0 }
        END { printf "round=%d case=%s server=%s req/s=%.0f p50=%s p99=%s srv_us_per_req=%.2f conns_per_req=%.2f%s\n", r, c, s, rps, p50, p99, n ? cpu / 1e3 / n : 0, n ? opens / n : 0, err }'
      [ "$RT" = 1 ] && sleep "${dur%s}"
    done
  done
done
