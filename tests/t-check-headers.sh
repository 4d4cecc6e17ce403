#!/bin/bash
# check-headers: the real series pass; each missing header is caught.
. "$(dirname "$0")/lib.sh"
CH=$TOP/scripts/series/check-headers
mapfile -t ALL < <(branch_list)
run_cmd "$CH" "${ALL[@]}"
ok "$(last_rc)" "every branch's series passes" "$(cat "$TMP/last.out")"

B=$(branch_rows | awk '$2 != "C" && !f++ {print $1}')	# a backport branch
M=$(branch_rows | awk '$2 == "C" && !f++ {print $1}')	# a mainline-family branch
# broken NAME BRANCH SED-EXPR EXPECTED-SUBSTRING
broken() {
	rm -rf "$TMP/p"
	cp -a "$TOP/patches" "$TMP/p"
	local f
	f=$TMP/p/$2/$(series_patches "$2" | sed -n 1p)
	sed -i "$3" "$f"
	PATCHES_DIR=$TMP/p run_cmd "$CH" "$2"
	[ "$(last_rc)" = 1 ] && grep -qF "$4" "$TMP/last.out"; ok $? "$1" "$(cat "$TMP/last.out")"
}
broken "no Upstream-Commit" "$B" '/^Upstream-Commit:/d' "no Upstream-Commit: header"
broken "bad Upstream-Commit" "$B" 's/^Upstream-Commit: .*/Upstream-Commit: soon/' "is neither 'pending' nor a 40-hex sha"
broken "no Fixes:" "$B" '/^Fixes:/d' "no 'Fixes: "
broken "no Cc: stable" "$B" '/^Cc: stable/d' "no 'Cc: stable@vger.kernel.org' tag"
broken "no author Signed-off-by" "$B" '/^Signed-off-by: Jinhui/d' "no Signed-off-by of the author"
broken "no backport note on a family A/B branch" "$B" '/^\[ Backport/,/\]$/d' "needs a '[ Backport to $B.y ... ]' note"
broken "backport note on a mainline-family branch" "$M" 's/^Signed-off-by: Jinhui.*/&\n[ Backport to x.y: nothing ]/' "no backport note expected"
broken "diff without the fix" "$B" 's/ || (current->flags & PF_WQ_WORKER)//' "does not add the PF_WQ_WORKER test"

# Who changed v1, and whose sign-offs a patch may carry.
broken "no '[ Changes from v1 ]' note" "$M" '/^\[ Changes from v1/,/\]$/d' "no '[ Changes from v1 ... ]' note"
broken "the note does not name the package" "$M" 's/the pci-probe-backport package/someone/' "does not name who made the changes"
broken "the note before the author's Signed-off-by" "$M" '/^Signed-off-by: Jinhui/d; s/the same condition\. \]$/&\nSigned-off-by: Jinhui Guo <guojinhui.liam@bytedance.com>/' "must follow the author's Signed-off-by"
broken "a sign-off besides the author's" "$B" 's/^Signed-off-by: Jinhui.*/&\nSigned-off-by: Some One <some@one.example>/' "a Signed-off-by other than the author's"
# One message source: the patch's message is what msg/fix.msg gives.
broken "message edited by hand" "$B" 's/^All devices of a node get the same CPU/All devices get the same CPU/' "is not what msg/fix.msg gives for $B"

# broken_in NAME BRANCH FILE SED-EXPR EXPECTED-SUBSTRING: like broken, on
# any file of patches/BRANCH/
broken_in() {
	rm -rf "$TMP/p"
	cp -a "$TOP/patches" "$TMP/p"
	sed -i "$4" "$TMP/p/$2/$3"
	PATCHES_DIR=$TMP/p run_cmd "$CH" "$2"
	[ "$(last_rc)" = 1 ] && grep -qF "$5" "$TMP/last.out"; ok $? "$1" "$(cat "$TMP/last.out")"
}
F=$(series_patches "$B" | sed -n 1p)
broken_in "facts of another tree: the message no longer matches" "$B" fix.facts 's/^ASYNC_WQ=.*/ASYNC_WQ=other_wq/' "is not what msg/fix.msg gives for $B"

# The index lines name the blobs the series was checked against.
blob=$(awk -v f="$FIX_FILE" '$1 == f {print substr($2, 1, 12)}' "$TOP/patches/$B/checked-blobs")
grep -q "^index $blob\.\." "$TOP/patches/$B/$F"; ok $? "$B's fix names its checked pci-driver.c blob $blob"
broken_in "fix made against another file" "$B" "$F" "s/^index $blob/index 0123456789ab/" "index 0123456789ab of $FIX_FILE is not the checked $B blob $blob"
broken_in "a file missing from checked-blobs" "$B" checked-blobs '/^drivers\/pci\/pci-driver.c /d' "$FIX_FILE is not in $B/checked-blobs"
rm -rf "$TMP/p"
cp -a "$TOP/patches" "$TMP/p"
rm "$TMP/p/$B/checked-blobs"
PATCHES_DIR=$TMP/p run_cmd "$CH" "$B"
[ "$(last_rc)" = 1 ] && grep -qF "no checked-blobs" "$TMP/last.out"; ok $? "no checked-blobs file" "$(cat "$TMP/last.out")"
# Every branch records the file the fix was checked against, full id.
bad=
for b in "${ALL[@]}"; do
	awk -v f="$FIX_FILE" '$1 == f {print $2}' "$TOP/patches/$b/checked-blobs" 2>/dev/null | grep_q -xE '[0-9a-f]{40}' || bad="$bad $b"
done
[ -z "$bad" ]; ok $? "every branch's checked-blobs has $FIX_FILE's full blob id" "$bad"
# 6.18: the real 6.18.16 files, not the fork's (NOTES.md, "Corrections")
if branch_list | grep_q -xF 6.18; then
	grep -qx 'drivers/pci/pci-driver.c b4111c92c957[0-9a-f]*' "$TOP/patches/6.18/checked-blobs"; ok $? \
		"6.18 checked against the real 6.18.16 pci-driver.c (b4111c92c957)"
fi

# The generators give back exactly the committed patches from the cached tree.
D=$(default_branch)
if src=$("$TOP/scripts/source/fetch-source" "$D" 2>/dev/null); then
	run_cmd "$TOP/scripts/series/mk-fix-patch" --check "$D" "$src"
	ok "$(last_rc)" "mk-fix-patch --check $D: the fix is what msg/fix.msg, fix.facts and the tree give" "$(last_err)"
	rm -rf "$TMP/p"
	cp -a "$TOP/patches" "$TMP/p"
	PATCHES_DIR=$TMP/p run_cmd "$TOP/scripts/series/mk-fix-patch" "$D" "$src"
	[ "$(last_rc)" = 0 ] && diff -r "$TOP/patches/$D" "$TMP/p/$D" >/dev/null; ok $? \
		"mk-fix-patch $D rewrites the same patch and checked-blobs" "$(last_err; diff -r "$TOP/patches/$D" "$TMP/p/$D")"
	# A tree whose facts differ from fix.facts is refused, nothing written.
	mkdir -p "$TMP/t2/kernel" "$TMP/t2/drivers/base" "$TMP/t2/drivers/pci" "$TMP/t2/include/linux"
	for f in Makefile Kconfig "$FIX_FILE" kernel/async.c kernel/workqueue.c drivers/base/dd.c include/linux/workqueue.h drivers/pci/bus.c; do
		cp "$src/$f" "$TMP/t2/$f"
	done
	sed -i 's/queue_work_node(node, [a-z_]*, &entry->work);/queue_work_node(node, other_wq, \&entry->work);/' "$TMP/t2/kernel/async.c"
	cp -a "$TOP/patches" "$TMP/p2"
	PATCHES_DIR=$TMP/p2 run_cmd "$TOP/scripts/series/mk-fix-patch" "$D" "$TMP/t2"
	[ "$(last_rc)" = 1 ] && grep -q 'fix.facts differs' "$TMP/last.err" && diff -r "$TOP/patches" "$TMP/p2" >/dev/null; ok $? \
		"mk-fix-patch: a tree whose facts differ from fix.facts is refused, nothing written" "$(last_err)"
else
	skip "mk-fix-patch / mk-test-patch on the $D tree" "no $D tree here"
fi
done_testing
