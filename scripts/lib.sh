# shellcheck shell=bash
# Shared helpers for the scripts in this folder. Sourced, never run.
# The core every script needs: paths, messages and phases, the branch
# table (branches.conf), the tree and series inspection, the compiler.
# The helpers of one concern are in scripts/lib/ and sourced by the
# scripts that use them (a kernel build's cache key hashes only what that
# build reads: this file, not those):
#   lib/packaging.sh   package identity and staging    lib/apt.sh   the apt client
#   lib/checkpatch.sh  checkpatch.pl of a cached tree  lib/bench.sh statistics
#   lib/system.sh      the guests' per-branch facts    lib/conf-write.sh  branches.conf writer
#
# Exit codes used by every script (kselftest-like):
#   0  done / pass
#   1  failure (a patch does not apply, a check fails)
#   2  bad input (usage, unknown branch, wrong or dirty tree, missing tool)
#   3  already fixed (the tree carries the fix by other means)
#   4  skip (what was asked cannot be had here)

TOPDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BRANCHES_CONF=${BRANCHES_CONF:-$TOPDIR/branches.conf}
# Facts that hold for every branch: recipients, package revisions
# shellcheck source=../project.conf
. "${PROJECT_CONF:-$TOPDIR/project.conf}"
PATCHES_DIR=${PATCHES_DIR:-$TOPDIR/patches}
CACHE=$(realpath -m "${PCIPROBE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pciprobe}")
PROG=${PROG:-$(basename "$0")}
# the test-only KUnit patches, generated from kunit/ (scripts/series/mk-test-patch)
KUNIT_PATCHES_DIR=${KUNIT_PATCHES_DIR:-$CACHE/kunit-patches}

# The file the fix touches, and the function it changes.
FIX_FILE=drivers/pci/pci-driver.c
FIX_FUNC=pci_call_probe

# grep_q ARGS...: grep -q that reads all of its input. Under pipefail
# `cmd | grep -q` fails now and then although it matched: grep exits at the
# first match, cmd gets SIGPIPE, and the pipeline's status is cmd's.
grep_q() { grep "$@" >/dev/null; }

# cc_setup: CC_CMD, the compiler of every kernel build here: "ccache gcc"
# where ccache is installed, in its default mode, else "gcc".
# Not depend mode, although it was faster (12 files of 6.12's Debian
# config from an empty cache: gcc 21.9 s, default mode 27.8 s, depend mode
# 21.8 s): depend mode takes a file's dependencies from -MMD, which does
# not name the files an assembler .incbin reads, so it served a stale
# arch/x86/boot/compressed/piggy.o and the bzImage of 7.3's "after" held
# the "before" kernel (CI, 2026-12-07). In its default mode ccache
# preprocesses on a miss, sees the .incbin and does not cache that file.
# Entries that depend mode wrote are found by the default mode too, so a
# cache that depend mode filled is emptied once (marked by cache-mode), a
# user's CCACHE_DIR too, saying so; CCACHE_NODEPEND=1 overrides a
# depend_mode set in ccache.conf or the environment.
# CC_MAKE: the make arguments every kernel build passes, CC_CMD as CC and
# as HOSTCC: with CC and HOSTCC different, the kernel's bindeb-pkg (6.x
# install-extmod-build) builds the headers package's host programs again,
# unstripped (lintian: an error).
cc_setup() {
	CC_CMD=gcc
	if command -v ccache >/dev/null; then
		CC_CMD="ccache gcc"
		export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache} CCACHE_NODEPEND=1
		unset CCACHE_DEPEND
		mkdir -p "$CCACHE_DIR"
		# once per cache; one process at a time (tests run two at once)
		(
			flock 9
			if [ "$(cat "$CCACHE_DIR/cache-mode" 2>/dev/null)" != default ]; then
				if find "$CCACHE_DIR" -mindepth 1 -maxdepth 1 ! -name 'cache-mode*' | grep_q .; then
					info "emptying $CCACHE_DIR once: its depend-mode entries can hold stale .incbin objects; those objects in $CACHE/build are made again"
					forget_incbin_objects "$CACHE/build"
					ccache -C >/dev/null
				fi
				echo default >"$CCACHE_DIR/cache-mode"
			fi
		) 9>"$CCACHE_DIR/cache-mode.lock"
	fi
	CC_MAKE=(CC="$CC_CMD" HOSTCC="$CC_CMD")
}

# forget_incbin_objects DIR: remove, in the kernel build dirs under DIR,
# every object whose source (named in its .o.cmd) reads a file by .incbin
# (the realmode blob, the certificates, /proc/config.gz, the initramfs),
# so that the next build makes it again from its real input.
forget_incbin_objects() {
	local pairs
	pairs=$(mktemp)
	# each line "CMDFILE:source_OBJ := SRC" becomes "OBJPATH<tab>SRCPATH";
	# OBJ and a relative SRC are relative to the build dir's root
	find "$1" -name '.*.o.cmd' -exec grep -H -m1 '^source_' {} + 2>/dev/null | awk '
		{ i = index($0, ":source_"); c = substr($0, 1, i - 1); rel = substr($0, i + 8)
		  src = rel; sub(/ := .*/, "", rel); sub(/^[^ ]* := /, "", src)
		  if (src !~ /\.[cS]$/) next
		  dir = c; sub(/\/[^\/]*$/, "", dir); reldir = rel; base = rel
		  if (sub(/\/[^\/]*$/, "", reldir)) { root = substr(dir, 1, length(dir) - length(reldir) - 1); sub(/.*\//, "", base) }
		  else { root = dir }
		  if (src !~ /^\//) src = root "/" src
		  print dir "/" base "\t" src }' >"$pairs" || true
	cut -f2 "$pairs" | sort -u | xargs -r -d '\n' grep -lF .incbin 2>/dev/null |
		awk -F'\t' 'NR == FNR { inc[$0] = 1; next } ($2 in inc) { print $1 }' - "$pairs" |
		xargs -r -d '\n' rm -f || true
	rm -f "$pairs"
}

# check_bzimage KSRC OBJ: the bzImage in OBJ must carry the vmlinux that
# was just linked there (its decompressed payload starts with
# arch/x86/boot/compressed/vmlinux.bin), else exit 1: a stale payload
# would boot the previous build under this build's name.
check_bzimage() {
	local bin=$2/arch/x86/boot/compressed/vmlinux.bin payload rc=0
	payload=$(mktemp)
	"$1/scripts/extract-vmlinux" "$2/arch/x86/boot/bzImage" >"$payload" 2>/dev/null || rc=2
	[ $rc != 0 ] || cmp -s -n "$(stat -c %s "$bin")" "$payload" "$bin" || rc=1
	rm -f "$payload"
	case $rc in
	2) die "$2/arch/x86/boot/bzImage: its compressed kernel cannot be taken out (scripts/extract-vmlinux)" 1 ;;
	1) die "$2/arch/x86/boot/bzImage does not carry the vmlinux just linked (stale compressed payload)" 1 ;;
	esac
}

die() {		# die MESSAGE [EXIT]: one line on stderr, then exit
	_STAGE_SAID=1
	echo "$PROG: error: $1" >&2
	exit "${2:-1}"
}

usage_die() {	# bad input: exit 2
	die "$1" 2
}

info() {
	echo "$PROG: $*" >&2
}

# phase NAME: print a phase header; phase_end prints how long it took.
phase() {
	_PHASE=$1
	_PHASE_T0=$(date +%s)
	echo "== $PROG: $_PHASE ..." >&2
}

phase_end() {
	echo "== $PROG: $_PHASE done in $(($(date +%s) - _PHASE_T0)) s" >&2
}

# need TOOL:PACKAGE ...: fail with the package to install for the first missing tool.
need() {
	local t
	for t in "$@"; do
		command -v "${t%%:*}" >/dev/null 2>&1 ||
			usage_die "missing tool '${t%%:*}': install the Debian package '${t#*:}'"
	done
}

# branch_rows: the data rows of branches.conf (no comments, no blank lines)
branch_rows() {
	[ -r "$BRANCHES_CONF" ] || die "cannot read $BRANCHES_CONF" 2
	grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$BRANCHES_CONF"
}

# branch_list: every supported branch, oldest first, as listed
branch_list() {
	branch_rows | awk '{print $1}'
}

# Field numbers of branches.conf
declare -A _BF=([branch]=1 [family]=2 [checked]=3 [package]=4 [version]=5 [suite]=6 [stable]=7 [flags]=8 [stock]=9)

# branch_field BRANCH FIELD: print one field of a branch's row; exit 2 for an unknown branch
branch_field() {
	local n=${_BF[$2]:-}
	[ -n "$n" ] || die "internal: unknown field '$2'" 1
	local v
	v=$(branch_rows | awk -v b="$1" -v n="$n" '$1 == b {print $n; found=1} END {exit !found}') ||
		usage_die "unknown branch '$1' (known: $(branch_list | paste -sd' '))"
	echo "$v"
}

# check_branch BRANCH: exit 2 unless BRANCH is listed
check_branch() {
	[ -n "${1:-}" ] || usage_die "no branch given (known: $(branch_list | paste -sd' '))"
	branch_field "$1" branch >/dev/null
}

branch_has_flag() {	# branch_has_flag BRANCH FLAG
	case ",$(branch_field "$1" flags)," in *",$2,"*) return 0 ;; esac
	return 1
}

# flagged_branch FLAG: the (first) branch with FLAG in branches.conf
flagged_branch() {
	local b
	for b in $(branch_list); do
		branch_has_flag "$b" "$1" && { echo "$b"; return; }
	done
	die "no branch has the '$1' flag in $BRANCHES_CONF" 1
}

# default_branch: the README's default branch
default_branch() { flagged_branch default; }

# mainline_branch: the branch flagged "mainline": the newest, whose code
# family is mainline's (a mainline submission is made against it)
mainline_branch() { flagged_branch mainline; }

# buildable_branches: branches whose source tree can be had here (a Debian package)
buildable_branches() {
	branch_rows | awk '$4 != "-" {print $1}'
}

# series_patches BRANCH [SERIES]: the patch file names of a series, in order
series_patches() {
	local series=${2:-series}
	local f=$PATCHES_DIR/$1/$series
	[ -r "$f" ] || die "no $series file for branch $1 ($f)" 1
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$f" | awk '{print $1}'
}

# tree_version DIR: "VERSION.PATCHLEVEL.SUBLEVEL" of a kernel tree's Makefile
tree_version() {
	awk -F' *= *' '$1=="VERSION"{v=$2} $1=="PATCHLEVEL"{p=$2} $1=="SUBLEVEL"{s=$2}
		END {if (v != "" && p != "") print v "." p "." s}' "$1/Makefile" 2>/dev/null
}

# is_kernel_tree DIR
is_kernel_tree() {
	[ -f "$1/Makefile" ] && [ -f "$1/Kconfig" ] && [ -f "$1/$FIX_FILE" ] &&
		[ -n "$(tree_version "$1")" ]
}

# fix_function_body FILE: the body of pci_call_probe() in FILE
fix_function_body() {
	awk -v f="$FIX_FUNC" '
		!inside && $0 ~ "^static int " f "\\(" {inside=1}
		inside {print}
		inside && /^}/ {exit}' "$1"
}

# fix_present FILE: true if pci_call_probe() already probes in place in workqueue workers
fix_present() {
	fix_function_body "$1" | grep_q -e 'PF_WQ_WORKER' -e 'current_is_async()'
}

# ncpus: build parallelism
ncpus() {
	getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2
}

# The test-only KUnit patch: its source file and Kconfig symbol
KUNIT_FILE=pci-probe-numa-kunit.c
KUNIT_SYM=CONFIG_PCI_PROBE_NUMA_KUNIT_TEST

# patch_upstream FILE: the value of a patch's Upstream-Commit: header
patch_upstream() {
	sed -n '1,/^$/s/^Upstream-Commit: *//p' "$1"
}

# upstream_status BRANCH: "pending" or the mainline commit of the fix
upstream_status() {
	patch_upstream "$PATCHES_DIR/$1/$(series_patches "$1" | sed -n 1p)"
}

# patch_files PATCH...: the files the patches change, sorted, once each
patch_files() {
	sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$@" | sort -u
}

# Where results go (out/ in this tree, or PCIPROBE_OUT), always absolute:
# scripts change directory.
OUT_ROOT=$(realpath -m "${PCIPROBE_OUT:-$TOPDIR/out}")

# objdir_for_source OBJDIR BRANCH: empty OBJDIR when it was last used with
# another source of BRANCH (a new sublevel's tarball carries its own file
# times, older than the objects: make would not rebuild what changed)
objdir_for_source() {
	local want
	want=$(sha256sum <"$CACHE/src/$2/stamp" | cut -d' ' -f1)
	[ "$(cat "$1/source-stamp.sha256" 2>/dev/null)" = "$want" ] && return 0
	rm -rf "$1"
	mkdir -p "$1"
	echo "$want" >"$1/source-stamp.sha256"
}

