# shellcheck shell=bash
# lib/system.sh: per-branch facts of the guests: the stock Debian kernel, how
# NVMe probes asynchronously.
# Sourced after scripts/lib.sh, never run.

# stock_kernel BRANCH: "PACKAGE VERSION SUITE" of the branch's stock Debian
# kernel (scripts/system/stock-kernels), or "- - - WHY" when there is none
# (a branch without a line there has none: a new branch needs no line)
stock_kernel() {
	local f=$TOPDIR/scripts/system/stock-kernels
	[ -r "$f" ] || die "cannot read $f" 1
	awk -v b="$1" '!/^#/ && $1 == b {if ($2 == "-") {$1 = $2 = $3 = $4 = ""; sub(/^ +/, ""); print "- - -", $0} else print $2, $3, $4; found=1}
		END {if (!found) print "- - - no stock kernel is listed for " b " in scripts/system/stock-kernels"}' "$f"
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
