#!/usr/bin/env python3
"""Side-by-side table of bench/capture.sh's mirror section: per-consumer delivered kpps (mean loss %) by N.

  bench/capture-table.py RESULTS.jsonl      (median over repetitions; [min-max] of kpps)
"""
import json, statistics, sys
from collections import defaultdict

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
g = defaultdict(list)
for r in rows:
    if not r["filter"] and not r["rate"] and not r["slow1"]:
        g[(r["tag"], r["size"], r["n"])].append(r)

def med(v):
    return statistics.median(v) if v else None

ns = [1, 2, 4, 8]
names = {"tc-inline": "kernel tc mirred (inline)", "cmirror": "native C mirror (cb-mirror)",
         "engine": "SensorFleet engine (`./sensorfleet capture`)"}
print("| method | frame | " + " | ".join(f"N={n}" for n in ns) + " |")
print("|---|---|" + "---|" * len(ns))
for size in (64, 1514):
    for tag in ("tc-inline", "cmirror", "engine"):
        cells = []
        for n in ns:
            rs = g.get((tag, size, n), [])
            if not rs:
                cells.append("-")
                continue
            k = [r["cons_pps_median"] / 1000 for r in rs]
            loss = med([r["cons_loss_pct_mean"] for r in rs])
            cells.append(f"{med(k):.0f} [{min(k):.0f}–{max(k):.0f}] ({loss:.1f} %)")
        print(f"| {names[tag]} | {size} B | " + " | ".join(cells) + " |")
print()
print("| ratio of medians | frame | " + " | ".join(f"N={n}" for n in ns) + " |")
print("|---|---|" + "---|" * len(ns))
for size in (64, 1514):
    for other, label in (("cmirror", "engine / C mirror"), ("tc-inline", "engine / tc mirred")):
        cells = []
        for n in ns:
            e = [r["cons_pps_median"] for r in g.get(("engine", size, n), [])]
            o = [r["cons_pps_median"] for r in g.get((other, size, n), [])]
            cells.append(f"{med(e) / med(o):.2f}" if e and o else "-")
        print(f"| {label} | {size} B | " + " | ".join(cells) + " |")

# the other sections: filter, fixed rate, slow consumer (medians over repetitions)
extra = defaultdict(list)
for r in rows:
    if r["filter"] or r["rate"] or r["slow1"]:
        extra[(r["tag"], r["n"], r["size"])].append(r)
if extra:
    print()
    print("| run | N | offered kpps | per-consumer kpps | loss % (mean; max) | slow port cb-m1 |")
    print("|---|---|---|---|---|---|")
    for (tag, n, size), rs in sorted(extra.items(), key=lambda kv: (kv[0][0].split("-", 1)[-1], kv[0][1], kv[0][0])):
        off = med([r["offered_pps"] / 1000 for r in rs])
        if rs[0]["slow1"]:
            fast = med([statistics.median(c["pps"] for c in r["consumers"][1:]) / 1000 for r in rs])
            loss = med([sum(c["loss_pct"] for c in r["consumers"][1:]) / (len(r["consumers"]) - 1) for r in rs])
            lmax = med([max(c["loss_pct"] for c in r["consumers"][1:]) for r in rs])
            slow = f"{med([r['consumers'][0]['pps'] / 1000 for r in rs]):.1f} kpps, loss {med([r['consumers'][0]['loss_pct'] for r in rs]):.1f} %"
            print(f"| {tag} ({size} B, others) | {n} | {off:.0f} | {fast:.0f} | {loss:.2f}; {lmax:.2f} | {slow} |")
        else:
            cons = med([r["cons_pps_median"] / 1000 for r in rs])
            loss = med([r["cons_loss_pct_mean"] for r in rs])
            lmax = med([r["cons_loss_pct_max"] for r in rs])
            print(f"| {tag} ({size} B) | {n} | {off:.0f} | {cons:.0f} | {loss:.2f}; {lmax:.2f} | - |")
