# shellcheck shell=bash
# The start every image derived from another shares (scripts/system/
# canary-image from the stock image, fleet-image from the canary image).
# Sourced after image.sh, never run.

# img_derive KEYFILE LOG WHAT "$0" "$@": print IMG and exit 0 when it is
# cached (its key, in $D/KEYFILE, is the caller's $key; not older than
# BASE); else, as root in a private mount namespace, under $D/lock (the
# caller's facts read again once it is held, the cache looked at again),
# a work dir with LOG, a copy of BASE ("a copy of WHAT") attached, its root
# mounted at R and prepared for chroot. The caller defines facts (which
# sets key and UUID) and may set CACHED_NOTE (said beside a cached image).
img_derive() {
	local keyf=$1 log=$2 what=$3
	shift 3
	_img_cached "$keyf" && exit 0
	[ "$(id -u)" = 0 ] || usage_die "setting up the image needs root (chroot, loop devices)"
	img_private_ns "$@"
	PATH=$PATH:/usr/sbin:/sbin
	need losetup:mount e2fsck:e2fsprogs fstrim:util-linux partx:util-linux chroot:coreutils flock:util-linux jq:jq
	exec 9>"$D/lock"
	flock -n 9 || { info "another run holds $D/lock; waiting"; flock 9; }
	# the image it derives from may have been rebuilt meanwhile: its facts again
	facts
	_img_cached "$keyf" && exit 0
	img_workdir "$D" "$log"
	T0=$(date +%s)
	exec </dev/null
	phase "$B: a copy of $what"
	cp --sparse=always "$BASE" "$W/disk.raw"
	img_attach "$W/disk.raw"
	mount -o discard "$PART" "$R"
	img_chroot "$UUID"
}

# _img_cached KEYFILE: IMG is there, made with this key, after BASE
# shellcheck disable=SC2154  # key: set by the caller's facts
_img_cached() {
	[ -f "$IMG" ] && [ "$(cat "$D/$1" 2>/dev/null)" = "$key" ] && [ "$IMG" -nt "$BASE" ] || return 1
	info "cached: $IMG${CACHED_NOTE:+ ($CACHED_NOTE)}"
	echo "$IMG"
}
