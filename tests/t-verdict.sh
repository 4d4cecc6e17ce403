#!/bin/bash
# scripts/judge/verdict, the one before/after rule, on hand-written sides;
# lib.sh's bench math (median, ideal, efficiency) on hand-computed numbers.
. "$(dirname "$0")/lib.sh"
V=$TOP/scripts/judge/verdict

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
	out=$("$V" "$TMP/$1.json" "$TMP/$2.json" 2>&1)
	rc=$?
	local v r
	v=$(jq -r .verdict <<<"$out" 2>/dev/null) r=$(jq -r .reason <<<"$out" 2>/dev/null)
	ok "$([ "$v" = "$3" ] && [ $rc = "$4" ] && [[ $r =~ $5 ]] && echo 0 || echo 1)" "$6: $3, exit $4" "$out (exit $rc)"
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
"$V" "$TMP/bug.json" >/dev/null 2>&1
ok "$([ $? = 2 ] && echo 0 || echo 1)" "one argument: usage, exit 2"
echo '{"verdict": "fixed"}' >"$TMP/junk.json"
"$V" "$TMP/junk.json" "$TMP/clean.json" >/dev/null 2>&1
ok "$([ $? = 2 ] && echo 0 || echo 1)" "not a side's JSON: exit 2"

# bench math, computed by hand:
#   8 probes, 2 CPUs: ideal = 8 / ceil(8/2) = 2; 1601/816 = 1.962 -> 1.96; eff 0.98
#   8 probes, 4 CPUs: ideal = 8 / 2 = 4; 1612/422 = 3.820 -> 3.82; eff 0.955 -> 0.95 or 0.96 (printf rounds half to even on the binary value)
#   8 probes, 3 CPUs: ideal = 8 / ceil(8/3) = 8/3 = 2.67
ok "$([ "$(bench_ratio 1601 816 8 2)" = "1.96 2.00 0.98" ] && echo 0 || echo 1)" "bench: 1601/816 ms, 8 probes, 2 CPUs" "$(bench_ratio 1601 816 8 2)"
r=$(bench_ratio 1612 422 8 4)
ok "$([[ $r =~ ^3\.82\ 4\.00\ 0\.9[56]$ ]] && echo 0 || echo 1)" "bench: 1612/422 ms, 8 probes, 4 CPUs" "$r"
r=$(bench_ratio 800 300 8 3)
ok "$([ "$r" = "2.67 2.67 1.00" ] && echo 0 || echo 1)" "bench: ideal with C not dividing M (8 probes, 3 CPUs)" "$r"
bench_ratio 800 0 8 2 >/dev/null
ok "$([ $? != 0 ] && echo 0 || echo 1)" "bench: a zero 'after' window is refused"
ok "$([ "$(printf '%s\n' 5 1 3 | median)" = 3 ] && echo 0 || echo 1)" "median of 5 1 3 is 3"
ok "$([ "$(printf '%s\n' 4 1 3 2 | median)" = 2 ] && echo 0 || echo 1)" "median of an even count is the lower middle: 2"
ok "$([ "$(ncpus_list 0-1,3)" = 3 ] && [ "$(ncpus_list 2-3)" = 2 ] && echo 0 || echo 1)" "cpulists 0-1,3 and 2-3 count 3 and 2 CPUs"
done_testing
