# shellcheck shell=bash
# lib/system.sh: per-branch facts of the guests: the stock Debian kernel, how
# NVMe probes asynchronously.
# Sourced after scripts/lib.sh, never run.

# stock_kernel BRANCH: "PACKAGE VERSION SUITE" of the branch's stock Debian
# kernel (branches.conf: its stock column; the version and suite are the
# row's, the same Debian source), or "- - - WHY" when there is none
stock_kernel() {
	local pkg
	pkg=$(branch_field "$1" stock) || return 2
	[ -n "$pkg" ] || die "$1: its row in $BRANCHES_CONF has no stock column" 2
	if [ "$pkg" != - ]; then
		echo "$pkg $(branch_field "$1" version) $(branch_field "$1" suite)"
	elif branch_has_flag "$1" public-copy; then
		echo "- - - no Debian kernel of $1: a public-copy branch"
	else
		echo "- - - the Debian kernel of $1 ($(branch_field "$1" version) in $(branch_field "$1" suite)) is not installable into a Debian 12 image"
	fi
}

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
