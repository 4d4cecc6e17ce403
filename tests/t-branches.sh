#!/bin/bash
# branches.conf is consistent with patches/, and fetch-source refuses well.
. "$(dirname "$0")/lib.sh"
bad=
for b in $(branch_list); do
	[ -r "$TOP/patches/$b/series" ] || bad="$bad $b:no-series"
	for p in $(series_patches "$b" 2>/dev/null); do
		[ -r "$TOP/patches/$b/$p" ] || bad="$bad $b:$p"
	done
	case $(branch_field "$b" family) in A|B|C) ;; *) bad="$bad $b:family" ;; esac
	case $(branch_field "$b" checked) in "$b".*) ;; *) bad="$bad $b:checked" ;; esac
done
[ -z "$bad" ]; ok $? "every branch has a family, a checked version and its series" "$bad"
for d in "$TOP"/patches/*/; do
	d=${d%/}
	branch_list | grep_q -xF "${d##*/}" || bad="$bad ${d##*/}"
done
[ -z "$bad" ]; ok $? "every patches/ folder is a listed branch" "$bad"
[ "$(branch_rows | awk '$8 ~ /(^|,)default(,|$)/' | wc -l)" = 1 ]; ok $? "exactly one default branch"
[ "$(branch_rows | awk '{print NF}' | sort -u)" = "${#_BF[@]}" ]; ok $? "every row has ${#_BF[@]} fields, one per column lib.sh names"
bad=$(for b in $(branch_list); do
	s=$(branch_field "$b" stock)
	[ "$s" = - ] || { [[ $s =~ ^linux-image-[^[:space:]]+-amd64$ ]] && [[ $(branch_field "$b" suite) =~ ^bookworm ]]; } || echo "$b"
done)
[ -z "$bad" ]; ok $? "a stock kernel only as linux-image-*-amd64 and only where the row's suite is Debian 12's (bookworm*)" "$bad"

run_cmd "$TOP/scripts/source/fetch-source" 4.19
[ "$(last_rc)" = 2 ] && expect_err fetch-unknown-branch.err; ok $? "fetch-source: unknown branch, exit 2" "$(last_err)"
nb=$(branch_rows | awk '$4 == "-" && !f++ {print $1}')
run_cmd "$TOP/scripts/source/fetch-source" "$nb"
[ "$(last_rc)" = 4 ] && grep -q "SKIP: no Debian package carries a $nb tree" "$TMP/last.err"; ok $? \
	"fetch-source: $nb has no Debian package: SKIP (exit 4), not a failure" "$(last_err)"
run_cmd "$TOP/scripts/source/fetch-source"
[ "$(last_rc)" = 2 ]; ok $? "fetch-source: no branch: usage, exit 2"
table=$("$TOP/scripts/branches" --table)
readme=$(cat "$TOP/README.md")
[[ $readme == *"$table"* ]]; ok $? "README's branch table is scripts/branches --table"

# The top-level series: the default branch's fix series as a distro imports it
D=$(default_branch)
[ "$(grep -v '^#' "$TOP/series")" = "$(series_patches "$D" | sed "s|^|patches/$D/|")" ]; ok $? \
	"series (top level) lists patches/$D/series"
if mini_tree "$D" "$TMP/mini"; then
	out=$(cd "$TMP/mini" && QUILT_PATCHES=$TOP QUILT_SERIES=$TOP/series QUILT_PC=.pc quilt --quiltrc - push -a --fuzz=0 2>&1)
	[ $? = 0 ] && ! grep -q 'offset\|fuzz' <<<"$out" && fix_present "$TMP/mini/$FIX_FILE"; ok $? \
		"series (top level) pushes with quilt onto the $D tree, fuzz 0, no offset" "$out"
else
	ok 1 "the $D source cannot be had here"
fi

run_cmd "$TOP/scripts/branches" --json
[ "$(cat "$TMP/last.out")" = "[$(branch_list | sed 's/.*/"&"/' | paste -sd,)]" ]; ok $? "branches --json lists the data file"
done_testing
