#!/bin/bash
# check-headers: the real series pass; each missing header is caught.
. "$(dirname "$0")/lib.sh"
CH=$TOP/scripts/series/check-headers
mapfile -t ALL < <(branch_list)
run_cmd "$CH" "${ALL[@]}"
ok "$(last_rc)" "every branch's series passes" "$(cat "$TMP/last.out")"

B=$(branch_rows | awk '$2 != "C" {print $1; exit}')	# a backport branch
M=$(branch_rows | awk '$2 == "C" {print $1; exit}')	# a mainline-family branch
# broken NAME BRANCH SED-EXPR EXPECTED-SUBSTRING
broken() {
	rm -rf "$TMP/p"
	cp -a "$TOP/patches" "$TMP/p"
	local f
	f=$TMP/p/$2/$(series_patches "$2" | head -1)
	sed -i "$3" "$f"
	PATCHES_DIR=$TMP/p run_cmd "$CH" "$2"
	ok "$([ "$(last_rc)" = 1 ] && grep -qF "$4" "$TMP/last.out" && echo 0 || echo 1)" "$1" "$(cat "$TMP/last.out")"
}
broken "no Upstream-Commit" "$B" '/^Upstream-Commit:/d' "no Upstream-Commit: header"
broken "bad Upstream-Commit" "$B" 's/^Upstream-Commit: .*/Upstream-Commit: soon/' "is neither 'pending' nor a 40-hex sha"
broken "no Fixes:" "$B" '/^Fixes:/d' "no 'Fixes: ef0ff68351be"
broken "no Cc: stable" "$B" '/^Cc: stable/d' "no 'Cc: stable@vger.kernel.org' tag"
broken "no author Signed-off-by" "$B" '/^Signed-off-by: Jinhui/d' "no Signed-off-by of the author"
broken "no backport note on a family A/B branch" "$B" '/^\[ Backport/,/\]$/d' "needs a '[ Backport to $B.y ... ]' note"
broken "backport note on a mainline-family branch" "$M" 's/^Signed-off-by: Jinhui.*/&\n[ Backport to x.y: nothing ]/' "no backport note expected"
broken "diff without the fix" "$B" 's/ || (current->flags & PF_WQ_WORKER)//' "does not add the PF_WQ_WORKER test"
done_testing
