#!/usr/bin/env python3
"""Turns benchdata/scale.sh output into the README's "Scale" table:
medians over rounds per server (and, in brackets, the median of the
per-round ratio ours/X where a ratio means something), for the connect
phase of 10,000 connections, server RSS with 10,000 active connections,
idle memory per connection, req/s and server CPU per request at 1,000 and
10,000 connections, and the lockstep echo at 10 connections.
usage: scale_table.py results.txt [more results...]"""
import re, statistics as st, sys
from collections import defaultdict

rows = defaultdict(lambda: defaultdict(dict))   # (kind, key) -> server -> round -> fields
stamps, servers = [], []
for path in sys.argv[1:] or ["/dev/stdin"]:
    for line in open(path):
        if line.startswith("# 20") and not stamps:
            stamps.append(line[2:].strip())
        if line.startswith("# machine:") and len(stamps) < 2:
            stamps.append(line[2:].strip())
        mem = line.startswith("mem ")
        par = line.startswith("par ")
        if mem or par:
            line = line[4:]
        if not line.startswith("round="):
            continue
        f = line.split()
        r = int(f[0].split("=")[1]); name = f[1]
        kv = {k: float(v) for k, v in (x.split("=", 1) for x in f[2:] if "=" in x) if re.match(r"^-?[0-9.]+$", v)}
        if par:
            rows[("par", int(kv["conns"]))][name][r] = kv
            continue
        if name not in servers:
            servers.append(name)
        if mem:
            rows[("mem", int(kv["echoed"]))][name][r] = kv
        else:
            rows[("echo", int(kv["size"]), int(kv["conns"]))][name][r] = kv

def med(key, name, field):
    xs = [v[field] for v in rows[key][name].values() if field in v]
    return st.median(xs) if xs else None

def ratio(key, name, field, inverse=False):
    """median over rounds of ours/name (or name/ours)."""
    if name == "ours":
        return None
    o, x = rows[key].get("ours", {}), rows[key].get(name, {})
    rs = [(x[r][field] / o[r][field] if inverse else o[r][field] / x[r][field]) for r in o if r in x and field in o[r] and field in x[r] and o[r][field] and x[r][field]]
    return st.median(rs) if rs else None

def cell(v, fmt, rat=None):
    if v is None:
        return "-"
    s = fmt.format(v)
    return s + (f" ({rat:.2f}x)" if rat is not None else "")

order = [s for s in ["ours", "base", "gonet", "gnet", "nbio", "cepoll", "cepoll2"] if s in servers] + [s for s in servers if s not in ("ours", "base", "gonet", "gnet", "nbio", "cepoll", "cepoll2")]
print("\n".join("_" + s + "_  " for s in stamps))
print()
print("| | " + " | ".join(order) + " |")
print("|---" * (len(order) + 1) + "|")
def line(label, key, field, fmt, scale=1.0, lower_better=True):
    if key not in rows:
        return
    cells = []
    for s in order:
        v = med(key, s, field)
        rat = ratio(key, s, field, inverse=lower_better)
        # ratio printed as X/ours for costs (>1: ours cheaper), ours/X for rates
        cells.append(cell(None if v is None else v * scale, fmt, rat))
    print(f"| {label} | " + " | ".join(cells) + " |")
line("connect phase, 10,000 conns (s)", ("echo", 1024, 10000), "connect_s", "{:.2f}")
line("server RSS, 10,000 active 1 KiB conns (MiB)", ("echo", 1024, 10000), "srv_rss_kb", "{:.0f}", 1 / 1024)
line("idle RSS per conn at 10,000, never used (KiB)", ("mem", 0), "bytes_per_conn", "{:.1f}", 1 / 1024)
line("idle RSS per conn at 10,000, after one 1 KiB echo (KiB)", ("mem", 1024), "bytes_per_conn", "{:.1f}", 1 / 1024)
for c in (1000, 10000):
    line(f"req/s, {c:,} conns, 1 KiB", ("echo", 1024, c), "req/s", "{:.0f}", lower_better=False)
    line(f"server CPU µs/req, {c:,} conns, 1 KiB", ("echo", 1024, c), "srv_us_per_req", "{:.2f}")
for sz in (1024, 10240, 102400):
    line(f"req/s, 10 conns, {sz // 1024} KiB", ("echo", sz, 10), "req/s", "{:.0f}", lower_better=False)
    line(f"server CPU µs/req, 10 conns, {sz // 1024} KiB", ("echo", sz, 10), "srv_us_per_req", "{:.2f}")
print()
print("Medians over rounds; in brackets the median over rounds of the per-round ratio: ours/X for req/s, X/ours for costs (time, memory, CPU), so above 1.00x means ours is better.")

pk = [k for k in rows if k[0] == "par"]
for key in pk:
    names = list(rows[key])
    print()
    print(f"One hub per core (servers unpinned, allowed both CPUs, which the client shares; {key[1]:,} conns, 1 KiB):")
    print()
    print("| | " + " | ".join(names) + " |")
    print("|---" * (len(names) + 1) + "|")
    for label, field, fmt in (("req/s", "req/s", "{:.0f}"), ("server CPU µs/req", "srv_us_per_req", "{:.2f}")):
        print(f"| {label} | " + " | ".join(cell(med(key, n, field), fmt) for n in names) + " |")
    if "ours_2hubs" in names:
        def rr(a, b, field="req/s"):
            o, x = rows[key][a], rows[key][b]
            rs = [o[r][field] / x[r][field] for r in o if r in x]
            return st.median(rs) if rs else float("nan")
        extra = []
        if "gonet_2" in names:
            extra.append(f"ours_2hubs/gonet_2 req/s {rr('ours_2hubs', 'gonet_2'):.2f}x")
        if "ours_1hub" in names:
            extra.append(f"ours_2hubs/ours_1hub {rr('ours_2hubs', 'ours_1hub'):.2f}x")
        print()
        print("Per-round ratios (median): " + ", ".join(extra) + ".")
