# The one judge: every rule that turns a run's logs into a verdict, as pure
# jq functions of their inputs (text and JSON; no file is read here, the
# CLI scripts/judge/judge reads them). Tested on saved real logs
# (tests/judge-data) and hand-made inputs (tests/t-judge.sh, t-verdict.sh).
#
#   guest_status   how a guest run ended: ok, or infra-error and why
#   ktap           the KUnit suite pci_probe_numa out of a console
#   side           one boot: usable or not, shows the bug or not
#   verdict        before + after: fixed, not-fixed, infra-error
#   system         make system's verdict: the pair's, plus what the boots
#                  of a real Debian system must show
#   bench_point    a before/after probe-window pair: ratio, ideal, efficiency
#   bench_gate     a point's efficiency good enough, or low
#   revert         the fix reverted must give not-fixed
# The per-node rule (serialized / fixed / cannot tell on a node's probes)
# is the C tool's (tools/pciprobe-report, judge_node), where the canary
# needs it; these rules read its JSON.

# lines: text split into lines, a trailing CR and a kernel timestamp
# ("[    1.234567] ") taken off each
def lines: split("\n") | map(sub("\r$"; "") | sub("^\\[ *[0-9.]*\\] "; ""));

# guest_status(rc; timeout; console; trace): rc is qemu.rc's text (the exit
# status of `timeout qemu-system-x86_64`; null when there is none), timeout
# the host timeout in s (null: unknown), console and trace the text of
# console.log (ttyS0) and trace.txt (ttyS1; null when missing).
# "ok" or "infra-error: REASON".
def guest_status($rc; $timeout; $console; $trace):
	($rc // "missing" | tostring | gsub("\\s"; "")) as $rc
	| (($console // "") | split("\n") | map(select(test("Kernel panic")))) as $panic
	| (($trace // "") | split("\n") | map(sub("\r$"; ""))) as $t
	| if $rc == "124" or $rc == "137" then
		"infra-error: the guest did not power off within \($timeout // "the" | tostring | gsub("\\s"; "")) s (hang)"
	  elif $rc == "missing" then "infra-error: no qemu.rc: the guest was not run"
	  elif ($panic | length) > 0 then
		"infra-error: the guest panicked: \($panic[0] | sub("\r"; ""; "g") | capture("(?<m>Kernel panic.*)").m)"
	  elif $rc != "0" then "infra-error: qemu exited with \($rc)"
	  elif ($t | map(select(startswith("pciprobe-error:"))) | length) > 0 then
		"infra-error: in the guest: \($t | map(select(startswith("pciprobe-error:"))) | .[0] | sub("^pciprobe-error: "; ""))"
	  elif ($t | map(select(startswith("pciprobe-done"))) | length) == 0 then
		"infra-error: the guest wrote no results (no pciprobe-done on ttyS1)"
	  else "ok"
	  end;

# ktap(console): the cases of the KUnit suite pci_probe_numa in a console's
# KTAP, or null when no suite result is there (KUnit did not run it).
#   {pass, fail, skip, cases: {name: pass|fail|skip}, skip_reasons: {name: why}}
# KTAP before 6.x writes "ok 1 - name", later "ok 1 name"; the subtest
# header is indented in newer kernels. A case whose log says "SKIP" (KUnit
# before 5.13 cannot skip) is skipped. A suite that ran twice counts every
# result; a case's status is its last.
def ktap($console):
	reduce ($console | lines[]) as $l ({in: false, done: false, order: [], st: {}, why: {}, skipped: {}, n: {pass: 0, fail: 0, skip: 0}};
		if ($l | test("^ *# Subtest: pci_probe_numa$")) then .in = true
		elif .in | not then .
		elif ($l | test("^    # [a-z_]+: SKIP ")) then
			($l | capture("^    # (?<c>[a-z_]+): SKIP *(?<r>.*)$")) as $m
			| .skipped[$m.c] = true | .why[$m.c] = $m.r
		elif ($l | test("^    (not )?ok [0-9]+ ")) then
			($l | ltrimstr("    ")) as $x
			| ($x | sub("^(not )?ok [0-9]+ (- )?"; "") | sub(" #.*"; "")) as $name
			| (if ($x | test("# SKIP")) then "skip" elif ($x | startswith("not ok")) then "fail" else "pass" end) as $s
			| (if .skipped[$name] then "skip" else $s end) as $s
			| (if ($x | test("# SKIP")) and ($x | sub(".*# SKIP *"; "")) != "" then .why[$name] = ($x | sub(".*# SKIP *"; "")) else . end)
			| .order += [$name] | .st[$name] = $s | .n[$s] += 1
		elif ($l | test("^(not )?ok [0-9]+ (- )?pci_probe_numa")) then .done = true | .in = false
		else .
		end)
	| if .done | not then null
	  else . as $k
		| $k.n + {cases: ([$k.order[] | {key: ., value: $k.st[.]}] | from_entries),
		   skip_reasons: ([$k.order | unique[] | select($k.st[.] == "skip" and ($k.why[.] // "") != "") | {key: ., value: $k.why[.]}] | from_entries)}
	  end;

# async_numbers(console): the async case's own lines: its probe window
# (ms, the last one printed; null if none), the CPUs it used ("2,3"), and
# the start spread (ms, from the first probe's start to the last one's, of
# the judged node's probes: how long the workers took to start them all;
# null with fewer than 2)
def async_numbers($console):
	($console | lines) as $l
	| [$l[] | select(test("# pci_probe_async_parallel: .* start: \\+[0-9]+ ns, node [0-9]+") and (test("other node") | not))
		| capture("start: \\+(?<s>[0-9]+) ns").s | tonumber] as $st
	| {window_ms: ([$l[] | capture("# pci_probe_async_parallel: node [0-9]*: .* window (?<w>[0-9]+) ms").w | tonumber] | last),
	   cpus: ([$l[] | capture("# pci_probe_async_parallel: .* CPU: (?<c>[0-9]+),").c | tonumber] | unique | map(tostring) | join(",")),
	   start_spread_ms: (if ($st | length) < 2 then null else (($st | max) - ($st | min)) / 1000000 | . * 10 | round / 10 end)};

# side(o): one boot judged. o holds what the CLI read from the boot's dir:
#   checks   ["kunit", "nvme"] or one of them
#   guest    guest_status of the boot
#   console  console.log's text (KUnit)
#   report   the probe report's JSON of the trace (nvme; null when it could
#            not be read), report_err the report's first error line
#   kernel, config_sha256, source, dir: what was booted and where
# status ok or infra-error (reason); shows_bug true, false, or null when
# the checks disagree.
def side($o):
	($o.checks | index("kunit") != null) as $K
	| ($o.checks | index("nvme") != null) as $N
	| (if $o.guest != "ok" then {infra: ($o.guest | sub("^infra-error: "; ""))} else {} end) as $s
	| (if $s.infra == null and $K then
		ktap($o.console) as $k
		| if $k == null then
			if ($o.console | test("K?TAP version")) then
				{infra: "zero KUnit cases of pci_probe_numa ran (KUnit ran, the suite is not in its KTAP)"}
			else {infra: "no KUnit results in the console (no KTAP: KUnit did not run)"}
			end
		  else ($k + {async: ($k.cases.pci_probe_async_parallel // "missing")} + async_numbers($o.console)) as $k
			| {kunit: $k}
			+ if $k.pass + $k.fail + $k.skip == 0 then {infra: "zero KUnit cases of pci_probe_numa ran"}
			  elif $k.async == "skip" then {infra: "the KUnit async case was skipped: \($k.skip_reasons.pci_probe_async_parallel // "no reason given")"}
			  elif $k.async == "missing" then {infra: "no result of the KUnit async case"}
			  else {} end
		  end
	  else {} end) as $ks
	| ($s + $ks) as $s
	| (if $s.infra == null and $N then
		$o.report as $n
		| if $n == null then {infra: "the probe report could not read \($o.trace): \($o.report_err // "")"}
		  else {nvme: $n}
			+ if ($n.probes | length) < 2 then {infra: "fewer than 2 NVMe probes recorded (see \($o.trace))"}
			  elif $n.verdict == "cannot-tell" then {infra: "the NVMe probes cannot tell: \([$n.nodes[] | .why] | join("; "))"}
			  else {} end
		  end
	  else {} end) as $ns
	| ($s + $ns) as $s
	| ($s.kunit // null) as $k | ($s.nvme // null) as $n
	| {dir: $o.dir, kernel: $o.kernel, config_sha256: $o.config_sha256, source: $o.source,
	   checks: $o.checks, kunit: $k, nvme: $n}
	+ if $s.infra != null then {status: "infra-error", reason: $s.infra, shows_bug: null}
	  else
		((if $K then [if $k.async == "fail" then true elif $k.async == "pass" then false else null end] else [] end)
		 + (if $N then [if $n.verdict == "serialized" then true elif $n.verdict == "fixed" then false else null end] else [] end)) as $b
		| if ($b | all(. == true)) then {status: "ok", shows_bug: true}
		  elif ($b | all(. == false)) then {status: "ok", shows_bug: false}
		  else {status: "ok", shows_bug: null,
			reason: "the checks disagree or cannot tell: KUnit async case \($k.async // "-"), NVMe probes \($n.verdict // "-")"}
		  end
	  end;

# verdict(before; after): the one verdict of a pair of sides
#   infra-error  a side is not usable, the two booted different checks,
#                configs or sources, or "before" does not show the bug (the
#                check does not reproduce it, so it proves nothing)
#   fixed        "before" shows the bug, "after" shows it in no check and
#                no KUnit case of "after" failed
#   not-fixed    "before" shows the bug and "after" does not pass
def verdict($b; $a):
	def r(v; why): {verdict: v, reason: why};
	def what(s): [(if s.kunit then "KUnit async case \(s.kunit.async), \(s.kunit.fail) failed" else empty end),
		(if s.nvme then "NVMe probes \(s.nvme.verdict)" else empty end)] | join(", ");
	if $b.status != "ok" then r("infra-error"; "before: \($b.reason)")
	elif $a.status != "ok" then r("infra-error"; "after: \($a.reason)")
	elif ($b.checks | sort) != ($a.checks | sort) then r("infra-error"; "before and after ran different checks")
	elif $b.config_sha256 != "" and $a.config_sha256 != "" and $b.config_sha256 != $a.config_sha256 then
		r("infra-error"; "before and after were built from different configs")
	elif $b.source != "" and $a.source != "" and $b.source != $a.source then
		r("infra-error"; "before and after were built from different sources (\($b.source) / \($a.source))")
	elif $b.shows_bug != true then
		r("infra-error"; "before does not show the bug (\($b.reason // what($b))): the check does not reproduce it")
	elif $a.shows_bug == false and ($a.kunit == null or $a.kunit.fail == 0) then r("fixed"; "")
	else r("not-fixed"; "after: " + what($a))
	end;

# system(v; stock; installed; rollback; want): make system's verdict. v is
# verdict(stock side; installed side); stock/installed/rollback are the
# boots as system-check records them (kernel, package, boot, judge: {nvme,
# shows_bug}, canary: {verdict, exit}, capability: the installed package
# that provides the fix's capability, or ""); want: {stock_package,
# package, release, capability} expected. fixed only when the pair is fixed
# and the real system did what a user's would: GRUB booted each kernel, the
# package's kernel after the install, the stock one after the removal, the
# capability package installed with the kernel and gone with it, and the
# stock kernel shows the bug again. The canary's live verdict is held
# to the judge's reading of the trace the canary saved (--save): the same C
# rule on the same probes, so this catches a fault of --save's round trip
# or of the live reading, not a wrong rule.
# {verdict: fixed|not-fixed, reasons: [...]}; a pair that is an
# infra-error is the caller's infra-error, not a verdict.
def system($v; $s; $i; $r; $want):
	([if $v.verdict != "fixed" then "the judge: \($v.reason)" else empty end,
	  if $s.kernel != $r.kernel then "rollback booted \($r.kernel), not the stock kernel" else empty end,
	  if $s.package != $want.stock_package then "stock boot ran \($s.package), not \($want.stock_package)" else empty end,
	  if $i.kernel != $want.release then "after the install GRUB booted \($i.kernel), not \($want.release)" else empty end,
	  if $i.package != $want.package then "the running kernel's /boot/vmlinuz is not from \($want.package)" else empty end,
	  if $i.capability != $want.capability then "after the install the fix's capability is provided by '\($i.capability // "")', not \($want.capability)" else empty end,
	  (["S", $s], ["R", $r] | select(.[1].capability != "") | "\(.[0]): '\(.[1].capability // "nothing recorded")' provides the fix's capability, expected none"),
	  (["S", $s], ["I", $i], ["R", $r] | select(.[1].boot != "grub") | "\(.[0]): not booted through GRUB"),
	  (["S", $s], ["I", $i], ["R", $r] | select(.[1].judge.nvme != .[1].canary.verdict)
		| "\(.[0]): the canary says \(.[1].canary.verdict), the judge's report of its saved trace \(.[1].judge.nvme)"),
	  if $i.canary.exit != 0 then "the package's kernel: canary exit \($i.canary.exit), not 0" else empty end,
	  if $r.judge.shows_bug != true then "after the rollback: the stock kernel no longer shows the bug (\($r.judge.nvme))" else empty end
	 ]) as $why
	| {verdict: (if ($why | length) == 0 then "fixed" else "not-fixed" end), reasons: $why};

# round2: a number to 2 decimals
def round2: . * 100 | round / 100;

# bench_point(before_ms; after_ms; m; c): the probe window of m probes that
# could run on c CPUs, before and after: ratio = before / after, ideal = m
# / ceil(m / c), efficiency = ratio / ideal (each to 2 decimals); null when
# a window or a count is not positive
def bench_point($wb; $wa; $m; $c):
	if $wa <= 0 or $c <= 0 or $m <= 0 then null
	else ($wb / $wa) as $ratio | ($m / ((($m + $c - 1) / $c) | floor)) as $ideal
		| {ratio: ($ratio | round2), ideal: ($ideal | round2), efficiency: ($ratio / $ideal | round2)}
	end;

# bench_gate(point): "ok" when the efficiency is 0.8 or more, else "low"
def bench_gate($p): if $p.efficiency >= 0.8 then "ok" else "low" end;

# revert(v): the A/B with the fix reverted (its "after" without the fix)
# must be not-fixed: {ok, reason}
def revert($v):
	if $v.verdict == "not-fixed" then {ok: true, reason: "not-fixed, as it must be"}
	else {ok: false, reason: "expected verdict not-fixed, got '\($v.verdict // "")'"}
	end;

# fleet_ok: an outcome of the rollout that passes
def fleet_ok: . == "fixed" or . == "already-fixed";

# fleet_gate(g): the rollout's gate on one host after its trial boot (the
# Ansible role asks it on the controller). g: {before_boot_id, now:
# {boot_id, kernel, canary: {verdict, boot_id, kernel}}, release (the
# kernel to be running), systemd (systemctl is-system-running),
# cmdline_extra (bool: fleet_cmdline_extra set), allow_degraded (bool)}.
# {outcome, reason}; fixed only when this boot runs the new kernel and the
# canary's record of this very boot says fixed.
def fleet_gate($g):
	$g.now as $n
	| if $n.boot_id == $g.before_boot_id then {outcome: "no-return", reason: "the boot id did not change"}
	elif $n.kernel != $g.release then
		{outcome: "fell-back", reason: "booted \($n.kernel), not \($g.release): the trial boot failed and GRUB booted the pinned kernel"}
	elif ($n.canary.verdict | IN("not-installed", "error")) then
		{outcome: "cannot-tell", reason: "the canary gave no record: \($n.canary.verdict)"}
	elif $n.canary.boot_id != $n.boot_id or $n.canary.kernel != $n.kernel then
		{outcome: "cannot-tell", reason: "the canary's record is of boot \($n.canary.boot_id) on \($n.canary.kernel), not of this boot"}
	elif $n.canary.verdict == "serialized" then
		{outcome: "not-fixed", reason: "the canary: serialized (exit 1) on \($n.kernel)"}
	elif $n.canary.verdict != "fixed" then
		{outcome: "cannot-tell", reason: ("the canary: \($n.canary.verdict) (exit 2)"
			+ (if $g.cmdline_extra then "" else "; a driver that does not ask for async probing needs fleet_cmdline_extra, e.g. nvme.async_probe=1" end))}
	elif $g.systemd == "degraded" and ($g.allow_degraded | not) then
		{outcome: "degraded", reason: "the canary says fixed, but systemd is degraded (fleet_allow_degraded: false)"}
	else {outcome: "fixed", reason: "booted \($n.kernel) (boot \($n.boot_id)), the canary says fixed"}
	end;

# fleet_final: a host's record as the rollout ends it: one still `running`
# is the host that stopped answering during the rollout (no-return)
def fleet_final:
	if .outcome == "running" then .outcome = "no-return" | .reason = "stopped answering during the rollout (unreachable)" else . end;

# fleet_report(plan; records; run): the rollout's report from the plan
# (scripts/fleet/plan) and the hosts' records (the role's). Each host's
# outcome is its record's, except: no record, in a wave: not-reached (the
# rollout stopped before it); a record still `running`: fleet_final's
# no-return; left out by the survey:
# unreachable (nothing was changed on it). A wave "stopped" the rollout
# when a host of it did not end fixed or already-fixed and it is the last
# wave that ran while later ones were planned.
def fleet_report($p; $records; $run):
	($records | map({key: .host, value: .}) | from_entries) as $rec
	| ([$p.order[] as $h | ($rec[$h] // {host: $h, outcome: "not-reached", reason: "the rollout stopped before its wave"})
	    | .wave = $p.waves[.host]
	    | fleet_final]
	   + [$p.unreachable[] | {host: ., wave: null, outcome: "unreachable", reason: "the survey could not reach it: nothing was changed"}]) as $hosts
	| ([$hosts[] | select(.wave != null) | .wave] | unique) as $wn
	| ([$wn[] as $w | {wave: $w, hosts: [$hosts[] | select(.wave == $w) | .host],
	     outcomes: ([$hosts[] | select(.wave == $w) | .outcome] | group_by(.) | map({key: .[0], value: length}) | from_entries)}
	    | .reached = ([.outcomes | keys[] | select(. != "not-reached")] | length > 0)]) as $waves
	| [$waves[] | select(.reached) | .wave] as $ran
	| ($waves | map(.stopped = (.reached and ([.outcomes | keys[] | select((fleet_ok | not) and . != "not-reached")] | length > 0)
	                            and .wave == ($ran | max) and .wave < ($wn | max)))) as $waves
	| {run: $run, hosts: $hosts, waves: $waves,
	   fleet: {hosts: ($hosts | length),
	           outcomes: ([$hosts[].outcome] | group_by(.) | map({key: .[0], value: length}) | from_entries),
	           waves_run: ($ran | length), waves_planned: ($wn | length),
	           stopped_at_wave: ([$waves[] | select(.stopped) | .wave] | first // null),
	           all_fixed: ([$hosts[].outcome | fleet_ok] | all)},
	   plan: $p};

# fleet_already(now; release): before anything is changed on a host: it
# already runs the fixed kernel and the canary says fixed. {outcome:
# "already-fixed", reason} or {outcome: "go"}
def fleet_already($n; $release):
	if $n.kernel == $release and $n.canary.verdict == "fixed" then
		{outcome: "already-fixed", reason: "runs \($n.kernel), the canary says fixed: not rebooted"}
	else {outcome: "go", reason: ""}
	end;
