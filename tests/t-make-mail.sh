#!/bin/bash
# make-mail: pending -> mainline only; a commit id -> the stable form;
# stable-kernel-rules order; the sender's identity from git config only.
. "$(dirname "$0")/lib.sh"
MM=$TOP/scripts/series/make-mail
B=$(default_branch)
NEWEST=$(branch_list | tail -1)
OLDEST=$(branch_list | sed -n 1p)
SHA=0123456789abcdef0123456789abcdef01234567
P=$(series_patches "$B" | sed -n 1p)
export GIT_CONFIG_GLOBAL=$TMP/gitconfig GIT_CONFIG_NOSYSTEM=1
git config --global user.name "Test Sender"
git config --global user.email "sender@example.org"
cd "$TMP" || exit 1

run_cmd "$MM" -o "$TMP/m1" "$B"
[ "$(last_rc)" = 2 ] && [ ! -e "$TMP/m1" ]; ok $? "pending: stable branch $B refused, nothing written" "$(last_err)"
expect_err mail-pending-stable.err; ok $? "pending: the refusal says why (fixtures/mail-pending-stable.err)" "$(last_err)"

# The v2 for mainline: msg/fix.conf has v1's link, the v2 subject and the
# recipients taken from v1's thread.
. "$TOP/msg/fix.conf"
MB=$(mainline_branch)
run_cmd "$MM" -o "$TMP/m2" "$MB"
m=$TMP/m2/$MB/mail/$P
ok "$(last_rc)" "pending: mainline submission for $MB written" "$(last_err)"
hdr=$(sed '/^$/q' "$m")
grep -qxF "Subject: [PATCH v2] $V2_SUBJECT" <<<"$hdr" && ! grep -q '^Subject:.*work_on_cpu' <<<"$hdr"; ok $? \
	"pending: '[PATCH v2]', a subject naming the effect, not work_on_cpu()" "$(grep '^Subject' <<<"$hdr")"
grep -qx 'To: Bjorn Helgaas <bhelgaas@google.com>' <<<"$hdr"; ok $? "pending: to the PCI maintainer"
miss=
while IFS= read -r r; do
	grep -qxF "Cc: $r" <<<"$hdr" || miss="$miss [$r]"
done < <(printf '%s\n' "$V2_THREAD_CC" linux-pci@vger.kernel.org linux-kernel@vger.kernel.org stable@vger.kernel.org)
[ -z "$miss" ]; ok $? "pending: Cc v1's recipients, the thread's reviewers, the lists and stable" "missing:$miss"
dups=$(sed -n 's/^\(To\|Cc\): //p' <<<"$hdr" | sed 's/.*<\(.*\)>.*/\1/' | tr 'A-Z' 'a-z' | sort | uniq -d)
[ -z "$dups" ]; ok $? "pending: no address twice" "$dups"
grep -qxF "Link: $V1_LINK" "$m"; ok $? "pending: Link: to v1 ($V1_MSGID)"
! grep -q -e '^Upstream-Commit:' -e '^\[ Backport' -e 'upstream\.$' "$m"; ok $? \
	"pending: no internal header, backport note or stable line"
tr=$(sed -n '/^Signed-off-by: Jinhui/,/^---$/p' "$m")
grep -q '^\[ Changes from v1' <<<"$tr" && [ "$(tail -2 <<<"$tr" | sed -n 1p)" = "Signed-off-by: Test Sender <sender@example.org>" ]; ok $? \
	"pending: the '[ Changes from v1 ]' note, then the sender's Signed-off-by" "$tr"
notes=$(awk 'f && /^ [^ ].*\| +[0-9]+ /{exit} f {print} /^---$/ {f=1}' "$m")
grep -q '^Changes since v1:' <<<"$notes" && grep -q 'driver core' <<<"$notes" && grep -qF "$V1_LINK" <<<"$notes"; ok $? \
	"pending: below '---', the changelog since v1, the answer to the review, v1's link" "$notes"
blob=$(awk -v f="$FIX_FILE" '$1 == f {print substr($2, 1, 12)}' "$TOP/patches/$MB/checked-blobs")
flat=$(tr '\n' ' ' <<<"$notes")
grep -q "^index $blob\.\." "$m" && grep -qF "Made against $(branch_field "$MB" checked)," <<<"$flat" && grep -qF "blob $blob" <<<"$flat"; ok $? \
	"pending: index line against the newest tree ($(branch_field "$MB" checked), $blob), named in the notes" "$notes"
mini_tree "$MB" "$TMP/tree-mb" && (cd "$TMP/tree-mb" && patch -p1 -F0 --dry-run <"$m" >"$TMP/mb.apply" 2>&1) && ! grep -qi 'offset\|fuzz' "$TMP/mb.apply"
ok $? "pending: the v2 applies to the $MB tree at fuzz 0, offset 0" "$(cat "$TMP/mb.apply" 2>/dev/null)"

# Without the tree's get_maintainer.pl, the recorded output is used and said.
src=$("$TOP/scripts/source/fetch-source" "$MB" 2>/dev/null)
if [ -n "$src" ] && [ -f "$src/scripts/checkpatch.pl" ]; then
	fake=$TMP/cache/src/$MB/$(branch_field "$MB" package)
	mkdir -p "$fake/scripts"
	ln -s "$src/scripts/checkpatch.pl" "$fake/scripts/checkpatch.pl"
	PCIPROBE_CACHE=$TMP/cache run_cmd "$MM" -o "$TMP/m8" "$MB"
	m8=$TMP/m8/$MB/mail/$P
	[ "$(last_rc)" = 0 ] && grep -q 'V2_GET_MAINTAINER' "$TMP/last.err" && grep -q 'as msg/fix.conf recorded it' "$m8" &&
		[ "$(sed '/^$/q' "$m8" | grep -c '^Cc: ')" = "$(grep -c '^Cc: ' <<<"$hdr")" ]; ok $? \
		"pending: no get_maintainer.pl at hand: the recorded list, said in stderr and the notes" "$(last_err)"
else
	skip "pending: no get_maintainer.pl at hand" "no $MB tree cached"
fi

run_cmd "$MM" -o "$TMP/m3" --upstream "$SHA" "$OLDEST"
[ "$(last_rc)" = 2 ] && [ ! -e "$TMP/m3" ]; ok $? "commit id: $OLDEST refused while newer branches lack the fix" "$(last_err)"
expect_err mail-newer-lacks.err; ok $? "commit id: the refusal names the newer branch (fixtures/mail-newer-lacks.err)" "$(last_err)"

run_cmd "$MM" -o "$TMP/m4" --upstream 0123abc "$NEWEST"
[ "$(last_rc)" = 2 ] && expect_err mail-bad-sha.err; ok $? "a short commit id is refused" "$(last_err)"

run_cmd "$MM" -o "$TMP/m5" --upstream "$SHA" all
ok "$(last_rc)" "commit id, all branches: written" "$(last_err)"
[ "$(ls "$TMP/m5" | wc -l)" = "$(branch_list | wc -l)" ]; ok $? "one mail per branch"
m=$TMP/m5/$OLDEST/mail/$P
body=$(awk 'b {print} /^$/ && !b {b=1}' "$m")
[ "$(printf '%s\n' "$body" | sed -n 1p)" = "commit $SHA upstream." ]; ok $? "stable form: 'commit <sha> upstream.' first"
grep -q "^Subject: \[PATCH $OLDEST.y\] " "$m" && grep -q '^To: stable@vger.kernel.org' "$m"; ok $? "stable form: [PATCH $OLDEST.y] to stable"
tr=$(sed -n '/^Signed-off-by: Jinhui/,/^---$/p' "$m")
grep -q "^\[ Changes from v1" <<<"$tr" && grep -q "^\[ Backport to $OLDEST.y" <<<"$tr" && [ "$(printf '%s\n' "$tr" | tail -2 | sed -n 1p)" = "Signed-off-by: Test Sender <sender@example.org>" ]; ok $? \
	"stable form: the notes (changes from v1, backport), then the sender's Signed-off-by" "$tr"
mini_tree "$B" "$TMP/tree" && (cd "$TMP/tree" && patch -p1 -F0 --dry-run -s <"$TMP/m5/$B/mail/$P" >/dev/null 2>&1)
ok $? "stable mail for $B applies to the $B tree at fuzz 0"

# The Upstream-Commit field alone turns the stable form on.
cp -a "$TOP/patches" "$TMP/patches"
sed -i "s/^Upstream-Commit: pending/Upstream-Commit: $SHA/" "$TMP"/patches/*/*.patch
PATCHES_DIR=$TMP/patches run_cmd "$MM" -o "$TMP/m6" all
[ "$(last_rc)" = 0 ] && grep -qx "commit $SHA upstream." "$TMP/m6/$B/mail/$P"; ok $? \
	"Upstream-Commit: <sha> in the patch gives the stable form" "$(last_err)"

export GIT_CONFIG_GLOBAL=$TMP/empty-gitconfig
: >"$GIT_CONFIG_GLOBAL"
run_cmd "$MM" -o "$TMP/m7" "$NEWEST"
[ "$(last_rc)" = 2 ] && [ ! -e "$TMP/m7" ] && expect_err mail-no-identity.err; ok $? \
	"no git identity: refused, nothing made up" "$(last_err)"
git config --global user.name "Test Sender"
run_cmd "$MM" -o "$TMP/m9" --upstream "$SHA" all
[ "$(last_rc)" = 2 ] && [ ! -e "$TMP/m9" ] && expect_err mail-no-identity.err; ok $? \
	"a name without an email: refused for the stable form too, nothing written" "$(last_err)"
done_testing
