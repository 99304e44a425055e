#!/usr/bin/env bash
# Interleaved echo comparison that also reports the server's CPU time per
# request, which is far less sensitive than req/s to other load on a shared
# machine. Like ../../../shared/bench/echo-compare.sh (same client, same
# pinning: server on CPU 0, client on CPU 1, 10 connections), but the
# servers take turns, ROUNDS times per size, DUR seconds each.
# usage: echo-cpu.sh NAME=CMD ...   (ADDR in CMD is replaced by the address)
set -u
bench=${BENCH:-/work/shared/bench}
dur=${DUR:-2}
rounds=${ROUNDS:-5}
sizes=${SIZES:-"1024 10240 102400"}
port=26100
for s in $sizes; do
  for r in $(seq "$rounds"); do
    for spec in "$@"; do
      name=${spec%%=*}; cmd=${spec#*=}
      port=$((port+1)); addr=127.0.0.1:$port
      taskset -c 0 bash -c "exec ${cmd//ADDR/$addr}" >/dev/null 2>&1 &
      pid=$!
      for i in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
      t0=$(awk '{print $14+$15}' /proc/$pid/stat)
      out=$(taskset -c 1 "$bench/bin/cechoload" -p $port -s "$s" -c 10 -d "$dur" -w 0 -l "$name")
      t1=$(awk '{print $14+$15}' /proc/$pid/stat)
      rps=$(echo "$out" | sed -n 's/.*req\/s=\([0-9]*\).*/\1/p')
      echo "$name size=$s round=$r req/s=$rps cpu_us_per_req=$(awk -v a="$t0" -v b="$t1" -v n="$rps" -v d="$dur" 'BEGIN{ if (n > 0) printf "%.2f", (b-a)*1e6/100/(n*d); else print "NaN" }')"
      kill $pid; wait $pid 2>/dev/null
    done
  done
done
