# oracle.jq: the values a hand-derived tests/samples/<case>.oracle states in
# its "Output derived from the above" block, named as pciprobe-report's JSON
# names them: probes (device, driver, cpu, comm, duration_ns, probe_type
# where the oracle says async or sync), nodes (node, verdict, and
# window_ns/sum_ns where the oracle states them), the verdict, the exit.
# Input: the .oracle's text (jq -Rs).
(split("\n") | . as $a
 | ([range(length) | select($a[.] | startswith("Output derived"))] | first) as $i
 | if $i == null then [] else $a[$i + 1:] | map(select(startswith("  ")) | ltrimstr("  ")) end) as $l
| {probes: [$l[] | capture("^(?<driver>[^ ]+) (?<device>[^ ]+): CPU: (?<cpu>[0-9]+), COMM: (?<comm>[^,]+), probe cost: (?<cost>[0-9]+) ns(, (?<type>async|sync))?$")
		| {device, driver, cpu: (.cpu | tonumber), comm, duration_ns: (.cost | tonumber)} + (if .type then {probe_type: .type} else {} end)],
   nodes: [$l[] | select(test("^node [0-9]+ \\(CPUs")) as $n
		| ($n | capture("^node (?<node>[0-9]+) \\(CPUs [^)]*\\): (?<verdict>[a-z-]+):")) as $h
		| {node: ($h.node | tonumber), verdict: $h.verdict}
		+ ([$n | capture(" window (?<w>[0-9]+) ns, sum (?<s>[0-9]+) ns") | {window_ns: (.w | tonumber), sum_ns: (.s | tonumber)}] | first // {})],
   verdict: ([$l[] | capture("^verdict: (?<v>.*)$").v] | first),
   exit: ([$l[] | capture("^exit: (?<e>[0-9]+)$").e | tonumber] | first)}
