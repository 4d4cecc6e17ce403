#!/bin/bash
# The one judge on saved real guest logs (tests/judge-data/, see its
# README): judge side on each boot, judge ktap on each console, and
# judge verdict on pairs of them. Expected results written by hand.
. "$(dirname "$0")/lib.sh"
J=$TOP/tests/judge-data
JU=$TOP/scripts/judge/judge
n=0
for e in "$J"/*/expected.side; do
	c=$(basename "$(dirname "$e")")
	n=$((n + 1))
	cp -a "$J/$c" "$TMP/$c"
	# args: the case's own options (@DIR@ is its folder), else the A/B's
	args=(--source "linux-source-6.12 6.12.117-1~deb12u1")
	[ ! -f "$J/$c/args" ] || read -r -a args < <(sed "s|@DIR@|$TMP/$c|g" "$J/$c/args")
	"$JU" side "${args[@]}" "$TMP/$c" >/dev/null 2>"$TMP/$c.err"
	rc=$?
	got=$(jq -r '"status: \(.status)", (if .status == "ok" then "shows_bug: \(.shows_bug)" else "reason: \(.reason)" end)' "$TMP/$c/side.json" 2>&1)
	want_rc=0
	grep -q '^status: infra-error' "$e" && want_rc=5
	[ "$got" = "$(cat "$e")" ] && [ $rc = $want_rc ]; ok $? "side $c: $(head -1 "$e" | cut -d' ' -f2), exit $want_rc" \
		"$(diff <(cat "$e") <(printf '%s\n' "$got"); echo "exit $rc"; cat "$TMP/$c.err")"
done
[ $n -ge 10 ]; ok $? "10 or more saved cases: $n"

for e in "$J"/*/expected.ktap; do
	c=$(basename "$(dirname "$e")")
	# expected.ktap: "pass=P fail=F skip=S", then "case status [skip reason]"
	got=$("$JU" ktap "$J/$c/console.log" | jq -r '"pass=\(.pass) fail=\(.fail) skip=\(.skip)",
		(. as $k | .cases | to_entries[] | "\(.key) \(.value)\(if $k.skip_reasons[.key] then " " + $k.skip_reasons[.key] else "" end)")')
	[ "$got" = "$(cat "$e")" ]; ok $? "judge ktap $c" "$(diff <(cat "$e") <(printf '%s\n' "$got"))"
done
"$JU" ktap "$J/zero-kunit-cases/console.log" >/dev/null
[ $? = 5 ]; ok $? "judge ktap: a console whose KTAP lacks the suite: exit 5"
"$JU" ktap "$J/6.12-before/console.log" "$TMP/k.ktap" >/dev/null
head -1 "$TMP/k.ktap" | grep_q -x 'KTAP version 1' && grep -q '^    not ok 1 pci_probe_async_parallel' "$TMP/k.ktap"; ok $? \
	"judge ktap LOG KTAP: the KTAP saved, timestamps stripped"

# A skip reason with a tab, a quote and a backslash in it: still JSON, the
# reason kept as the kernel wrote it (hand-assembled JSON once broke on it,
# and jq's exit 4 read as this project's "skip")
cp -a "$J/precondition-no-testdev" "$TMP/odd-reason"
sed -i 's/^\(    ok 1 pci_probe_async_parallel # SKIP needs 2+\) unbound/\1\t"unbound" \\/' "$TMP/odd-reason/console.log"
"$JU" side --source x "$TMP/odd-reason" >/dev/null 2>"$TMP/odd.err"
rc=$?
[ $rc = 5 ] && [ "$(jq -r .reason "$TMP/odd-reason/side.json")" = "$(printf 'the KUnit async case was skipped: needs 2+\t"unbound" \\ pci-testdev devices (1b36:0005) on a node with 2+ online CPUs, found 0')" ]; ok $? \
	"side: a skip reason with a tab, quotes and a backslash: valid JSON, the reason as written, exit 5" "$(cat "$TMP/odd-reason/side.json" "$TMP/odd.err"; echo "exit $rc")"

# pair BEFORE AFTER VERDICT EXIT REASON-REGEX
pair() {
	local out rc
	out=$("$JU" verdict "$TMP/$1/side.json" "$TMP/$2/side.json" 2>&1)
	rc=$?
	[ "$(jq -r .verdict <<<"$out")" = "$3" ] && [ $rc = "$4" ] && [[ $(jq -r .reason <<<"$out") =~ $5 ]]; ok $? \
		"verdict($1, $2) = $3" "$out"
}
pair 6.12-before 6.12-after fixed 0 '^$'
pair 6.12-before 6.12-before not-fixed 1 'KUnit async case fail.*NVMe probes serialized'
pair 6.12-after 6.12-after infra-error 5 '^before does not show the bug .*does not reproduce'
pair precondition-no-testdev 6.12-after infra-error 5 '^before: the KUnit async case was skipped: needs 2\+'
pair zero-kunit-cases 6.12-after infra-error 5 '^before: zero KUnit cases'
pair 6.12-before hung infra-error 5 '^after: .*\(hang\)$'
pair panic 6.12-after infra-error 5 '^before: the guest panicked'
pair 6.12-before missing-trace infra-error 5 '^after: the guest wrote no results'
pair 6.12-before no-results infra-error 5 '^after: the guest wrote no results'
# make system's pair: Debian's stock kernel, then the package's, NVMe only
pair system-6.12-stock system-6.12-installed fixed 0 '^$'
pair system-6.12-stock system-6.12-stock not-fixed 1 '^after: NVMe probes serialized$'
pair system-6.12-installed system-6.12-stock infra-error 5 '^before does not show the bug \(NVMe probes fixed\)'
pair 6.12-before system-6.12-installed infra-error 5 '^before and after ran different checks$'
done_testing
