# shellcheck shell=bash
# TAP helpers for the tests in this folder. Sourced by each t-*.sh.
set -uo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FIX=$TOP/tests/fixtures
. "$TOP/scripts/lib.sh"
# the helpers of every concern (scripts source only the ones they use)
for _m in "$TOP"/scripts/lib/*.sh; do
	[ -e "$_m" ] || continue
	# shellcheck disable=SC1090
	. "$_m"
done
T=0
FAILS=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pciprobe-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

ok() {		# ok COND-EXIT-STATUS NAME [DIAG]
	T=$((T + 1))
	if [ "$1" = 0 ]; then
		echo "ok $T - $2"
	else
		echo "not ok $T - $2"
		FAILS=$((FAILS + 1))
		[ -z "${3:-}" ] || printf '%s\n' "$3" | sed 's/^/# /'
	fi
}
SKIPS=0
skip() { T=$((T + 1)); SKIPS=$((SKIPS + 1)); echo "ok $T - $1 # SKIP $2"; }
# done_testing: exit 0 if something passed and nothing failed, 1 on a
# failure, 4 when every test was skipped (or none ran): that proves nothing
done_testing() {
	echo "1..$T"
	[ $FAILS = 0 ] || exit 1
	[ $T -gt $SKIPS ] || exit 4
	exit 0
}

# manifest DIR: every entry with type, mode, size, mtime and content hash
manifest() {
	(cd "$1" && find . -printf '%p %y %m %s %T@\n' | sort &&
		find . -type f -print0 | sort -z | xargs -0r sha256sum)
}

# run_cmd OUTVAR-PREFIX CMD...: run, keep stdout/stderr/exit in $TMP/last.*
run_cmd() {
	"$@" >"$TMP/last.out" 2>"$TMP/last.err"
	echo $? >"$TMP/last.rc"
}
last_rc() { cat "$TMP/last.rc"; }
last_err() { cat "$TMP/last.err"; }

# expect_err FIXTURE [SUBST...]: the last stderr says what
# tests/fixtures/FIXTURE means: each of its lines (a key phrase, with
# @KEY@ for a value given as KEY=value) is in it, whatever else the
# message says around it (rewording the rest breaks no test)
expect_err() {
	local fx=$FIX/$1 got phrase kv
	shift
	got=$(last_err)
	while IFS= read -r phrase; do
		[ -n "$phrase" ] || continue
		for kv in "$@"; do phrase=${phrase//@${kv%%=*}@/${kv#*=}}; done
		if [[ $got != *"$phrase"* ]]; then
			printf 'expected the phrase: %s\n' "$phrase" >&2
			return 1
		fi
	done <"$fx"
	return 0
}

# mini_tree BRANCH DIR: a three-file kernel tree (Makefile, Kconfig and the
# file the fix touches) copied from the branch's cached Debian tree
mini_tree() {
	local src
	src=$("$TOP/scripts/source/fetch-source" "$1" 2>/dev/null) || return 1
	mkdir -p "$2/drivers/pci"
	cp -p "$src/Makefile" "$src/Kconfig" "$2/"
	cp -p "$src/$FIX_FILE" "$2/$FIX_FILE"
}

# family_o TREE: TREE's family-A pci_call_probe() (5.10's) cut back to the
# shape upstream had before the housekeeping masks (family O): no
# hk_flags, the CPU from cpumask_any_and(cpumask_of_node(node), cpu_online_mask)
family_o() {
	local f=$1/$FIX_FILE
	awk '/^\tint hk_flags = HK_FLAG_DOMAIN \| HK_FLAG_WQ;$/ {next}
		/^\t\tcpu = cpumask_any_and\(cpumask_of_node\(node\),$/ {print "\t\tcpu = cpumask_any_and(cpumask_of_node(node), cpu_online_mask);"; getline; next}
		{print}' "$f" >"$f.new" && mv "$f.new" "$f"
}

# path_without TOOL: a directory of links to every command on PATH but TOOL
path_without() {
	local d=$TMP/path-without-$1 x
	rm -rf "$d"
	mkdir -p "$d"
	for x in /usr/local/bin/* /usr/bin/* /bin/*; do
		[ "${x##*/}" = "$1" ] && continue
		[ -e "$d/${x##*/}" ] || ln -s "$x" "$d/${x##*/}" 2>/dev/null
	done
	echo "$d"
}
