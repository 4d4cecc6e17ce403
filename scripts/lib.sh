# shellcheck shell=bash
# Shared helpers for the scripts in this folder. Sourced, never run.
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

# The file the fix touches, and the function it changes.
FIX_FILE=drivers/pci/pci-driver.c
FIX_FUNC=pci_call_probe

# grep_q ARGS...: grep -q that reads all of its input. Under pipefail
# `cmd | grep -q` fails now and then although it matched: grep exits at the
# first match, cmd gets SIGPIPE, and the pipeline's status is cmd's.
grep_q() { grep "$@" >/dev/null; }

# deb_tar DEB TAR-ARGS...: run tar on a .deb's data. tar stops reading at the
# archive's end marker; the rest of the stream is drained so that dpkg-deb
# never dies of SIGPIPE (exit 141 under pipefail, seen in CI).
deb_tar() {
	local deb=$1; shift
	dpkg-deb --fsys-tarfile "$deb" | { rc=0; tar "$@" || rc=$?; cat >/dev/null; exit $rc; }
}

# cc_setup: CC_CMD, the compiler of every kernel build here: "ccache gcc"
# where ccache is installed, in depend mode (no preprocessor run on a
# miss; the kernel's -Wp,-MMD gives ccache the dependencies), else "gcc".
# Measured on 12 files of 6.12's Debian config, from an empty cache: gcc
# 21.9 s, ccache's default mode 27.8 s, depend mode 21.8 s.
# (To turn depend mode off: CCACHE_NODEPEND=1; ccache takes
# CCACHE_DEPEND=false as an error, not as "off".)
cc_setup() {
	export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache} CCACHE_DEPEND=${CCACHE_DEPEND:-true}
	CC_CMD=gcc
	if command -v ccache >/dev/null; then CC_CMD="ccache gcc"; fi
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
declare -A _BF=([branch]=1 [family]=2 [checked]=3 [package]=4 [version]=5 [suite]=6 [stable]=7 [flags]=8)

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

# newest_checkpatch: scripts/checkpatch.pl of the newest cached tree, or
# nothing (status 0 either way: callers decide what a missing one means)
newest_checkpatch() {
	local b c
	for b in $(branch_list | tac); do
		c=$CACHE/src/$b/$(branch_field "$b" package)/scripts/checkpatch.pl
		[ -f "$c" ] && { echo "$c"; return 0; }
	done
	return 0
}

# run_checkpatch CHECKPATCH IGNORE FILE...: run a tree's checkpatch.pl from
# its tree (--no-tree: a tarball tree has no git history) on each file;
# stops at the first file with problems
run_checkpatch() {
	local pl=$1 ignore=$2 f
	shift 2
	(cd "$(dirname "$pl")/.." && for f in "$@"; do
		perl scripts/checkpatch.pl --no-tree -q --ignore "$ignore" "$f" || exit 1
	done)
}

# pkg_version BRANCH: the Debian package's version + DEB_REVISION_SUFFIX: above
# the build it comes from, below the next official one
pkg_version() {
	echo "$(branch_field "$1" version)$DEB_REVISION_SUFFIX"
}

# packager: "Name <email>" from DEBFULLNAME/DEBEMAIL (as dch), else git
# config, else the author of this tree's last commit (a fresh machine has
# no identity: root@HOST is not an address lintian accepts), else the local
# user at this host (never an invented identity)
packager() {
	local n=${DEBFULLNAME:-$(git config user.name 2>/dev/null || true)}
	local e=${DEBEMAIL:-$(git config user.email 2>/dev/null || true)}
	[ -n "$n" ] || n=$(git -C "$TOPDIR" log -1 --format=%an 2>/dev/null || true)
	[ -n "$e" ] || e=$(git -C "$TOPDIR" log -1 --format=%ae 2>/dev/null || true)
	[ -n "$n" ] || n=$(id -un)
	[ -n "$e" ] || e=$(id -un)@$(hostname -f 2>/dev/null || hostname)
	echo "$n <$e>"
}

# series_state BRANCH KSRC: exit 2 unless the tree carries the whole fix
# series (quilt's .pc, or the fix by other means); a half-applied series is
# refused by name.
series_state() {
	local b=$1 t=$2 p n=0 have=0 missing=
	for p in $(series_patches "$b"); do
		n=$((n + 1))
		if grep -qxF "$p" "$t/.pc/applied-patches" 2>/dev/null; then
			have=$((have + 1))
		else
			missing="$missing $p"
		fi
	done
	if [ $have -gt 0 ] && [ $have -lt $n ]; then
		usage_die "$t has the $b series half applied ($have of $n; missing:$missing): push or pop it completely"
	fi
	if [ $have = 0 ] && ! fix_present "$t/$FIX_FILE"; then
		usage_die "$t does not carry the fix: apply the $b series first (scripts/series/apply-series $b $t)"
	fi
}
TOOL_VERSION=1.0

# check_config BRANCH FILE: exit 2 unless FILE is an x86_64 kernel config
# made for BRANCH (its "# Linux/x86 X.Y.Z Kernel Configuration" header)
check_config() {
	[ -r "$2" ] || usage_die "config file $2 not found"
	grep -q '^CONFIG_X86_64=y' "$2" ||
		usage_die "$2 is not an x86_64 kernel config (no CONFIG_X86_64=y)"
	local v
	v=$(sed -n 's|^# Linux/[^ ]* \([0-9]*\.[0-9]*\)[.0-9]*.* Kernel Configuration|\1|p' "$2" | sed -n 1p)
	[ -z "$v" ] || [ "$v" = "$1" ] || usage_die "$2 was made for a $v kernel, not $1"
}

# stage_cleanup DIR OUTD: on exit remove the staging DIR; on a failure
# that did not say why (a write that failed under set -e), say it in one line
stage_cleanup() {
	_STAGE_DIR=$1 _STAGE_OUT=$2
	# shellcheck disable=SC2154  # _rc is set inside the trap
	trap '_rc=$?; rm -rf "$_STAGE_DIR"
		if [ $_rc = 1 ] && [ -z "${_STAGE_SAID:-}" ]; then
			echo "$PROG: error: writing the packages failed; nothing written to $_STAGE_OUT (disk full?)" >&2
		fi' EXIT
}

# Where results go (out/ in this tree, or PCIPROBE_OUT), always absolute:
# scripts change directory.
OUT_ROOT=$(realpath -m "${PCIPROBE_OUT:-$TOPDIR/out}")

# nvme_async BRANCH: how the guest gets asynchronous NVMe probing:
# "default" where the branch's nvme driver prefers it, else "param"
# (the async_probe=1 module parameter)
nvme_async() {
	if grep -qs 'PROBE_PREFER_ASYNCHRONOUS' "$CACHE/src/$1/$(branch_field "$1" package)/drivers/nvme/host/pci.c"; then
		echo default
	else
		echo param
	fi
}

# median: the median of the numbers on stdin, one a line (the lower middle
# one of an even count)
median() { sort -n | awk '{a[NR] = $1} END {if (NR) print a[int((NR + 1) / 2)]}'; }

# ncpus_list LIST: number of CPUs in a cpulist such as 0-1,3
ncpus_list() {
	echo "$1" | tr ',' '\n' | awk -F- 'NF == 2 {n += $2 - $1 + 1; next} NF == 1 && $1 != "" {n++} END {print n + 0}'
}

# The machine's own Debian mirror, read from its apt configuration at run
# time (never written into the repository).
# apt_uris: "URI SUITE" for every Debian source the machine already has
apt_uris() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" | awk '$1 == "deb" {print $2, $3}'
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		awk 'BEGIN {RS=""; FS="\n"}
			{u=""; s=""; en=1
			 for (i = 1; i <= NF; i++) {
				if ($i ~ /^URIs:/) {u=$i; sub(/^URIs:[ \t]*/, "", u)}
				if ($i ~ /^Suites:/) {s=$i; sub(/^Suites:[ \t]*/, "", s)}
				if ($i ~ /^Enabled:[ \t]*no/) en=0
			 }
			 if (en && u != "" && s != "") {
				n = split(u, us, " "); m = split(s, ss, " ")
				for (a = 1; a <= n; a++) for (b = 1; b <= m; b++) print us[a], ss[b]
			 }}' "$f"
	done
}

# pick_uri SECURITY(0|1): the first configured Debian URI of that kind
pick_uri() {
	apt_uris | awk -v sec="$1" '
		$1 !~ /^(https?|file|mirror|cdrom):/ {next}
		(sec == 1 && $2 ~ /-security$/) || (sec == 0 && $2 !~ /-security$/ && $1 ~ /debian\/?$/) {print $1; exit}'
}


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

# apt_private SUITE [update]: set APT_OPTS for a private apt state under
# the cache that names SUITE of the machine's own mirror (the system's apt
# is never touched); with "update", refresh its index now
apt_private() {
	local suite=$1 uri aptdir=$CACHE/apt keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	need apt-get:apt
	mkdir -p "$aptdir/lists/partial" "$aptdir/archives/partial" "$CACHE/debs"
	case $suite in
	*-security) uri=$(pick_uri 1) ;;
	*) uri=$(pick_uri 0) ;;
	esac
	[ -n "$uri" ] || die "no Debian mirror for suite $suite found in the machine's apt configuration (/etc/apt/sources.list*)" 2
	[ -r "$keyring" ] || usage_die "missing $keyring: install the Debian package 'debian-archive-keyring'"
	local list=$aptdir/sources-$suite.list
	echo "deb [signed-by=$keyring] $uri $suite main" >"$list"
	APT_OPTS=(-o "Dir::Etc::sourcelist=$list" -o "Dir::Etc::sourceparts=-"
		-o "Dir::State::Lists=$aptdir/lists" -o "Dir::Cache=$aptdir"
		-o "Dir::Cache::archives=$aptdir/archives" -o "APT::Sandbox::User=root"
		-o "Debug::NoLocking=1")
	if [ "${2:-}" = update ]; then
		phase "apt index for $suite (private state in $aptdir)"
		apt-get "${APT_OPTS[@]}" -q update >"$aptdir/update.log" 2>&1 ||
			die "apt-get update for $suite failed (see $aptdir/update.log)" 1
		phase_end
	fi
}

# apt_versions PKG SUITE: the versions of PKG that SUITE has now, newest
# first (the index is refreshed)
apt_versions() {
	apt_private "$2" update
	apt-cache "${APT_OPTS[@]}" madison "$1" 2>/dev/null | awk -F'|' '{gsub(/ /, "", $2); print $2}' |
		sort -u | sort -r -V
}

# apt_fetch_deb PKG VERSION SUITE WHERE [HINT]: download one Debian package at a
# pinned version from SUITE of the machine's own mirror, with a private apt
# state under the cache (the system's apt is never touched), verify it
# against the signed index, print its path. WHERE says where the pin is
# written, for the message when the suite no longer has that version
# (HINT ends that message: what to do).
apt_fetch_deb() {
	local pkg=$1 ver=$2 suite=$3 where=$4 hint=${5:-} want now deb
	need dpkg-deb:dpkg sha256sum:coreutils
	apt_private "$suite"
	local opts=("${APT_OPTS[@]}") aptdir=$CACHE/apt
	want=$(apt-cache "${opts[@]}" show "$pkg=$ver" 2>/dev/null | awk '/^SHA256:/ && !f++ {print $2}' || true)
	if [ -z "$want" ]; then
		apt_private "$suite" update
		want=$(apt-cache "${opts[@]}" show "$pkg=$ver" 2>/dev/null | awk '/^SHA256:/ && !f++ {print $2}' || true)
		if [ -z "$want" ]; then
			now=$(apt-cache "${opts[@]}" madison "$pkg" 2>/dev/null | awk -F'|' '{gsub(/ /, "", $2); print $2}' | paste -sd' ')
			die "$pkg $ver (pinned in $where) is not in $suite (any more: suites drop superseded versions); $suite has now: ${now:-no $pkg at all}${hint:+; $hint}" 1
		fi
	fi
	deb=$(ls "$CACHE/debs/${pkg}_${ver//:/%3a}"_*.deb 2>/dev/null | sed -n 1p || true)
	if [ -z "$deb" ] || [ "$(sha256sum "$deb" | awk '{print $1}')" != "$want" ]; then
		phase "download $pkg $ver from $suite"
		rm -f "$CACHE/debs/${pkg}_${ver//:/%3a}"_*.deb
		(cd "$CACHE/debs" && apt-get "${opts[@]}" -q download "$pkg=$ver" >"$aptdir/download.log" 2>&1) ||
			die "downloading $pkg $ver failed (see $aptdir/download.log)" 1
		phase_end
		deb=$(ls "$CACHE/debs/${pkg}_${ver//:/%3a}"_*.deb 2>/dev/null | sed -n 1p || true)
	fi
	[ -n "$deb" ] || die "apt-get download left no ${pkg}_${ver}_*.deb in $CACHE/debs" 1
	[ "$(sha256sum "$deb" | awk '{print $1}')" = "$want" ] ||
		die "sha256 of $deb does not match the signed index; remove it and run again" 1
	echo "$deb"
}

# stock_kernel BRANCH: "PACKAGE VERSION SUITE" of the branch's stock Debian
# kernel (scripts/system/stock-kernels), or "- - - WHY" when there is none
stock_kernel() {
	local f=$TOPDIR/scripts/system/stock-kernels
	[ -r "$f" ] || die "cannot read $f" 1
	awk -v b="$1" '!/^#/ && $1 == b {if ($2 == "-") {$1 = $2 = $3 = $4 = ""; sub(/^ +/, ""); print "- - -", $0} else print $2, $3, $4; found=1}
		END {exit !found}' "$f" || usage_die "no line for branch $1 in $f"
}

# set_branch_field BRANCH FIELD VALUE [CONF]: rewrite one field of a
# branch's row in branches.conf (or CONF), keeping the row's spacing
set_branch_field() {
	local n=${_BF[$2]:-} f=${4:-$BRANCHES_CONF}
	[ -n "$n" ] || die "internal: unknown field '$2'" 1
	awk -v b="$1" -v n="$n" -v v="$3" '
		!/^[[:space:]]*#/ && $1 == b {
			out = ""; rest = $0; i = 0
			while (match(rest, /[^[:space:]]+/)) {
				i++
				tok = substr(rest, RSTART, RLENGTH); pre = substr(rest, 1, RSTART - 1)
				if (i == n) { pad = length(tok) - length(v); tok = v; if (pad > 0) tok = tok sprintf("%" pad "s", "") }
				out = out pre tok; rest = substr(rest, RSTART + RLENGTH)
			}
			sub(/[[:space:]]+$/, "", out); print out; next
		}
		{print}' "$f" >"$f.tmp" && mv "$f.tmp" "$f"
}
