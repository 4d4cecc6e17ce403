#!/bin/bash
# The one judge's rules (scripts/judge/judge, judge.jq) on hand-written
# inputs: verdict on sides, system on a real system's boots, bench's ratio,
# ideal, efficiency and gate, revert; lib.sh's median and cpulist counts.
. "$(dirname "$0")/lib.sh"
JU=$TOP/scripts/judge/judge

# side NAME STATUS SHOWS_BUG ASYNC FAIL NVME [CONFIG] [SOURCE]
side() {
	jq -n --arg st "$2" --argjson bug "$3" --arg a "$4" --argjson f "$5" --arg n "$6" \
		--arg cfg "${7:-}" --arg src "${8:-linux-source-6.12 6.12.117-1~deb12u1}" '
		{status: $st, shows_bug: $bug, checks: (if $n == "-" then ["kunit"] else ["kunit", "nvme"] end),
		 config_sha256: $cfg, source: $src,
		 kunit: {pass: 1, fail: $f, skip: 0, async: $a},
		 nvme: (if $n == "-" then null else {verdict: $n} end)}
		+ (if $st != "ok" then {reason: "the guest did not power off within 120 s (hang)"} else {} end)' >"$TMP/$1.json"
}
# expect BEFORE AFTER VERDICT EXIT REASON-PATTERN NAME
expect() {
	local out rc
	out=$("$JU" verdict "$TMP/$1.json" "$TMP/$2.json" 2>&1)
	rc=$?
	local v r
	v=$(jq -r .verdict <<<"$out" 2>/dev/null) r=$(jq -r .reason <<<"$out" 2>/dev/null)
	[ "$v" = "$3" ] && [ $rc = "$4" ] && [[ $r =~ $5 ]]; ok $? "$6: $3, exit $4" "$out (exit $rc)"
}
side bug ok true fail 1 serialized
side clean ok false pass 0 fixed
side nobug-before ok false pass 0 fixed
side still ok true fail 1 serialized
side mixed ok null pass 0 serialized
side hung infra-error null missing 0 -
side clean-kunit-only ok false pass 0 -
side bug-kunit-only ok true fail 1 -
side after-sync-fails ok false pass 1 fixed
side cfg-a ok true fail 1 serialized aaaa
side cfg-b ok false pass 0 fixed bbbb
side src-b ok false pass 0 fixed "" "linux-source-6.12 6.12.118-1"

expect bug clean fixed 0 '^$' "before shows the bug, after clean"
expect bug still not-fixed 1 'KUnit async case fail.*serialized' "after still serialized"
expect bug mixed not-fixed 1 'NVMe probes serialized' "after: KUnit passes but NVMe serialized"
expect bug after-sync-fails not-fixed 1 '1 failed' "after: another KUnit case failed"
expect nobug-before clean infra-error 5 'before does not show the bug.*does not reproduce' "a before without the bug proves nothing"
expect mixed clean infra-error 5 'before does not show the bug' "a before whose checks disagree proves nothing"
expect hung clean infra-error 5 '^before: .*hang' "a hung before"
expect bug hung infra-error 5 '^after: .*hang' "a hung after"
expect bug clean-kunit-only infra-error 5 'different checks' "before and after ran different checks"
expect bug-kunit-only clean-kunit-only fixed 0 '^$' "KUnit-only pair (bench)"
expect cfg-a cfg-b infra-error 5 'different configs' "packaged kernel vs a before of another config"
expect bug src-b infra-error 5 'different sources' "packaged kernel vs a before of another source"
"$JU" verdict "$TMP/bug.json" >/dev/null 2>&1
[ $? = 2 ]; ok $? "one argument: usage, exit 2"
echo '{"verdict": "fixed"}' >"$TMP/junk.json"
"$JU" verdict "$TMP/junk.json" "$TMP/clean.json" >/dev/null 2>&1
[ $? = 2 ]; ok $? "not a side's JSON: exit 2"

# bench math, computed by hand:
#   8 probes, 2 CPUs: ideal = 8 / ceil(8/2) = 2; 1601/816 = 1.962 -> 1.96; eff 0.981 -> 0.98
#   8 probes, 4 CPUs: ideal = 8 / 2 = 4; 1612/422 = 3.8199 -> 3.82; eff 0.9550 -> 0.95
#   8 probes, 3 CPUs: ideal = 8 / ceil(8/3) = 8/3 = 2.67; 800/300 = 2.67; eff 1
#   8 probes, 2 CPUs: 1000/700 = 1.4286 -> 1.43; eff 0.714 -> 0.71: low (below 0.8)
# bench WB WA M C RATIO IDEAL EFF EXIT
bench() {
	local out rc=0
	out=$("$JU" bench "$1" "$2" "$3" "$4" 2>&1) || rc=$?
	[ "$(jq -r '"\(.ratio) \(.ideal) \(.efficiency)"' <<<"$out" 2>/dev/null)" = "$5 $6 $7" ] && [ $rc = "$8" ]; ok $? \
		"bench: $1/$2 ms, $3 probes, $4 CPUs: ratio $5, ideal $6, efficiency $7, exit $8" "$out (exit $rc)"
}
bench 1601 816 8 2 1.96 2 0.98 0
bench 1612 422 8 4 3.82 4 0.95 0
bench 800 300 8 3 2.67 2.67 1 0
bench 1000 700 8 2 1.43 2 0.71 1
"$JU" bench 800 0 8 2 >/dev/null 2>&1
[ $? = 2 ]; ok $? "bench: a zero 'after' window is refused (exit 2)"

# system: make system's rule on boots written by hand (as system-check
# records them); each broken fact gives its own reason
boot() {	# boot KERNEL PACKAGE BOOT NVME SHOWS_BUG CANARY EXIT [CAPABILITY]
	jq -cn --arg k "$1" --arg p "$2" --arg b "$3" --arg n "$4" --argjson sb "$5" --arg c "$6" --argjson e "$7" --arg cap "${8:-}" \
		'{kernel: $k, package: $p, boot: $b, judge: {nvme: $n, shows_bug: $sb}, canary: {verdict: $c, exit: $e}, capability: $cap}'
}
W='{"stock_package": "linux-image-6.12.117+deb12-amd64", "package": "linux-image-6.12.117+pciprobe1", "release": "6.12.117+pciprobe1", "capability": "pciprobe-fix-6.12.117+pciprobe1"}'
FX='{"verdict": "fixed", "reason": ""}'
S=$(boot 6.12.117+deb12-amd64 linux-image-6.12.117+deb12-amd64 grub serialized true serialized 1)
I=$(boot 6.12.117+pciprobe1 linux-image-6.12.117+pciprobe1 grub fixed false fixed 0 pciprobe-fix-6.12.117+pciprobe1)
sysv() {	# sysv NAME EXIT REASON-REGEX V S I R
	local out rc=0
	out=$("$JU" system "$4" "$5" "$6" "$7" "$W" 2>&1) || rc=$?
	[ $rc = "$2" ] && [[ $(jq -r '.reasons | join("|")' <<<"$out") =~ $3 ]]; ok $? "system: $1, exit $2" "$out (exit $rc)"
}
sysv "stock serialized, package fixed through GRUB, rollback serialized" 0 '^$' "$FX" "$S" "$I" "$S"
sysv "the rollback no longer shows the bug" 1 '^after the rollback: the stock kernel no longer shows the bug \(fixed\)$' "$FX" "$S" "$I" \
	"$(boot 6.12.117+deb12-amd64 linux-image-6.12.117+deb12-amd64 grub fixed false fixed 0)"
sysv "GRUB kept the stock kernel after the install" 1 '^after the install GRUB booted 6.12.117\+deb12-amd64, not 6.12.117\+pciprobe1\|the running kernel' "$FX" "$S" "$S" "$S"
sysv "a boot not through GRUB, the canary disagreeing" 1 '^I: not booted through GRUB\|I: the canary says serialized, the judge.s report of its saved trace fixed\|the package.s kernel: canary exit 1, not 0$' "$FX" "$S" \
	"$(boot 6.12.117+pciprobe1 linux-image-6.12.117+pciprobe1 direct fixed false serialized 1 pciprobe-fix-6.12.117+pciprobe1)" "$S"
sysv "installed without the capability package" 1 "^after the install the fix's capability is provided by '', not pciprobe-fix-6.12.117\\+pciprobe1\$" "$FX" "$S" \
	"$(boot 6.12.117+pciprobe1 linux-image-6.12.117+pciprobe1 grub fixed false fixed 0)" "$S"
sysv "the capability left behind by the removal" 1 "^R: 'pciprobe-fix-6.12.117\\+pciprobe1' provides the fix's capability, expected none\$" "$FX" "$S" "$I" \
	"$(boot 6.12.117+deb12-amd64 linux-image-6.12.117+deb12-amd64 grub serialized true serialized 1 pciprobe-fix-6.12.117+pciprobe1)"
sysv "the pair not fixed" 1 '^the judge: after: NVMe probes serialized$' '{"verdict": "not-fixed", "reason": "after: NVMe probes serialized"}' "$S" "$I" "$S"

# fleet-gate: the rollout's gate on a host after its trial boot, one case
# per outcome (the facts as the role reports them)
gate() {	# gate NAME OUTCOME REASON-REGEX JQ-EDIT: the fixed host's facts, edited
	local g out
	g=$(jq -cn '{before_boot_id: "b0", now: {boot_id: "b1", kernel: "K2", canary: {verdict: "fixed", boot_id: "b1", kernel: "K2"}},
		release: "K2", systemd: "running", cmdline_extra: false, allow_degraded: false}' | jq -c "$4")
	out=$("$JU" fleet-gate "$g")
	[ "$(jq -r .outcome <<<"$out")" = "$2" ] && [[ $(jq -r .reason <<<"$out") =~ $3 ]]; ok $? "fleet-gate: $1: $2" "$out"
}
gate "the new kernel, the canary's record of this boot fixed" fixed '^booted K2 \(boot b1\), the canary says fixed$' .
gate "the boot id unchanged" no-return '^the boot id did not change$' '.now.boot_id = "b0"'
gate "GRUB booted the old kernel" fell-back '^booted K1, not K2' '.now.kernel = "K1"'
gate "no canary" cannot-tell '^the canary gave no record: not-installed$' '.now.canary.verdict = "not-installed"'
gate "the canary's record of another boot" cannot-tell '^the canary.s record is of boot b0 on K2, not of this boot$' '.now.canary.boot_id = "b0"'
gate "serialized" not-fixed '^the canary: serialized \(exit 1\) on K2$' '.now.canary.verdict = "serialized"'
gate "cannot tell, no cmdline extra" cannot-tell 'needs fleet_cmdline_extra' '.now.canary.verdict = "cannot-tell"'
gate "cannot tell, cmdline extra set" cannot-tell '^the canary: cannot-tell \(exit 2\)$' '.now.canary.verdict = "cannot-tell" | .cmdline_extra = true'
gate "systemd degraded" degraded 'systemd is degraded' '.systemd = "degraded"'
gate "systemd degraded, allowed" fixed '^booted K2' '.systemd = "degraded" | .allow_degraded = true'
out=$("$JU" fleet-already '{"now": {"kernel": "K2", "canary": {"verdict": "fixed"}}, "release": "K2"}')
[ "$(jq -r .outcome <<<"$out")" = already-fixed ]; ok $? "fleet-already: runs the new kernel, the canary says fixed: already-fixed" "$out"
out=$("$JU" fleet-already '{"now": {"kernel": "K2", "canary": {"verdict": "serialized"}}, "release": "K2"}')
[ "$(jq -r .outcome <<<"$out")" = go ]; ok $? "fleet-already: the new kernel but serialized: go" "$out"
# fleet-report: three waves planned (h1 | h2 h3 | h4), h5 unreachable at
# the survey; h2's record still says running (it stopped answering), so
# wave 2 stopped the rollout and h4 was never reached
echo '{"order": ["h1", "h2", "h3", "h4"], "serial": [1, 2, 1], "waves": {"h1": 1, "h2": 2, "h3": 2, "h4": 3}, "unreachable": ["h5"]}' >"$TMP/plan.json"
echo '[{"host": "h1", "outcome": "fixed", "reason": "r1"}, {"host": "h2", "outcome": "running", "reason": "r2"},
	{"host": "h3", "outcome": "already-fixed", "reason": "r3"}]' >"$TMP/records.json"
out=$("$JU" fleet-report "$TMP/plan.json" "$TMP/records.json" run1)
[ "$(jq -r '[.hosts[] | "\(.host)=\(.outcome)"] | join(" ")' <<<"$out")" = "h1=fixed h2=no-return h3=already-fixed h4=not-reached h5=unreachable" ] &&
	[ "$(jq -c '[.fleet.stopped_at_wave, .fleet.waves_run, .fleet.waves_planned, .fleet.all_fixed]' <<<"$out")" = '[2,2,3,false]' ]; ok $? \
	"fleet-report: running -> no-return, no record -> not-reached, survey's miss -> unreachable; stopped at wave 2 of 3" "$out"
"$JU" fleet-gate 'not json' >/dev/null 2>&1
[ $? = 2 ]; ok $? "fleet-gate: not JSON: exit 2"

# revert: the revert-fix A/B must be not-fixed
for v in not-fixed:0 fixed:1 infra-error:1; do
	echo "{\"verdict\": \"${v%:*}\"}" >"$TMP/rv.json"
	"$JU" revert "$TMP/rv.json" >/dev/null 2>&1
	[ $? = "${v#*:}" ]; ok $? "revert: a revert-fix A/B that is ${v%:*}: exit ${v#*:}"
done
"$JU" revert "$TMP/nothing.json" >/dev/null 2>&1
[ $? = 2 ]; ok $? "revert: no result: exit 2, never a pass"
[ "$(printf '%s\n' 5 1 3 | median)" = 3 ]; ok $? "median of 5 1 3 is 3"
[ "$(printf '%s\n' 4 1 3 2 | median)" = 2 ]; ok $? "median of an even count is the lower middle: 2"
[ "$(ncpus_list 0-1,3)" = 3 ] && [ "$(ncpus_list 2-3)" = 2 ]; ok $? "cpulists 0-1,3 and 2-3 count 3 and 2 CPUs"
done_testing
