#!/bin/bash
# check-series reports every failing branch, not only the first; a branch
# without a tree is SKIPped with the reason, never passed; KSRC= goes by
# the tree's code family.
. "$(dirname "$0")/lib.sh"
mapfile -t NOTREE < <(branch_rows | awk '$4 == "-" {print $1}')
# KSRC= goes by the tree's code family (fit-series): a series of another
# family is refused before anything runs; without BRANCH the tree's own
# series is chosen and named on the TAP stream
D=$(default_branch)
if src=$("$TOP/scripts/source/fetch-source" "$D" 2>/dev/null); then
	FAM=$(branch_field "$D" family)
	X=$(branch_rows | awk -v f="$FAM" '$2 != f {print $1; exit}')
	KSRC=$src run_cmd "$TOP/scripts/series/check-series" "$X"
	[ "$(last_rc)" = 1 ] && [ ! -s "$TMP/last.out" ] && last_err | grep_q "is family $FAM; the $X series is family"; ok $? \
		"KSRC=the $D tree with BRANCH=$X (another family): refused before any test, exit 1" "$(last_err)"
	t0=$(date +%s)
	KSRC=$src run_cmd "$TOP/scripts/series/check-series"
	[ "$(last_rc)" = 0 ] && grep_q "^# .* is family $FAM: the $D series (its own version)" "$TMP/last.out" &&
		[ "$(grep -c "^ok [0-9]* - $D: " "$TMP/last.out")" = 5 ]; ok $? \
		"KSRC=the $D tree, no BRANCH: the $D series chosen and named, its 5 checks pass ($(($(date +%s) - t0)) s)" "$(cat "$TMP/last.out")"
else
	skip "check-series KSRC= by family" "no $D tree (scripts/source/fetch-source $D)"
fi

if [ ${#NOTREE[@]} -lt 2 ]; then
	skip "two failing branches" "fewer than two branches without a tree to check quickly"
	done_testing
fi
A=${NOTREE[0]} B=${NOTREE[1]}
cp -a "$TOP/patches" "$TMP/patches"
sed -i '/^Cc: stable/d' "$TMP/patches/$A"/0001-*.patch "$TMP/patches/$B"/0001-*.patch
PATCHES_DIR=$TMP/patches run_cmd "$TOP/scripts/series/check-series" "$A" "$B"
[ "$(last_rc)" = 1 ]; ok $? "two broken branches: exit 1"
grep -qx "# FAILED: $A:headers $B:headers" "$TMP/last.out"; ok $? \
	"the summary names both: $A and $B" "$(tail -2 "$TMP/last.out")"
[ "$(grep -c '^not ok' "$TMP/last.out")" = 2 ] && [ "$(grep -c '# SKIP no Debian package' "$TMP/last.out")" = 6 ]; ok $? \
	"2 failures, the tree checks SKIPped with the reason" "$(cat "$TMP/last.out")"
done_testing
