# shellcheck shell=bash
# lib/conf-write.sh: the in-place writer of branches.conf (make bump).
# Sourced after scripts/lib.sh, never run.

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
