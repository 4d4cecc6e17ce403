# shellcheck shell=bash
# lib/packaging.sh: the packages' identity and staging: version, packager, the
# series a packaged tree must carry, config checks, .deb data.
# Sourced after scripts/lib.sh, never run.

# The fix's facts the packages' changelogs state (FIXES_COMMIT)
# shellcheck source=../../msg/fix.conf
. "$TOPDIR/msg/fix.conf"

# deb_tar DEB TAR-ARGS...: run tar on a .deb's data. tar stops reading at the
# archive's end marker; the rest of the stream is drained so that dpkg-deb
# never dies of SIGPIPE (exit 141 under pipefail, seen in CI).
deb_tar() {
	local deb=$1; shift
	dpkg-deb --fsys-tarfile "$deb" | { rc=0; tar "$@" || rc=$?; cat >/dev/null; exit $rc; }
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

# capability_pkg RELEASE: the fix's capability package of a kernel release
# (scripts/packages/mk-capability makes it beside linux-image-RELEASE)
capability_pkg() { echo "pciprobe-fix-$1"; }

# capability_deb IMAGE_DEB: where mk-capability put that package, beside
# the linux-image .deb it belongs to
capability_deb() {
	local pkg ver
	pkg=$(dpkg-deb -f "$1" Package) ver=$(dpkg-deb -f "$1" Version)
	echo "$(dirname "$1")/$(capability_pkg "${pkg#linux-image-}")_${ver}_all.deb"
}
