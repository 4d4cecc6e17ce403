#!/bin/bash
# make patch (scripts/series/mk-patch, mk-fix-patch --tree) on sparse copies
# of the Debian trees (only the files mk-patch --help lists), and on trees
# made from them at test time: another tree's line numbers, the shape
# before the housekeeping masks, the fix already in, a variant of it, no
# async probing, an unknown shape, a git tree. Every flavour's headers, as
# each distribution's rules want them (read by hand from those rules), and
# checkpatch on each flavour's patch. Needs the Debian trees (fetched).
. "$(dirname "$0")/lib.sh"
MK=$TOP/scripts/series/mk-patch
FILES="Makefile drivers/pci/pci-driver.c kernel/async.c drivers/base/dd.c include/linux/workqueue.h kernel/workqueue.c drivers/pci/bus.c"
export PCIPROBE_OUT=$TMP/out GIT_CONFIG_GLOBAL=$TMP/gitconfig GIT_CONFIG_NOSYSTEM=1
git config --global user.name "Dana Maintainer"
git config --global user.email dana@example.org

# sparse BRANCH DIR: the listed files of the branch's Debian tree
sparse() {
	local src f
	src=$("$TOP/scripts/source/fetch-source" "$1" 2>/dev/null) || return 1
	for f in $FILES; do mkdir -p "$2/$(dirname "$f")"; cp "$src/$f" "$2/$f"; done
}
# applies PATCH DIR: applies at fuzz 0 with no offset
applies() {
	local out
	out=$(cd "$2" && patch -p1 -F0 --dry-run <"$1" 2>&1) && ! grep -qi 'offset\|fuzz' <<<"$out"
}
# diff_part FILE: the patch from its diff --git line on
diff_part() { sed -n '/^diff --git/,$p' "$1"; }
nothing_written() { [ -z "$(ls -A "$TMP/out/patch" 2>/dev/null)" ]; }

# Usage and --help: the files it reads
run_cmd "$MK" --help
[ "$(last_rc)" = 0 ] && grep_q -F 'drivers/base/dd.c' "$TMP/last.out" && grep_q -F 'kernel/workqueue.c' "$TMP/last.out"; ok $? \
	"--help lists the files it reads" "$(cat "$TMP/last.out")"

# The family of each Debian tree by its shape (NOTES.md: A 5.10, B 6.1 and
# 6.12, C 7.x); the patch applies at fuzz 0, offset 0, and its diff is the
# branch's own series patch's (the same tree)
have=0
for b in 5.10 6.1 6.12 7.2 7.3; do
	case $b in 5.10) fam=A ;; 6.*) fam=B ;; 7.*) fam=C ;; esac
	sparse "$b" "$TMP/t-$b" || { skip "make patch on $b" "no $b tree (scripts/source/fetch-source $b)"; continue; }
	have=1
	ver=$(tree_version "$TMP/t-$b")
	run_cmd "$MK" "$TMP/t-$b"
	p=$(tail -1 "$TMP/last.out")
	[ "$(last_rc)" = 0 ] && [ -f "$p" ] && grep_q -F "$ver: family $fam;" "$TMP/last.err" && applies "$p" "$TMP/t-$b" &&
		[ "$(diff_part "$p")" = "$(diff_part "$TOP/patches/$b/$(series_patches "$b" | sed -n 1p)")" ]; ok $? \
		"$b ($ver, only the listed files): family $fam, applies at fuzz 0 offset 0, the series patch's diff" "$(last_err)"
	case $fam in
	A) grep_q -F "[ Backport to $ver: pci_call_probe() here still uses work_on_cpu()" "$p" && grep_q 'HK_FLAG_DOMAIN | HK_FLAG_WQ' "$p"; ok $? \
		"$b: the message's backport note names $ver" ;;
	C) grep_q -F "[ Made for $ver: its pci_call_probe() is the 7.x one" "$p"; ok $? \
		"$b: a note names $ver (7.x shape, no backport)" ;;
	esac
	rm -rf "$TMP/out/patch"
done
[ $have = 1 ] || done_testing

B=6.12
if [ -d "$TMP/t-$B" ]; then
	TR=$TMP/t-$B
	# Another tree's line numbers: 22 lines more above pci_call_probe() (a
	# Raspberry Pi 6.12 tree has the 6.12 patch at offset -22)
	cp -r "$TR" "$TMP/shift"
	{ for i in $(seq 1 22); do echo "/* vendor line $i */"; done; cat "$TR/drivers/pci/pci-driver.c"; } >"$TMP/shift/drivers/pci/pci-driver.c"
	run_cmd "$MK" "$TMP/shift"
	p=$(tail -1 "$TMP/last.out")
	out=$(cd "$TMP/shift" && patch -p1 -F0 --dry-run <"$TOP/patches/$B/0001-PCI-Avoid-work_on_cpu-in-async-probe-workers.patch" 2>&1 || true)
	[ "$(last_rc)" = 0 ] && applies "$p" "$TMP/shift" && grep_q 'offset 22 lines' <<<"$out"; ok $? \
		"a tree whose lines moved by 22: the series patch lands at offset 22, make patch's at offset 0" "$out"
	rm -rf "$TMP/out/patch"

	# A git tree: the note names its commit
	cp -r "$TR" "$TMP/git"
	git -C "$TMP/git" init -q && git -C "$TMP/git" add -A && git -C "$TMP/git" commit -qm vendor
	c=$(git -C "$TMP/git" rev-parse HEAD | cut -c1-12)
	run_cmd "$MK" "$TMP/git"
	p=$(tail -1 "$TMP/last.out")
	[ "$(last_rc)" = 0 ] && grep_q -F "[ Backport to 6.12.117 (commit $c): pci_call_probe()" "$p"; ok $? \
		"a git tree: the backport note names its version and commit $c" "$(grep -F 'Backport' "$p")"
	run_cmd "$MK" --name "Raspberry Pi rpi-6.12.y" "$TMP/git"
	p=$(tail -1 "$TMP/last.out")
	[ "$(last_rc)" = 0 ] && grep_q -F "[ Backport to Raspberry Pi rpi-6.12.y: pci_call_probe()" "$p"; ok $? \
		"--name: the note names the tree as given" "$(grep -F 'Backport' "$p")"
	rm -rf "$TMP/out/patch"

	# Every flavour: its headers as the distribution's rules want them
	flavour() {	# flavour NAME [BUG]: make the patch; P is its path
		run_cmd "$MK" --flavor "$1" ${2:+--bug "$2"} "$TR"
		P=$(tail -1 "$TMP/last.out")
		[ "$(last_rc)" = 0 ] && [ -f "$P" ]
	}
	hdr() { sed -n '1,/^$/p' "$P"; }	# the mail header block
	body1() { sed -n '/^$/,$p' "$P" | sed -n 2p; }	# the body's first line
	before_cut() { sed -n '/^---$/q; p' "$P" | tail -"$1"; }	# the lines before ---
	SOB="Signed-off-by: Dana Maintainer <dana@example.org>"
	flavour plain
	[ "$(last_rc)" = 0 ] && [ "$(before_cut 1)" = "$SOB" ] && ! grep_q '^Upstream-Commit:' "$P" &&
		[ "$(hdr | grep -c -E '^[A-Za-z-]+: ')" = 3 ]; ok $? \
		"plain: From/Date/Subject only (no Upstream-Commit:), the sender's sign-off last" "$(hdr; before_cut 2)"
	flavour suse bsc#1234567
	hdr | grep_q -x 'Patch-mainline: Submitted, 2025-12-27 linux-pci@vger.kernel.org' && hdr | grep_q -x 'References: bsc#1234567' &&
		! grep_q '^Git-commit:' "$P" && [ "$(before_cut 1)" = "$SOB" ] && grep_q 'SUSE address' "$TMP/last.err"; ok $? \
		"suse: Patch-mainline: Submitted, <v1's date> <list>; References:; no Git-commit: (not merged); says a SUSE ack is needed" "$(hdr)"
	flavour ubuntu 2081234
	hdr | grep_q -x 'Subject: \[PATCH\] UBUNTU: SAUCE: PCI: Avoid work_on_cpu() in async probe workers' &&
		[ "$(body1)" = "BugLink: https://bugs.launchpad.net/bugs/2081234" ] && [ "$(before_cut 1)" = "$SOB" ]; ok $? \
		"ubuntu: UBUNTU: SAUCE: subject, BugLink: the body's first line" "$(hdr; body1)"
	flavour android 412345678
	hdr | grep_q -x 'Subject: \[PATCH\] FROMLIST: PCI: Avoid work_on_cpu() in async probe workers' &&
		[ "$(before_cut 3 | sed -n 1p)" = "Bug: 412345678" ] && before_cut 3 | sed -n 2p | grep_q -E -x 'Change-Id: I[0-9a-f]{40}' &&
		[ "$(before_cut 1)" = "$SOB" ] && grep_q -x 'Link: https://lore.kernel.org/r/20251227113326.964-1-guojinhui.liam@bytedance.com' "$P"; ok $? "android: FROMLIST: subject, the Link: to the post, Bug: and Change-Id: before the sender's sign-off" "$(hdr; before_cut 3)"
	flavour debian 1012345
	hdr | grep_q -x 'Origin: other, https://lore.kernel.org/r/20251227113326.964-1-guojinhui.liam@bytedance.com' &&
		hdr | grep_q -x 'Forwarded: https://lore.kernel.org/r/20251227113326.964-1-guojinhui.liam@bytedance.com' &&
		hdr | grep_q -x 'Bug-Debian: https://bugs.debian.org/1012345' && hdr | grep_q -x "Last-Update: $(date -u +%F)"; ok $? \
		"debian: DEP-3 Origin, Forwarded, Bug-Debian, Last-Update" "$(hdr)"
	flavour debian
	[ "$(last_rc)" = 0 ] && ! grep_q '^Bug-Debian:' "$P" && hdr | grep_q '^Forwarded:'; ok $? \
		"debian without BUG=: no Bug-Debian: line (optional)" "$(hdr)"
	flavour fedora RHEL-12345
	[ "$(body1)" = "JIRA: https://issues.redhat.com/browse/RHEL-12345" ] &&
		sed -n '/^$/,$p' "$P" | sed -n 3p | grep_q -x 'Upstream Status: Posted, 2025-12-27 linux-pci@vger.kernel.org (Link: below)'; ok $? \
		"fedora: JIRA: and Upstream Status: at the top of the body" "$(sed -n '/^$/,$p' "$P" | sed -n 1,4p)"

	# lintian's DEP-3 checks on a Debian source package (3.0 (quilt)) that
	# carries the debian flavour's patch; the same package with a patch
	# without any header must draw quilt-patch-missing-description (so the
	# check ran)
	if command -v lintian >/dev/null && command -v dpkg-source >/dev/null; then
		flavour debian 1012345
		dep3() {	# dep3 PATCH: lintian's patch tags for a source package carrying PATCH
			local d=$TMP/dep3
			rm -rf "$d"
			mkdir -p "$d/pciprobe-dep3-1.0/drivers/pci"
			cp "$TR/Makefile" "$d/pciprobe-dep3-1.0/"
			cp "$TR/drivers/pci/pci-driver.c" "$d/pciprobe-dep3-1.0/drivers/pci/"
			tar -C "$d" -czf "$d/pciprobe-dep3_1.0.orig.tar.gz" pciprobe-dep3-1.0
			mkdir -p "$d/pciprobe-dep3-1.0/debian/source" "$d/pciprobe-dep3-1.0/debian/patches"
			(
				cd "$d/pciprobe-dep3-1.0/debian" || exit 1
				echo "3.0 (quilt)" >source/format
				cp "$1" patches/fix.patch
				echo fix.patch >patches/series
				printf 'Source: pciprobe-dep3\nSection: kernel\nPriority: optional\nMaintainer: Dana Maintainer <dana@example.org>\nBuild-Depends: debhelper-compat (= 13)\nStandards-Version: 4.6.2\nRules-Requires-Root: no\n\nPackage: pciprobe-dep3\nArchitecture: all\nDepends: ${misc:Depends}\nDescription: DEP-3 check of a kernel patch\n A source package that carries one kernel patch, for lintian.\n' >control
				printf 'pciprobe-dep3 (1.0-1) unstable; urgency=medium\n\n  * Carry the fix.\n\n -- Dana Maintainer <dana@example.org>  Mon, 07 Dec 2026 00:00:00 +0000\n' >changelog
				printf '#!/usr/bin/make -f\n%%:\n\tdh $@\n' >rules
				printf 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nCopyright: the Linux kernel authors\nLicense: GPL-2\n On Debian systems, see /usr/share/common-licenses/GPL-2.\n' >copyright
			)
			(cd "$d" && dpkg-source -b pciprobe-dep3-1.0 >/dev/null 2>&1) || { echo "dpkg-source failed"; return; }
			lintian -I -E --pedantic --tag-display-limit 0 "$d/pciprobe-dep3_1.0-1.dsc" 2>/dev/null |
				awk '$3 == "source:" {print $4}' | grep -E -i 'patch|dep3|quilt' || true
		}
		tags=$(dep3 "$P")
		sed -n '/^diff --git/,$p' "$P" >"$TMP/bare.patch"
		bare=$(dep3 "$TMP/bare.patch")
		[ -z "$tags" ] && grep_q 'quilt-patch-missing-description' <<<"$bare"; ok $? \
			"lintian on a source package carrying the debian patch: no patch or DEP-3 tag (a header-less patch draws quilt-patch-missing-description)" "$tags / $bare"
	else
		skip "lintian's DEP-3 checks" "no lintian or dpkg-source (Debian packages lintian, dpkg-dev)"
	fi

	# checkpatch on every flavour's patch (the tree's own checkpatch.pl;
	# UNKNOWN_COMMIT_ID: a tarball tree has no history; each flavour's
	# checkpatch_ignore: a tag its own rules require)
	CP=$("$TOP/scripts/source/fetch-source" "$B" 2>/dev/null)/scripts/checkpatch.pl
	for f in "$TOP"/msg/flavors/*.conf; do
		n=$(basename "$f" .conf)
		case $n in suse) bug=bsc#1234567 ;; ubuntu) bug=2081234 ;; android) bug=412345678 ;; debian) bug=1012345 ;; fedora) bug=RHEL-12345 ;; *) bug= ;; esac
		flavour "$n" $bug || { ok 1 "checkpatch on the $n patch" "mk-patch failed: $(last_err)"; continue; }
		ign=$(sed -n 's/^checkpatch_ignore=//p' "$f" | paste -sd,)
		out=$(perl "$CP" --no-tree --strict --show-types --ignore "UNKNOWN_COMMIT_ID${ign:+,$ign}" "$P" 2>&1)
		grep_q -E '^total: 0 errors, 0 warnings, 0 checks' <<<"$out"; ok $? \
			"checkpatch --strict on the $n patch: clean${ign:+ (ignoring $ign, required by the $n rules)}" "$out"
	done
	rm -rf "$TMP/out/patch"

	# Refusals: one line, exit 2, nothing written
	refuse() {	# refuse NAME WANT-ERR ARGS...
		local name=$1 want=$2
		shift 2
		run_cmd "$MK" "$@"
		[ "$(last_rc)" = 2 ] && [ "$(last_err)" = "$want" ] && nothing_written; ok $? "$name: one line, exit 2, nothing written" "$(last_err)"
	}
	refuse "ubuntu without BUG=" "mk-patch: error: FLAVOR=ubuntu needs BUG=: a Launchpad bug number (BugLink: https://bugs.launchpad.net/bugs/NUMBER)" --flavor ubuntu "$TR"
	refuse "suse without BUG=" "mk-patch: error: FLAVOR=suse needs BUG=: a reference for References: (bsc#NUMBER, jsc#PED-NUMBER, or a URL)" --flavor suse "$TR"
	refuse "fedora with a bug number that is not a JIRA key" "mk-patch: error: BUG=123 is not what FLAVOR=fedora takes: a JIRA issue key (RHEL-NUMBER)" --flavor fedora --bug 123 "$TR"
	refuse "an unknown flavour" "mk-patch: error: no flavour 'gentoo' (msg/flavors: android debian fedora plain suse ubuntu)" --flavor gentoo "$TR"
	GIT_CONFIG_GLOBAL=/dev/null refuse "no git identity" "mk-patch: error: no sender identity for the Signed-off-by: set git config user.name and user.email" "$TR"
	rm -f "$TMP/partial"; mkdir -p "$TMP/partial"; cp -r "$TR/drivers" "$TR/Makefile" "$TMP/partial/"
	refuse "a tree without kernel/async.c" "mk-patch: error: $TMP/partial has no kernel/async.c (the patch reads: $FILES)" "$TMP/partial"

	# The fix already there: exit 3; a variant (queue_work_node() in
	# pci_call_probe(), as the v1 review proposed): exit 3
	cp -r "$TR" "$TMP/fixed"
	(cd "$TMP/fixed" && patch -s -p1 <"$TOP/patches/$B/0001-PCI-Avoid-work_on_cpu-in-async-probe-workers.patch")
	run_cmd "$MK" "$TMP/fixed"
	[ "$(last_rc)" = 3 ] && grep_q 'already fixed' "$TMP/last.err" && [ "$(wc -l <"$TMP/last.err")" = 1 ] && nothing_written; ok $? \
		"a tree with the fix: exit 3, one line, nothing written" "$(last_err)"
	cp -r "$TR" "$TMP/variant"
	sed -i 's/error = work_on_cpu(cpu, local_pci_probe, &ddi);/queue_work_node(node, system_dfl_wq, \&pw.work);/' "$TMP/variant/drivers/pci/pci-driver.c"
	run_cmd "$MK" "$TMP/variant"
	[ "$(last_rc)" = 3 ] && grep_q 'variant.*queue_work_node' "$TMP/last.err" && nothing_written; ok $? \
		"a tree with the queue_work_node() variant: exit 3" "$(last_err)"
	# No async probing in node-queued workers (before v5.1): exit 4
	cp -r "$TR" "$TMP/old"
	sed -i 's/__driver_attach_async_helper/__driver_attach_helper/g' "$TMP/old/drivers/base/dd.c"
	run_cmd "$MK" "$TMP/old"
	[ "$(last_rc)" = 4 ] && grep_q 'nothing to fix.*v5.1' "$TMP/last.err" && nothing_written; ok $? \
		"a driver core without async probing in workers: nothing to fix, exit 4, says from v5.1" "$(last_err)"
	# An unknown shape: exit 2 with its condition lines
	cp -r "$TR" "$TMP/odd"
	sed -i 's/^\t    pci_physfn_is_probed(dev)) {$/\t    pci_physfn_is_probed(dev) || vendor_pinned(dev)) {/' "$TMP/odd/drivers/pci/pci-driver.c"
	run_cmd "$MK" "$TMP/odd"
	[ "$(last_rc)" = 2 ] && grep_q 'no known shape' "$TMP/last.err" && grep_q 'vendor_pinned(dev)) {' "$TMP/last.err" &&
		grep_q 'if (node < 0' "$TMP/last.err" && nothing_written; ok $? \
		"an unknown shape: exit 2, its condition lines printed" "$(last_err)"
fi

# A tree with CRLF line endings (a real vendor source drop has them): one
# line naming the files and the way out, exit 2, nothing written
if [ -d "$TMP/t-6.12" ]; then
	cp -r "$TMP/t-6.12" "$TMP/crlf"
	sed -i 's/$/\r/' "$TMP/crlf/Makefile" "$TMP/crlf/drivers/pci/pci-driver.c"
	run_cmd "$MK" "$TMP/crlf"
	[ "$(last_rc)" = 2 ] && [ "$(last_err | wc -l)" = 1 ] && nothing_written &&
		last_err | grep_q 'CRLF line endings in Makefile drivers/pci/pci-driver.c: convert the tree to LF'; ok $? \
		"a CRLF tree: refused in one line naming its files, exit 2, nothing written" "$(last_err)"
fi

# The shape before the housekeeping masks (family O), made from 5.10's
# pci_call_probe() as upstream had it before them (family_o)
if [ -d "$TMP/t-5.10" ]; then
	cp -r "$TMP/t-5.10" "$TMP/o"
	family_o "$TMP/o"
	run_cmd "$MK" "$TMP/o"
	p=$(tail -1 "$TMP/last.out")
	[ "$(last_rc)" = 0 ] && grep_q 'family O;' "$TMP/last.err" && applies "$p" "$TMP/o" &&
		grep_q -F 'cpumask_any_and(cpumask_of_node(node), cpu_online_mask)' "$p" && ! grep_q 'HK_FLAG' "$p" &&
		grep_q 'predates the housekeeping masks' "$p" && grep_q 'isolated' "$p"; ok $? \
		"the shape before the housekeeping masks: family O, applies at fuzz 0, the message names no housekeeping mask" "$(last_err)"
fi
done_testing
