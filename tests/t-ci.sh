#!/bin/bash
# ci/github-actions.yml: valid YAML, valid against GitHub's workflow schema
# (action-validator), a GitHub Actions shape, a matrix taken from
# branches.conf, and only Makefile targets that exist.
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
Y=$TOP/ci/github-actions.yml
if ! command -v yamllint >/dev/null; then
	skip "yamllint" "yamllint not installed (scripts/install-deps)"
else
	out=$(yamllint -d '{extends: default, rules: {line-length: {max: 120}, document-start: disable, truthy: disable}}' "$Y" 2>&1)
	ok $? "yamllint" "$out"
fi
# The GitHub workflow schema, checked by action-validator (npm package,
# pinned; installed once into the cache, never into this tree).
AV_VERSION=0.6.0
AV_DIR=$CACHE/npm
AV=$AV_DIR/node_modules/.bin/action-validator
av_version() {
	node -p "require('$AV_DIR/node_modules/@action-validator/$1/package.json').version" 2>/dev/null
}
if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
	skip "GitHub workflow schema (action-validator $AV_VERSION)" "npm not installed (scripts/install-deps)"
else
	rc=0 out=
	if [ ! -x "$AV" ] || [ "$(av_version cli)" != $AV_VERSION ] || [ "$(av_version core)" != $AV_VERSION ]; then
		out=$(npm install --prefix "$AV_DIR" --save-exact --no-audit --no-fund --loglevel=error \
			"@action-validator/cli@$AV_VERSION" "@action-validator/core@$AV_VERSION" 2>&1) ||
			{ rc=1; out="npm install @action-validator/cli@$AV_VERSION into $AV_DIR failed: $out"; }
	fi
	if [ $rc = 0 ]; then
		out=$("$AV" "$Y" 2>&1)
		rc=$?
	fi
	# its JSON report, one line per innermost error (path: detail)
	# shellcheck disable=SC2016  # JavaScript
	[ $rc = 0 ] || out=$(node -e '
		const seen = new Set();
		const walk = e => e.states ? e.states.forEach(s => s.errors.forEach(walk))
			: seen.add(`${e.path || "/"}: ${e.detail || e.title}`);
		JSON.parse(process.argv[1]).errors.forEach(walk);
		console.log([...seen].join("\n"));' "$out" 2>/dev/null || printf '%s\n' "$out")
	ok $rc "GitHub workflow schema: action-validator $AV_VERSION" "$out"
fi
out=$(/usr/bin/python3 - "$Y" 2>&1 <<'PY'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
trig = doc.get("on", doc.get(True))  # YAML 1.1 reads "on" as true
assert isinstance(trig, (dict, list, str)), "no on: trigger"
jobs = doc["jobs"]
for name, job in jobs.items():
    assert "runs-on" in job, f"{name}: no runs-on"
    assert job.get("steps"), f"{name}: no steps"
    for s in job["steps"]:
        assert ("uses" in s) != ("run" in s), f"{name}: a step needs exactly one of uses/run"
mx = [j for j in jobs.values() if "strategy" in j]
assert mx, "no matrix job"
for j in mx:
    m = j["strategy"]["matrix"]["branch"]
    assert "fromJSON(needs." in m, "the matrix is not read from the branches job"
    need = m.split("needs.")[1].split(".")[0]
    assert need in jobs and need in (j["needs"] if isinstance(j["needs"], list) else [j["needs"]]), "matrix source job not needed"
    assert "scripts/branches --json" in " ".join(s.get("run", "") for s in jobs[need]["steps"]), "branches job does not read branches.conf"
for name, job in jobs.items():
    for s in job["steps"]:
        for word in s.get("run", "").split("&&"):
            w = word.split()
            if w and w[0] == "make":
                print("make", w[1])
PY
)
rc=$?
ok $rc "GitHub Actions structure, matrix from branches.conf" "$out"
targets=$(printf '%s\n' "$out" | awk '$1 == "make" {print $2}' | sort -u)
bad=
for t in $targets; do
	make -C "$TOP" -n "$t" >/dev/null 2>&1 || bad="$bad $t"
done
[ -n "$targets" ] && [ -z "$bad" ]; ok $? "its make targets exist: ${targets//$'\n'/ }" "missing:$bad"
done_testing
