#!/bin/bash
# bench-scaling's pieces that need no guest: its refusals, the plots drawn
# from a hand-made scaling.json (every file there, the SVG renders, a point
# without a measurement left out), bench-point's refusals, and the start
# spread the judge reads from a real console (hand-derived). The sweep
# itself boots guests: `make bench-scaling` (RESULTS.md has its run).
. "$(dirname "$0")/lib.sh"
BS=$TOP/scripts/proof/bench-scaling
# the bounds come from the test kernels' sources: MAX_PROBES, NR_CPUS less
# node 0's CPUs, the devices that fit on node 1
maxp=$(sed -n 's/^#define MAX_PROBES[[:space:]]*//p' "$TOP/kunit/pci-probe-numa-kunit.c")
nrc=$(sed -n 's/^CONFIG_NR_CPUS=//p' "$TOP/kunit-config/x86_64-small.config")
while IFS='|' read -r a phrase; do
	run_cmd env "$a" "$BS"
	[ "$(last_rc)" = 2 ] && [ "$(last_err | wc -l)" = 1 ] && last_err | grep_q "$phrase"; ok $? \
		"bench-scaling with $a: exit 2, one line: $phrase" "$(last_err)"
done <<EOF2
PCIPROBE_SCALING_M=2 $((maxp + 1))|2 to $maxp probes
PCIPROBE_SCALING_M=$((maxp - 1))|pci-testdev devices fit
PCIPROBE_SCALING_C=$((nrc - 1))|node 1 can have 2 to $((nrc - 2)) CPUs
PCIPROBE_SCALING_M=x|whole numbers
EOF2
pub=$(branch_rows | awk '$4 == "-" {print $1; exit}')
run_cmd "$BS" "$pub"
[ "$(last_rc)" = 2 ] && last_err | grep_q 'public-copy'; ok $? "bench-scaling $pub (no source): exit 2" "$(last_err)"
run_cmd "$TOP/scripts/proof/bench-point" "$TMP/nokernels" 8 50 3 "$TMP/p"
[ "$(last_rc)" = 2 ]; ok $? "bench-point without kernels: exit 2" "$(last_err)"

# the plots of a hand-made sweep: two C of one branch, one failed point
cat >"$TMP/s.json" <<'JSON'
{"measured": "2026-12-07T06:00Z", "machine": {"host": "h", "cores": 2, "cpu": "c", "qemu": "TCG, one host thread a vCPU"},
 "budget_ms": 50, "boots_per_side": 3, "seconds": 1, "points": [
 {"branch": "9.9", "node_cpus": 2, "probes": 2, "window_ms": {"before": 100, "after": 55}, "ratio": 1.82, "ideal": 2, "efficiency": 0.91},
 {"branch": "9.9", "node_cpus": 2, "probes": 8, "window_ms": {"before": 400, "after": 210}, "ratio": 1.9, "ideal": 2, "efficiency": 0.95},
 {"branch": "9.9", "node_cpus": 4, "probes": 8, "window_ms": {"before": 400, "after": 110}, "ratio": 3.64, "ideal": 4, "efficiency": 0.91},
 {"branch": "9.8", "node_cpus": 2, "probes": 8, "error": "boot 1: infra-error"}]}
JSON
if command -v gnuplot >/dev/null; then
	run_cmd "$TOP/scripts/proof/plot-scaling" "$TMP/s.json" "$TMP/plots"
	[ "$(last_rc)" = 0 ] && [ -s "$TMP/plots/scaling-window-9.9.png" ] && [ -s "$TMP/plots/scaling-efficiency.svg" ] &&
		[ ! -e "$TMP/plots/scaling-window-9.8.svg" ]; ok $? \
		"plot-scaling: window and efficiency plots, PNG and SVG; none for a branch without a measured point" "$(ls "$TMP/plots" 2>&1; last_err)"
	( grep_q "9.9: probe window before and after the fix" "$TMP/plots/scaling-window-9.9.svg" &&
		grep_q 'after, C=4' "$TMP/plots/scaling-window-9.9.svg" && grep_q 'target 0.9' "$TMP/plots/scaling-efficiency.svg" &&
		rsvg-convert "$TMP/plots/scaling-efficiency.svg" -o "$TMP/e.png" && [ -s "$TMP/e.png" ] ); ok $? \
		"the SVGs hold the titles and keys, and render (rsvg-convert)"
else
	skip "plot-scaling" "no gnuplot (scripts/install-deps)"
fi
run_cmd "$TOP/scripts/proof/plot-scaling" "$TOP/branches.conf" "$TMP/x"
[ "$(last_rc)" = 2 ]; ok $? "plot-scaling of something else than a sweep: exit 2" "$(last_err)"

# the start spread of a real console, by hand: the async case's node-1
# probes start at +0 ns (first) ... +59492668 ns (last): 59.5 ms
s=$("$TOP/scripts/judge/judge" side --checks kunit --source x "$(cp -a "$TOP/tests/judge-data/6.12-after" "$TMP/a" && echo "$TMP/a")" 2>/dev/null | jq -r .kunit.start_spread_ms)
[ "$s" = 59.5 ]; ok $? "judge side: the start spread of 6.12-after's async probes is 59.5 ms" "$s"
done_testing
