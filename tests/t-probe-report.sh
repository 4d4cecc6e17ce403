#!/bin/bash
# tools/probe-report on saved real traces (tests/samples/<case>.trace, from
# guests of the A/B run): text output and exit code must equal
# <case>.expected; the JSON must parse and agree on the verdict. Also bad
# usage and an unreadable file.
. "$(dirname "$0")/lib.sh"
BIN=$TMP/pciprobe-report
make -s -C "$TOP/tools/probe-report" O="$TMP" "$BIN" >/dev/null 2>&1
ok $? "builds with -Wall -Wextra -Werror"
n=0
for t in "$TOP"/tests/samples/*.trace; do
	[ -e "$t" ] || continue
	n=$((n + 1))
	c=${t%.trace}
	args=$(cat "$c.args" 2>/dev/null || true)
	# shellcheck disable=SC2086
	got=$("$BIN" $args "$t" 2>/dev/null; echo "exit: $?")
	ok "$([ "$got" = "$(cat "$c.expected")" ] && echo 0 || echo 1)" "$(basename "$c"): output as expected" \
		"$(diff <(cat "$c.expected") <(printf '%s\n' "$got") | head -10)"
	# shellcheck disable=SC2086
	jv=$("$BIN" --json $args "$t" 2>/dev/null | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["verdict"])')
	ok "$([ "verdict: $jv" = "$(grep '^verdict:' "$c.expected")" ] && echo 0 || echo 1)" "$(basename "$c"): JSON parses, same verdict ($jv)"
done
ok "$([ $n -ge 4 ] && echo 0 || echo 1)" "at least 4 saved traces (2 families, before and after): $n"
"$BIN" --bogus >/dev/null 2>&1
ok "$([ $? = 2 ] && echo 0 || echo 1)" "bad option: exit 2"
"$BIN" "$TMP/no-such-file" >/dev/null 2>&1
ok "$([ $? = 2 ] && echo 0 || echo 1)" "unreadable trace: exit 2 (cannot tell)"
printf '# tracer: nop\n' | "$BIN" >/dev/null 2>&1
ok "$([ $? = 2 ] && echo 0 || echo 1)" "empty trace: cannot tell, exit 2"
done_testing
