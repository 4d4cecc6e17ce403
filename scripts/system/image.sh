# shellcheck shell=bash
# Helpers of scripts/system/mk-image and scripts/system/canary-image: a raw
# system disk (MBR, one ext4 partition) on a loop device, its root mounted
# and prepared for chroot (apt, update-initramfs, update-grub). Sourced
# after ../lib.sh, never run. Needs root; img_private_ns first, so that
# every mount dies with the script's process.

# img_private_ns "$0" "$@": re-run the script in a private mount namespace
img_private_ns() {
	if [ -z "${PCIPROBE_SYSTEM_NS:-}" ] && unshare --mount --propagation private true 2>/dev/null; then
		PCIPROBE_SYSTEM_NS=1 exec unshare --mount --propagation private -- "$@"
	fi
}

# img_workdir DIR LOG: a fresh work dir W=DIR/build.XXXXXX (what a killed
# run left is removed first: its mounts died with its namespace), the
# root R=$W/root, the log LOG (emptied); the EXIT trap unmounts, detaches
# the loop device and removes W
img_workdir() {
	local old
	# /proc/self/mountinfo escapes white space: the cleanup could not find
	# the mounts under such a path
	[[ $1 != *[[:space:]]* ]] || usage_die "the cache path has white space in it ($1): set PCIPROBE_CACHE to a path without"
	for old in "$1"/build.*; do
		[ -d "$old" ] || continue
		awk -v t="$old/" 'index($5, t) == 1 {f=1} END {exit !f}' /proc/self/mountinfo || rm -rf --one-file-system "$old"
	done
	W=$(mktemp -d "$1/build.XXXXXX")
	R=$W/root
	LOG=$2
	LOOP=
	: >"$LOG"
	mkdir -p "$R"
	trap img_cleanup EXIT
	trap 'exit 130' INT TERM
}

# shellcheck disable=SC2317  # run by the trap
img_cleanup() {
	local m left
	awk -v t="$W/" 'index($5, t) == 1 {print $5}' /proc/self/mountinfo | sort -r |
		while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
	[ -z "$LOOP" ] || losetup -d "$LOOP" 2>/dev/null || true
	left=$(awk -v t="$W/" 'index($5, t) == 1 {print $5}' /proc/self/mountinfo)
	if [ -n "$left" ]; then
		echo "$PROG: still mounted, $W left in place: $left" >&2
	else
		rm -rf --one-file-system "$W"
	fi
}

# step NAME CMD...: run CMD with its output in the log; on failure the
# log's tail and exit 1
step() {
	local what=$1
	shift
	echo "### $what: $*" >>"$LOG"
	if ! "$@" >>"$LOG" 2>&1; then
		tail -n 20 "$LOG" | sed 's/^/    log: /' >&2
		die "$what failed (whole log: $LOG)"
	fi
}

in_root() {
	chroot "$R" /usr/bin/env -i LANG=C.UTF-8 TERM=dumb HOME=/root DEBIAN_FRONTEND=noninteractive \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}

# img_attach RAW: RAW on a loop device LOOP, its partition PART
img_attach() {
	LOOP=$(losetup --find --show --partscan "$1")
	PART=${LOOP}p1
	# a kernel without the MBR parser (CONFIG_MSDOS_PARTITION) scans
	# nothing: partx reads the table itself and adds the partition (BLKPG)
	for _ in 1 2; do [ -b "$PART" ] && return; sleep 1; done
	step "partx -a" partx -a "$LOOP"
	for _ in 1 2 3 4 5; do [ -b "$PART" ] && return; sleep 1; done
	die "no partition device $PART after losetup --partscan"
}

# img_chroot UUID: what apt, update-initramfs and update-grub need in R:
# /proc, /sys, a small /dev with the loop disk and its partition (for
# grub-install and grub-probe), /dev/disk/by-uuid/UUID (grub-mkconfig
# writes root=UUID= only when it exists), and the build's own settings:
# no services started, the host's proxy and resolver, no fsync
# (img_unchroot removes them)
img_chroot() {
	local n f ma mi
	printf '#!/bin/sh\nexit 101\n' >"$R/usr/sbin/policy-rc.d"
	chmod 755 "$R/usr/sbin/policy-rc.d"
	apt-config dump | grep -i '^Acquire::[a-z]*::Proxy ' >"$R/etc/apt/apt.conf.d/01pciprobe-build-proxy" || true
	echo force-unsafe-io >"$R/etc/dpkg/dpkg.cfg.d/01pciprobe-build"
	cp -L /etc/resolv.conf "$R/etc/resolv.conf" 2>/dev/null || true
	mount -t proc proc "$R/proc"
	mount -t sysfs -o ro sysfs "$R/sys"
	mount -t tmpfs -o mode=755,size=16m tmpfs "$R/dev"
	for n in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
		IFS=: read -r f ma mi <<<"$n"
		mknod -m 666 "$R/dev/$f" c "$ma" "$mi"
	done
	mkdir "$R/dev/pts" "$R/dev/shm"
	mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$R/dev/pts"
	ln -s pts/ptmx "$R/dev/ptmx"
	ln -s /proc/self/fd "$R/dev/fd"
	for n in "$LOOP" "$PART"; do
		mknod -m 660 "$R$n" b "$(cut -d: -f1 "/sys/class/block/${n#/dev/}/dev")" "$(cut -d: -f2 "/sys/class/block/${n#/dev/}/dev")"
	done
	mkdir -p "$R/dev/disk/by-uuid"
	ln -s "../../${PART#/dev/}" "$R/dev/disk/by-uuid/$1"
}

# img_unchroot: the build's own settings removed, the chroot's mounts undone
img_unchroot() {
	rm -f "$R/usr/sbin/policy-rc.d" "$R/etc/apt/apt.conf.d/01pciprobe-build-proxy" \
		"$R/etc/dpkg/dpkg.cfg.d/01pciprobe-build" "$R/etc/resolv.conf"
	umount "$R/dev/pts" "$R/dev" "$R/sys" "$R/proc"
}

# img_detach: the root unmounted (free blocks discarded), checked, the
# loop device detached
img_detach() {
	fstrim "$R" >>"$LOG" 2>&1 || true
	umount "$R"
	step e2fsck e2fsck -fy "$PART"
	losetup -d "$LOOP"
	LOOP=
}
