#!/bin/bash
# The README's set-up on a fresh machine: a minimal Debian 12 root
# (debootstrap --variant=minbase bookworm, built once and kept as a tarball
# in $CACHE/fresh), unpacked anew for every run, with this tree's tracked
# files in /src/repo and apt sources from the host's own mirror(s). In it:
# scripts/install-deps as a user (exit 2, one line naming the missing
# packages), as root (installs), every tool the README's commands use,
# as root again (nothing to do), and as a user after `dpkg -r bc` (exit 2,
# names bc). Downloaded .debs are kept in $CACHE/fresh/archives.
#
# Needs root. Runs in a private mount namespace (re-executed under
# `unshare -m`): the trap unmounts everything, and the kernel drops the
# mounts even if the test is killed. SKIP: not root, no mount namespace
# (an unprivileged container), or no debootstrap. Not a skip: a mirror
# that cannot be reached (debootstrap or apt fails: not ok, with why).
if [ "$(id -u)" = 0 ] && [ -z "${PCIPROBE_FRESH_NS:-}" ] &&
	unshare --mount --propagation private true 2>/dev/null; then
	PCIPROBE_FRESH_NS=1 exec unshare --mount --propagation private -- bash "$0" "$@"
fi
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
NAME="fresh Debian 12 root: scripts/install-deps"
[ "$(id -u)" = 0 ] || { skip "$NAME" "needs root (debootstrap, chroot, mounts)"; done_testing; }
[ -n "${PCIPROBE_FRESH_NS:-}" ] ||
	{ skip "$NAME" "no private mount namespace (unshare -m needs CAP_SYS_ADMIN; an unprivileged container?)"; done_testing; }
PATH=$PATH:/usr/sbin:/sbin
command -v debootstrap >/dev/null || { skip "$NAME" "debootstrap not installed (scripts/install-deps)"; done_testing; }
command -v zstd >/dev/null || { skip "$NAME" "zstd not installed (scripts/install-deps)"; done_testing; }

SUITE=bookworm VARIANT=minbase
ARCH=$(dpkg --print-architecture)
FRESH=$CACHE/fresh
BASE=$FRESH/$SUITE-$VARIANT.tar.zst
ARCHIVES=$FRESH/archives
LOGS=$FRESH/logs
R=$TMP/root
# the tools the README's commands use (make run, make check and what they call)
TOOLS=(qemu-system-x86_64 quilt patch make gcc ld flex bison bc jq busybox cpio
	dpkg-deb rpmbuild rpm2cpio ccache rsync xz zstd gzip tar depmod debootstrap
	shellcheck yamllint python3 perl git apt-get node npm
	readelf unxz flock cmp)	# the last four: every kernel build's check_bzimage (extract-vmlinux) and cc_setup
T_ALL=$(date +%s)

# --- cleanup: processes left in the root, mounts under $TMP, then $TMP ------
# shellcheck disable=SC2317  # run by the trap
cleanup() {
	local p m left t0
	t0=$(date +%s)
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$R" ] && kill -9 "${p#/proc/}" 2>/dev/null
	done
	awk -v t="$TMP/" 'index($5, t) == 1 {print $5}' /proc/self/mountinfo | sort -r |
		while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
	left=$(awk -v t="$TMP/" 'index($5, t) == 1 {print $5}' /proc/self/mountinfo)
	if [ -n "$left" ]; then
		echo "# still mounted, $TMP left in place: $left"
	else
		rm -rf --one-file-system "$TMP"
	fi
	echo "== $PROG: cleanup (processes, mounts, the root) done in $(($(date +%s) - t0)) s" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# bail NAME DIAG: a step failed; the later ones cannot run
bail() { ok 1 "$1" "$2"; done_testing; }
# log_why LOG: the archive that could not be reached, then the error lines
# of apt, debootstrap and install-deps (else the log's tail)
log_why() {
	{ grep -E '^(Err|W|E):.*(Failed to fetch|[Cc]ould not|Unable to connect|Temporary failure)' "$1" | sed -n 1,3p
		grep -E '^(E:|install-deps|debootstrap|I: Retrieving)|[Ff]ailed' "$1" | tail -5; } | awk '!seen[$0]++' |
		grep . || tail -8 "$1"
	echo "(whole log: $1)"
}

mkdir -p "$ARCHIVES/partial" "$LOGS"
exec 9>"$FRESH/lock"
flock -n 9 || { echo "# another run holds $FRESH/lock; waiting"; flock 9; }

# --- the host's mirrors (lib/apt.sh: apt_uris, pick_uri) -------------------
# uri_for SUITE: the URI the host's apt configuration gives SUITE, else its
# first Debian archive of that kind (security or not)
uri_for() {
	apt_uris | awk -v s="$1" '$1 ~ /^https?:/ && $2 == s {print $1; exit}' | grep . ||
		case $1 in *-security) pick_uri 1 ;; *) pick_uri 0 ;; esac
}
MAIN=$(uri_for $SUITE) SEC=$(uri_for $SUITE-security) UPD=$(uri_for $SUITE-updates)
if [ -z "$MAIN" ] || [ -z "$SEC" ]; then
	bail "$NAME" "no Debian mirror for $SUITE and $SUITE-security in the host's apt configuration (/etc/apt/sources.list*)"
fi
UPD=${UPD:-$MAIN}

# --- the base root: debootstrap once, rebuilt when its inputs change ------
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
key="recipe=1 suite=$SUITE variant=$VARIANT arch=$ARCH mirror=$MAIN
debootstrap=$(dpkg-query -W -f '${Version}' debootstrap 2>/dev/null)
keyring=$(sha256sum "$KEYRING" 2>/dev/null | cut -c1-16)"
if [ -f "$BASE" ] && [ "$(cat "$BASE.key" 2>/dev/null)" = "$key" ]; then
	echo "# base root: $BASE (cached, $(du -m "$BASE" | cut -f1) MB)"
else
	phase "debootstrap --variant=$VARIANT $SUITE (once; then cached)"
	B=$TMP/base
	if ! timeout 1800 debootstrap --variant=$VARIANT --arch="$ARCH" --cache-dir="$ARCHIVES" \
		"$SUITE" "$B" "$MAIN" >"$LOGS/debootstrap.log" 2>&1; then
		bail "base root: debootstrap $SUITE from $MAIN" "$(log_why "$LOGS/debootstrap.log")"
	fi
	rm -f "$B/etc/resolv.conf" "$B/etc/hostname"
	if ! tar --numeric-owner --xattrs --xattrs-include='*' -C "$B" -cf - . |
		zstd -q -T0 -6 -o "$BASE.tmp" -f; then
		rm -f "$BASE.tmp"
		bail "base root: pack $BASE" "tar | zstd failed (disk full?)"
	fi
	mv -f "$BASE.tmp" "$BASE" && printf '%s\n' "$key" >"$BASE.key"
	phase_end
	echo "# base root: debootstrap $SUITE $VARIANT, packed to $BASE ($(du -m "$BASE" | cut -f1) MB)"
	[ -n "$(awk -v t="$B/" 'index($5, t) == 1' /proc/self/mountinfo)" ] || rm -rf --one-file-system "$B"
fi

# --- a fresh root for this run --------------------------------------------
phase "unpack the base, copy the tree, mounts, apt sources"
mkdir -p "$R"
zstd -dc "$BASE" | tar --numeric-owner --xattrs --xattrs-include='*' -xpf - -C "$R" ||
	bail "fresh root" "unpacking $BASE failed"
mkdir -p "$R/src/repo"
(cd "$TOP" && { git ls-files -z 2>/dev/null ||
	find . \( -path ./.git -o -path ./out \) -prune -o -type f -printf '%P\0'; } |
	tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | tar -xf - -C "$R/src/repo"
[ -x "$R/src/repo/scripts/install-deps" ] || bail "fresh root: the tree" "no scripts/install-deps among the files copied from $TOP"
# what a debian:bookworm container (the CI's) has too: no services started
# by package scripts, dpkg without fsync
printf '#!/bin/sh\nexit 101\n' >"$R/usr/sbin/policy-rc.d" && chmod 755 "$R/usr/sbin/policy-rc.d"
echo force-unsafe-io >"$R/etc/dpkg/dpkg.cfg.d/unsafe-io"
cp -L /etc/resolv.conf "$R/etc/resolv.conf" 2>/dev/null
printf 'deb %s %s main\n' "$MAIN" $SUITE "$UPD" $SUITE-updates "$SEC" $SUITE-security >"$R/etc/apt/sources.list"
rm -f "$R"/etc/apt/sources.list.d/*
apt-config dump | grep -i '^Acquire::[a-z]*::Proxy ' >"$R/etc/apt/apt.conf.d/01proxy-from-host"
# minimal /dev, /proc, a read-only /sys, the .deb cache
mounts() {
	mount -t proc proc "$R/proc" &&
		mount -t sysfs -o ro sysfs "$R/sys" &&
		mount -t tmpfs -o mode=755,size=16m,nosuid tmpfs "$R/dev" &&
		mknod -m 666 "$R/dev/null" c 1 3 && mknod -m 666 "$R/dev/zero" c 1 5 &&
		mknod -m 666 "$R/dev/full" c 1 7 && mknod -m 666 "$R/dev/random" c 1 8 &&
		mknod -m 666 "$R/dev/urandom" c 1 9 && mknod -m 666 "$R/dev/tty" c 5 0 &&
		mkdir "$R/dev/pts" "$R/dev/shm" &&
		mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$R/dev/pts" &&
		ln -s pts/ptmx "$R/dev/ptmx" && ln -s /proc/self/fd "$R/dev/fd" &&
		ln -s /proc/self/fd/0 "$R/dev/stdin" && ln -s /proc/self/fd/1 "$R/dev/stdout" &&
		ln -s /proc/self/fd/2 "$R/dev/stderr" &&
		mount --bind "$ARCHIVES" "$R/var/cache/apt/archives"
}
out=$(mounts 2>&1) || bail "fresh root: mounts" "$out"
phase_end
echo "# fresh root from the base, $(wc -l <"$R/etc/apt/sources.list") apt sources from the host's configuration, tree in /src/repo"

ENV=(/usr/bin/env -i LANG=C.UTF-8 TERM=dumb)
in_root() {	# as root in the fresh root
	chroot "$R" "${ENV[@]}" HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@" </dev/null
}
as_user() {	# as the user "tester" in the fresh root
	chroot "$R" /usr/bin/setpriv --reuid=tester --regid=tester --init-groups \
		"${ENV[@]}" HOME=/home/tester PATH=/usr/local/bin:/usr/bin:/bin "$@" </dev/null
}
DEPS="cd /src/repo && exec scripts/install-deps"
# one_line_naming RC ERRFILE PATTERN: exit 2, and stderr is one line matching PATTERN
one_line_naming() {
	[ "$1" = 2 ] && [ "$(wc -l <"$2")" = 1 ] && grep -qE "$3" "$2"
}

# --- as a user on the bare root: exit 2, one line --------------------------
out=$(in_root useradd -m -s /bin/bash tester 2>&1) || bail "useradd tester" "$out"
as_user bash -c "$DEPS" >"$TMP/u1.out" 2>"$TMP/u1.err"
rc=$?
n=$(grep -o '[0-9]* packages missing: [^(]*' "$TMP/u1.err" | awk '{print $1}')
named=$(sed -n 's/.* packages missing: \([^(]*\) (.*/\1/p' "$TMP/u1.err" | wc -w)
one_line_naming $rc "$TMP/u1.err" 'packages missing: .*\<bc\>.*\<npm\>' && [ "$n" = "$named" ]
ok $? "as a user on the bare root: exit 2, one line naming the $n missing packages" \
	"exit $rc; stderr: $(cat "$TMP/u1.err")"

# --- as root: installs them ------------------------------------------------
phase "scripts/install-deps as root (apt-get update + install)"
t0=$(date +%s)
timeout 3600 chroot "$R" "${ENV[@]}" HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	bash -c "$DEPS" </dev/null >"$LOGS/install-deps.log" 2>&1
rc=$?
T_INSTALL=$(($(date +%s) - t0))
phase_end
ok "$rc" "install-deps as root on the bare root: exit 0: $(tail -1 "$LOGS/install-deps.log") (${T_INSTALL} s)" \
	"exit $rc; $(log_why "$LOGS/install-deps.log")"
[ $rc = 0 ] || done_testing

# shellcheck disable=SC2016  # expanded in the root
miss=$(in_root bash -c 'for t; do command -v "$t" >/dev/null || printf "%s " "$t"; done' _ "${TOOLS[@]}")
[ -z "$miss" ]; ok $? "every tool the README's commands use is there (${#TOOLS[@]}: ${TOOLS[*]})" \
	"missing: $miss"

# make bindeb-pkg runs dpkg-buildpackage, which checks the Build-Depends
# of the kernel's scripts/package/mkdebian (6.12's, below) and
# build-essential:native only after the kernel is built: a fresh root
# without build-essential failed `make run` there, 25 minutes in
BD='build-essential:native, debhelper-compat (= 12), bc, bison, cpio, flex, kmod, libelf-dev:native, libssl-dev:native, libssl-dev, rsync'
printf 'Source: k\n\nPackage: k\nArchitecture: any\n' >"$R/tmp/control"
out=$(in_root dpkg-checkbuilddeps -d "$BD" /tmp/control 2>&1)
ok $? "the kernel's bindeb-pkg build dependencies are met ($BD)" "$out"

# --- as root again: nothing to do ------------------------------------------
in_root bash -c "$DEPS" >"$TMP/r2.out" 2>"$TMP/r2.err"
rc=$?
n=$(in_root bash -c "$DEPS --list" | wc -l)
[ $rc = 0 ] && [ "$(cat "$TMP/r2.out")" = "install-deps: all $n packages are installed" ] && [ ! -s "$TMP/r2.err" ]
ok $? "install-deps again as root: exit 0, \"all $n packages are installed\"" \
	"exit $rc; stdout: $(cat "$TMP/r2.out"); stderr: $(cat "$TMP/r2.err")"

# --- as a user after dpkg -r bc: exit 2, names bc --------------------------
out=$(in_root dpkg -r bc 2>&1) || bail "dpkg -r bc" "$out"
as_user bash -c "$DEPS" >"$TMP/u2.out" 2>"$TMP/u2.err"
rc=$?
one_line_naming $rc "$TMP/u2.err" 'error: 1 packages missing: bc \('
ok $? "as a user after dpkg -r bc: exit 2, one line naming bc" "exit $rc; stderr: $(cat "$TMP/u2.err")"

echo "# times: install-deps ${T_INSTALL} s, whole test $(($(date +%s) - T_ALL)) s; .deb cache $(du -sm "$ARCHIVES" | cut -f1) MB"
done_testing
