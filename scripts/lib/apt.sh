# shellcheck shell=bash
# lib/apt.sh: an apt client for the machine's own Debian mirror (read from its
# apt configuration, never written into the repository), with a private state
# under the cache.
# Sourced after scripts/lib.sh, never run.

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

# apt_stock_kernel OLD VERSION SUITE: the kernel image package of OLD's
# flavour (OLD: a stock package such as linux-image-6.1.0-56-amd64 or
# linux-image-6.12.117+deb12-amd64) that SUITE has at VERSION (built from
# the Debian source of that version), the newest ABI name if several;
# nothing if none (apt_versions has refreshed the index)
apt_stock_kernel() {
	local flavour=${1##*[0-9]-} names
	# flavour: what follows the ABI name ("amd64"); a name with another
	# flavour (cloud-amd64, rt-amd64) or -unsigned, -dbg does not match
	names=$(apt-cache "${APT_OPTS[@]}" search --names-only "^linux-image-[0-9][0-9.]*(-[0-9]+|\\+deb[0-9]+)-$flavour\$" 2>/dev/null | awk '{print $1}')
	[ -n "$names" ] || return 0
	# shellcheck disable=SC2086
	apt-cache "${APT_OPTS[@]}" madison $names 2>/dev/null |
		awk -F'|' -v v="$2" '{gsub(/ /, ""); if ($2 == v) print $1}' | sort -u -V | tail -1
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
