#!/usr/bin/env python3
"""Medians of an http-compare.sh results file: req/s and server CPU per
request for every case and server, and ours' ratios to the others
(computed round by round, then the median of the ratios).

usage: summarize.py results.txt"""
import re
import statistics
import sys
from collections import defaultdict

rows = defaultdict(list)  # (case, server) -> [(round, rps, us)]
for line in open(sys.argv[1]):
    m = re.match(r"round=(\d+) case=(\S+) server=(\S+) req/s=(\d+) .*srv_us_per_req=([\d.]+)", line)
    if m:
        r, case, srv, rps, us = int(m[1]), m[2], m[3], int(m[4]), float(m[5])
        rows[(case, srv)].append((r, rps, us))

cases = sorted({c for c, _ in rows}, key=["hello", "10k", "close"].index)
servers = sorted({s for _, s in rows}, key=lambda s: ["ours", "nethttp", "fasthttp", "gevent"].index(s) if s in ["ours", "nethttp", "fasthttp", "gevent"] else 9)
print("| server | " + " | ".join(f"{c} req/s | {c} CPU µs/req" for c in cases) + " |")
print("|---" * (1 + 2 * len(cases)) + "|")
for s in servers:
    cells = []
    for c in cases:
        v = rows.get((c, s), [])
        cells.append(f"{statistics.median(x[1] for x in v):,.0f}" if v else "-")
        cells.append(f"{statistics.median(x[2] for x in v):.1f}" if v else "-")
    print(f"| {s} | " + " | ".join(cells) + " |")
for other in servers:
    if other == "ours":
        continue
    cells = []
    for c in cases:
        a = {r: (rps, us) for r, rps, us in rows.get((c, "ours"), [])}
        b = {r: (rps, us) for r, rps, us in rows.get((c, other), [])}
        common = sorted(set(a) & set(b))
        if not common:
            cells += ["-", "-"]
            continue
        cells.append(f"{statistics.median(a[r][0] / b[r][0] for r in common):.2f}x")
        cells.append(f"{statistics.median(a[r][1] / b[r][1] for r in common):.2f}x")
    print(f"| ours / {other} | " + " | ".join(cells) + " |")
