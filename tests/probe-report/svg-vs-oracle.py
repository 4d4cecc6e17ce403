#!/usr/bin/python3
# svg-vs-oracle.py ORACLE SVG: the bars of pciprobe-report --svg against the
# probes a person read off the raw trace (tests/samples/*.oracle: "Probe N:
# DEV", "start S s on CPU C", "cost = ... = N ns"). Checks: the SVG parses,
# one bar per probe of the oracle, each bar's device, CPU, start (from the
# first probe's start, in ns) and duration equal to the oracle's, a row for
# every CPU a probe ran on, the oracle's verdict in the title. Prints what
# differs; exit 0 when nothing does.
import re
import sys
import xml.etree.ElementTree as ET
from decimal import Decimal

NS = "{http://www.w3.org/2000/svg}"
oracle = open(sys.argv[1]).read()
want = []
for m in re.finditer(r"^Probe \d+: (\S+)\n(?:.*\n)*?  start ([0-9.]+) s on CPU (\d+) .*\n(?:.*\n)*?  cost = .* = (\d+) ns$",
                     oracle, re.M):
    want.append((m.group(1), int(m.group(3)), Decimal(m.group(2)), int(m.group(4))))
if not want:
    sys.exit("no probes read from the oracle " + sys.argv[1])
t0 = min(w[2] for w in want)
want = sorted((d, c, int((s - t0) * 1000000000), n) for d, c, s, n in want)
verdict = re.findall(r"^verdict: (\S+)", oracle, re.M)

root = ET.parse(sys.argv[2]).getroot()
got = sorted((g.get("data-device"), int(g.get("data-cpu")), int(g.get("data-start-ns")), int(g.get("data-duration-ns")))
             for g in root.iter(NS + "g") if g.get("class") == "probe")
rows = {int(g.get("data-cpu")) for g in root.iter(NS + "g") if g.get("class") == "cpu"}
title = root.find(NS + "title").text
bad = []
if got != want:
    bad.append("bars %s\n   oracle %s" % (got, want))
if not {c for _, c, _, _ in want} <= rows:
    bad.append("rows %s lack a CPU of %s" % (sorted(rows), sorted({c for _, c, _, _ in want})))
if verdict and not title.endswith(": " + verdict[-1]):
    bad.append("title %r, oracle verdict %s" % (title, verdict[-1]))
print("\n".join(bad) if bad else "%d bars as the oracle, rows %s, title %r" % (len(got), sorted(rows), title))
sys.exit(1 if bad else 0)
