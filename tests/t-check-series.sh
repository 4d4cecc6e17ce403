#!/bin/bash
# check-series reports every failing branch, not only the first; a branch
# without a tree is SKIPped with the reason, never passed.
. "$(dirname "$0")/lib.sh"
mapfile -t NOTREE < <(branch_rows | awk '$4 == "-" {print $1}')
if [ ${#NOTREE[@]} -lt 2 ]; then
	skip "two failing branches" "fewer than two branches without a tree to check quickly"
	done_testing
fi
A=${NOTREE[0]} B=${NOTREE[1]}
cp -a "$TOP/patches" "$TMP/patches"
sed -i '/^Cc: stable/d' "$TMP/patches/$A"/0001-*.patch "$TMP/patches/$B"/0001-*.patch
PATCHES_DIR=$TMP/patches run_cmd "$TOP/scripts/series/check-series" "$A" "$B"
ok "$([ "$(last_rc)" = 1 ] && echo 0 || echo 1)" "two broken branches: exit 1"
ok "$(grep -qx "# FAILED: $A:headers $B:headers" "$TMP/last.out" && echo 0 || echo 1)" \
	"the summary names both: $A and $B" "$(tail -2 "$TMP/last.out")"
ok "$([ "$(grep -c '^not ok' "$TMP/last.out")" = 2 ] && [ "$(grep -c '# SKIP no Debian package' "$TMP/last.out")" = 6 ] && echo 0 || echo 1)" \
	"2 failures, the tree checks SKIPped with the reason" "$(cat "$TMP/last.out")"
done_testing
