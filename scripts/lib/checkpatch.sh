# shellcheck shell=bash
# lib/checkpatch.sh: checkpatch.pl of a cached tree.
# Sourced after scripts/lib.sh, never run.

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
