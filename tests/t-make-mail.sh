#!/bin/bash
# make-mail: pending -> mainline only; a commit id -> the stable form;
# stable-kernel-rules order; the sender's identity from git config only.
. "$(dirname "$0")/lib.sh"
MM=$TOP/scripts/series/make-mail
B=$(default_branch)
NEWEST=$(branch_list | tail -1)
OLDEST=$(branch_list | head -1)
SHA=0123456789abcdef0123456789abcdef01234567
P=$(series_patches "$B" | head -1)
export GIT_CONFIG_GLOBAL=$TMP/gitconfig GIT_CONFIG_NOSYSTEM=1
git config --global user.name "Test Sender"
git config --global user.email "sender@example.org"
cd "$TMP" || exit 1

run_cmd "$MM" -o "$TMP/m1" "$B"
ok "$([ "$(last_rc)" = 2 ] && [ ! -e "$TMP/m1" ] && echo 0 || echo 1)" "pending: stable branch $B refused, nothing written" "$(last_err)"
ok "$(expect_err mail-pending-stable.err && echo 0 || echo 1)" "pending: the refusal says why (fixtures/mail-pending-stable.err)" "$(last_err)"

run_cmd "$MM" -o "$TMP/m2" "$NEWEST"
m=$TMP/m2/$NEWEST/mail/$P
ok "$(last_rc)" "pending: mainline submission for $NEWEST written" "$(last_err)"
ok "$(grep -q '^To: Bjorn Helgaas <bhelgaas@google.com>' "$m" && grep -q '^Cc: linux-pci@vger.kernel.org.*stable@vger.kernel.org' "$m" && echo 0 || echo 1)" \
	"pending: to the PCI maintainer and list, Cc stable"
ok "$(! grep -q -e '^Upstream-Commit:' -e '^\[ Backport' -e 'upstream\.$' "$m" && grep -q '^Subject: \[PATCH\] ' "$m" && echo 0 || echo 1)" \
	"pending: no internal header, backport note or stable line"

run_cmd "$MM" -o "$TMP/m3" --upstream "$SHA" "$OLDEST"
ok "$([ "$(last_rc)" = 2 ] && [ ! -e "$TMP/m3" ] && echo 0 || echo 1)" "commit id: $OLDEST refused while newer branches lack the fix" "$(last_err)"
ok "$(expect_err mail-newer-lacks.err && echo 0 || echo 1)" "commit id: the refusal names the newer branch (fixtures/mail-newer-lacks.err)" "$(last_err)"

run_cmd "$MM" -o "$TMP/m4" --upstream 0123abc "$NEWEST"
ok "$([ "$(last_rc)" = 2 ] && expect_err mail-bad-sha.err && echo 0 || echo 1)" "a short commit id is refused" "$(last_err)"

run_cmd "$MM" -o "$TMP/m5" --upstream "$SHA" all
ok "$(last_rc)" "commit id, all branches: written" "$(last_err)"
ok "$([ "$(ls "$TMP/m5" | wc -l)" = "$(branch_list | wc -l)" ] && echo 0 || echo 1)" "one mail per branch"
m=$TMP/m5/$OLDEST/mail/$P
body=$(awk 'b {print} /^$/ && !b {b=1}' "$m")
ok "$([ "$(printf '%s\n' "$body" | head -1)" = "commit $SHA upstream." ] && echo 0 || echo 1)" "stable form: 'commit <sha> upstream.' first"
ok "$(grep -q "^Subject: \[PATCH $OLDEST.y\] " "$m" && grep -q '^To: stable@vger.kernel.org' "$m" && echo 0 || echo 1)" "stable form: [PATCH $OLDEST.y] to stable"
tr=$(sed -n '/^Signed-off-by: Jinhui/,/^---$/p' "$m")
ok "$(printf '%s\n' "$tr" | grep -q "^\[ Backport to $OLDEST.y" && [ "$(printf '%s\n' "$tr" | tail -2 | head -1)" = "Signed-off-by: Test Sender <sender@example.org>" ] && echo 0 || echo 1)" \
	"stable form: backport note, then the sender's Signed-off-by" "$tr"
mini_tree "$B" "$TMP/tree" && (cd "$TMP/tree" && patch -p1 -F0 --dry-run -s <"$TMP/m5/$B/mail/$P" >/dev/null 2>&1)
ok $? "stable mail for $B applies to the $B tree at fuzz 0"

# The Upstream-Commit field alone turns the stable form on.
cp -a "$TOP/patches" "$TMP/patches"
sed -i "s/^Upstream-Commit: pending/Upstream-Commit: $SHA/" "$TMP"/patches/*/*.patch
PATCHES_DIR=$TMP/patches run_cmd "$MM" -o "$TMP/m6" all
ok "$([ "$(last_rc)" = 0 ] && grep -qx "commit $SHA upstream." "$TMP/m6/$B/mail/$P" && echo 0 || echo 1)" \
	"Upstream-Commit: <sha> in the patch gives the stable form" "$(last_err)"

export GIT_CONFIG_GLOBAL=$TMP/empty-gitconfig
: >"$GIT_CONFIG_GLOBAL"
run_cmd "$MM" -o "$TMP/m7" "$NEWEST"
ok "$([ "$(last_rc)" = 2 ] && [ ! -e "$TMP/m7" ] && expect_err mail-no-identity.err && echo 0 || echo 1)" \
	"no git identity: refused, nothing made up" "$(last_err)"
done_testing
