#!/bin/bash
# The fleet rollout's fast tier: the real playbook (fleet/), run by the
# real scripts/fleet/rollout, over SSH to fake hosts. Each fake host is an
# sshd on 127.0.0.1 in a private mount namespace where tests/fleet/fakehost
# stands in for the boot loader, apt, reboot, uname, the boot id and the
# canary, its behaviour set by a scenario; nothing of this machine is
# changed (the namespace hides /boot, /etc/default, apt's sources and keys
# behind the host's own directories; /run/sshd is made if missing, as sshd
# needs it). Every outcome class, the stop rule, a host that never comes
# back, one the survey cannot reach, the resume and the cohorts; then the
# signed repository (scripts/fleet/mk-repo) and apt refusing it under
# another key.
. "$(dirname "$0")/lib.sh"
for t in ansible-playbook sshd:/usr/sbin/sshd ssh-keygen unshare reprepro gpg apt-get; do
	p=${t#*:}
	command -v "$p" >/dev/null || { skip "fleet tests" "no ${t%%:*} (scripts/install-deps)"; done_testing; }
done
[ "$(id -u)" = 0 ] || { skip "fleet tests" "fake hosts need root (mount namespaces)"; done_testing; }
unshare --mount --propagation private true 2>/dev/null || { skip "fleet tests" "no mount namespaces here"; done_testing; }

# the playbooks as Ansible and Debian's ansible-lint read them
out=$(cd "$TOP/fleet" && ANSIBLE_CONFIG=$TOP/fleet/ansible.cfg ansible-playbook --syntax-check -i localhost, survey.yml rollout.yml 2>&1)
ok $? "ansible-playbook --syntax-check: survey.yml, rollout.yml" "$out"
if command -v ansible-lint >/dev/null; then
	out=$(cd "$TOP/fleet" && ANSIBLE_CONFIG=$TOP/fleet/ansible.cfg HOME=$TMP timeout 600 ansible-lint --offline --nocolor -p survey.yml rollout.yml 2>&1)
	ok $? "ansible-lint (production profile): no violation" "$out"
else
	skip "ansible-lint" "not installed (scripts/install-deps)"
fi

OLD=6.12.117+deb12-amd64 NEW=6.12.117+pciprobe1 PKG=linux-image-6.12.117+pciprobe1
export PCIPROBE_OUT=$TMP/out
# ssh's shared connections of these hosts only (a port reused later must
# not find an old host's connection)
export ANSIBLE_SSH_CONTROL_PATH_DIR=$TMP/cp
H=$TMP/hosts
mkdir -p "$H" /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$TMP/key"
PIDS=()
cleanup() {
	[ ${#PIDS[@]} = 0 ] || kill "${PIDS[@]}" 2>/dev/null
	for s in "$H"/*/sshd.pid; do [ -f "$s" ] && kill "$(cat "$s")" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
PORT=$((20000 + RANDOM % 20000))

# host NAME [VAR=VALUE...]: a fake host on the next port, stock kernel running
host() {
	local n=$1 s=$H/$1 c
	shift
	mkdir -p "$s/sbin" "$s/boot/grub" "$s/etc-default" "$s/sources" "$s/keyrings"
	{
		echo "OLD_REL=$OLD NEW_REL=$NEW NEW_PKG=$PKG VERDICT_OLD=serialized VERDICT_NEW=fixed"
		echo "NEW_BOOT=ok SYSTEM=running FP=fp-a REBOOT=ok"
		printf '%s\n' "$@"
	} >"$s/scenario"
	echo "$OLD" >"$s/kernel"
	echo "$OLD" >"$s/kernels"
	echo "linux-image-$OLD" >"$s/pkgs"
	: >"$s/grubenv"
	: >"$s/calls"
	cat /proc/sys/kernel/random/uuid >"$s/boot_id"
	printf 'GRUB_DEFAULT=0\nGRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX_DEFAULT="quiet"\nGRUB_CMDLINE_LINUX="console=ttyS0"\n' >"$s/etc-default/grub"
	for c in uname update-grub grub-set-default grub-reboot grub-editenv shutdown reboot systemctl apt-get apt-mark dpkg-query pciprobe-report; do
		cp "$TOP/tests/fleet/fakehost" "$s/sbin/$c"
	done
	# an RPM host: dnf first on PATH (the role tells the family by it)
	if [[ " $* " == *" FAMILY=rpm "* ]]; then
		for c in dnf rpm grubby grub2-reboot grub2-editenv; do cp "$TOP/tests/fleet/fakehost" "$s/sbin/$c"; done
		mkdir -p "$s/yum.repos.d" "$s/rpm-gpg"
	fi
	echo "$s" >"$s/sbin/.fakehost"
	PORT=$((PORT + 1))
	echo "$PORT" >"$s/port"
	ssh-keygen -q -t ed25519 -N '' -f "$s/hostkey"
	cat >"$s/sshd_config" <<-EOF
	ListenAddress 127.0.0.1
	Port $PORT
	HostKey $s/hostkey
	PidFile $s/sshd.pid
	AuthorizedKeysFile $TMP/key.pub
	PermitRootLogin prohibit-password
	PasswordAuthentication no
	UsePAM no
	StrictModes no
	Subsystem sftp internal-sftp
	EOF
	[[ " $* " == *" UNREACHABLE=1 "* ]] && return
	# set -e: no sshd unless every stand-in is in place (a real shutdown or
	# apt-get must never run for a fake host)
	unshare --mount --propagation private -- bash -c '
		set -e
		s=$1
		mount --bind "$s/sbin" /usr/local/sbin
		mount --bind "$s/boot_id" /proc/sys/kernel/random/boot_id
		mount --bind "$s/etc-default" /etc/default
		mount --bind "$s/boot" /boot
		mount --bind "$s/sources" /etc/apt/sources.list.d
		mount --bind "$s/keyrings" /etc/apt/keyrings
		for c in /usr/bin/apt-get /usr/bin/apt-mark /usr/bin/systemctl; do mount --bind "$s/sbin/${c##*/}" "$c"; done
		/usr/local/sbin/update-grub
		exec /usr/sbin/sshd -D -e -f "$s/sshd_config"' _ "$s" 2>"$s/sshd.log" &
	PIDS+=($!)
	"$TOP/tests/fleet/fakehost" --power "$s" &
	PIDS+=($!)
}
inventory() {	# inventory FILE HOST...: the hosts' inventory
	local f=$1 n
	shift
	{
		echo "all:"
		echo "  hosts:"
		for n in "$@"; do
			if grep -q '^FAMILY=rpm$' "$H/$n/scenario"; then
				echo "    $n: {ansible_host: 127.0.0.1, ansible_port: $(cat "$H/$n/port"), fleet_rpm_repo_file: $H/$n/yum.repos.d/pciprobe.repo, fleet_rpm_key_file: $H/$n/rpm-gpg/RPM-GPG-KEY-pciprobe}"
			else
				echo "    $n: {ansible_host: 127.0.0.1, ansible_port: $(cat "$H/$n/port")}"
			fi
		done
		echo "  vars:"
		echo "    ansible_user: root"
		echo "    ansible_ssh_private_key_file: $TMP/key"
		echo "    ansible_ssh_common_args: -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=5"
		echo "    ansible_python_interpreter: /usr/bin/python3"
	} >"$f"
}
wait_sshd() {
	local n p
	for n in "$@"; do
		p=$(cat "$H/$n/port")
		for _ in $(seq 50); do
			(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && break
			sleep 0.2
		done
	done
}
# a repository as make repo leaves it (its packages are not read here)
mkdir -p "$PCIPROBE_OUT/repo/6.12"
echo "not a real key: the fake hosts' apt only checks it is there" >"$PCIPROBE_OUT/repo/6.12/pciprobe-archive-keyring.gpg"
mkdir -p "$PCIPROBE_OUT/repo/6.12/rpm"
echo "not a real key either" >"$PCIPROBE_OUT/repo/6.12/rpm/RPM-GPG-KEY-pciprobe"
jq -n --arg p "$PKG" --arg r "$NEW" '{branch: "6.12", suite: "pciprobe", kernel: {package: $p, release: $r, version: "6.12.117-1~deb12u1a~pciprobe1", capability_package: ("pciprobe-fix-" + $r)},
	rpm_kernel: {package: "kernel-pciprobe", release: $r, version: "6.12.117-0.1.pciprobe"}}' \
	>"$PCIPROBE_OUT/repo/6.12/repo.json"

rollout() {	# rollout RUN INVENTORY ARGS...: exit status in $TMP/rc
	local run=$1 inv=$2
	shift 2
	"$TOP/scripts/fleet/rollout" --inventory "$inv" --repo-url http://127.0.0.1:1/repo --branch 6.12 --run "$run" "$@" \
		>"$TMP/$run.out" 2>&1
	echo $? >"$TMP/$run.rc"
}
out() { jq -r "$2" "$PCIPROBE_OUT/fleet/$1/report.json"; }
outcome() { out "$1" ".hosts[] | select(.host == \"$2\") | .outcome"; }
wave() { out "$1" ".hosts[] | select(.host == \"$2\") | .wave"; }
state() { cat "$H/$1/$2"; }
grubvar() { sed -n "s/^$2=//p" "$H/$1/grubenv"; }
entry() { echo "gnulinux-advanced-0f6c6a57-3c3b-4f4e-9a4e-5f4a7f0d7e11>gnulinux-$1-advanced-0f6c6a57-3c3b-4f4e-9a4e-5f4a7f0d7e11"; }
diag() { tail -n 30 "$TMP/$1.out"; }

# --- run 1: host 2's new kernel panics; waves of 1: 1 fixed, 2 fell-back, stop, 3 not reached
host h1
host h2 NEW_BOOT=panic
host h3
wait_sshd h1 h2 h3
inventory "$TMP/inv1.yml" h1 h2 h3
rollout r1 "$TMP/inv1.yml" --waves 1,1,1
[ "$(cat "$TMP/r1.rc")" = 1 ]; ok $? "run 1 exits 1 (not every host fixed)" "$(diag r1)"
[ "$(outcome r1 h1)/$(wave r1 h1)" = fixed/1 ]; ok $? "run 1: h1 fixed in wave 1" "$(diag r1)"
[ "$(outcome r1 h2)/$(wave r1 h2)" = fell-back/2 ]; ok $? "run 1: h2 fell-back in wave 2" "$(out r1 '.hosts[1]')"
[ "$(outcome r1 h3)/$(wave r1 h3)" = not-reached/3 ]; ok $? "run 1: h3 not-reached: the stop rule ended the rollout" "$(out r1 .fleet)"
[ "$(out r1 .fleet.stopped_at_wave)" = 2 ]; ok $? "run 1: the report says wave 2 stopped it"
grep -q "^wave 1: 1 fixed; wave 2: 1 fell-back, stop; wave 3: 1 not reached$" "$TMP/r1.out"; ok $? "run 1: the table's summary line" "$(diag r1)"
# h1: the new kernel is the default, held; the stock kernel stays installed
[ "$(state h1 kernel)" = "$NEW" ] && [ "$(grubvar h1 saved_entry)" = "$(entry "$NEW")" ] &&
	grep -qx "$PKG" "$H/h1/held" && grep -qxF "$OLD" "$H/h1/kernels" && grep -qx "pciprobe-fix-$NEW" "$H/h1/pkgs"; ok $? \
	"h1: runs $NEW, GRUB's default, held, its capability package installed with it; the stock kernel kept" "$(cat "$H/h1/grubenv" "$H/h1/kernels" "$H/h1/pkgs")"
( grep -q "^GRUB_DEFAULT=saved$" "$H/h1/etc-default/grub" && grep -q '^GRUB_CMDLINE_LINUX="console=ttyS0 panic=10"$' "$H/h1/etc-default/grub" ); ok $? \
	"h1: GRUB_DEFAULT=saved, panic=10 added to GRUB_CMDLINE_LINUX" "$(cat "$H/h1/etc-default/grub")"
# h2: the panic, the stock kernel back by itself, then rolled back
grep -q "boot: $NEW: Kernel panic" "$H/h2/console" && [ "$(tail -n1 "$H/h2/console")" = "boot: $OLD" ]; ok $? \
	"h2: the trial boot panicked and the pinned stock kernel booted, with no command" "$(cat "$H/h2/console")"
[ "$(state h2 kernel)" = "$OLD" ] && [ "$(grubvar h2 saved_entry)" = "$(entry "$OLD")" ] && ! grep -qx "$PKG" "$H/h2/pkgs" &&
	[ "$(state h2 kernels)" = "$OLD" ]; ok $? \
	"h2: rolled back: the stock kernel the default, the package removed, the stock kernel installed" "$(cat "$H/h2/grubenv" "$H/h2/pkgs")"
[ "$(out r1 '.hosts[] | select(.host == "h2") | .rolled_back')" = true ]; ok $? "h2: the record says rolled back"
# the rescue ends with fail: Ansible itself counts h2 as failed (a rescue
# that succeeded would say failed=0 and rescued=1)
( grep -qE '^h2 +: ok=[0-9]+ .* failed=1 ' "$PCIPROBE_OUT/fleet/r1/rollout-2.log" ); ok $? \
	"run 1: Ansible's recap of wave 2 counts h2 as failed (its rescue ends with fail)" "$(grep -E '^h2 +:' "$PCIPROBE_OUT/fleet/r1/rollout-2.log")"
! grep -qE '^(apt-get|systemctl reboot|grub-)' "$H/h3/calls"; ok $? "h3: surveyed only: nothing installed, no reboot" "$(cat "$H/h3/calls")"
( python3 -c 'import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); c = r.findall(".//testcase"); f = r.findall(".//failure"); s = r.findall(".//skipped"); sys.exit(not (len(c) == 3 and len(f) == 1 and f[0].get("type") == "fell-back" and len(s) == 1))' "$PCIPROBE_OUT/fleet/r1/junit.xml" ); ok $? \
	"run 1: junit.xml: 3 test cases, 1 failure (fell-back), 1 skipped" "$(cat "$PCIPROBE_OUT/fleet/r1/junit.xml")"
jq -e '.before.canary.verdict == "serialized" and .after.canary.verdict == "fixed" and .after.boot_id != .before.boot_id and .after.canary.boot_id == .after.boot_id and (.trial_seconds | type) == "number" and (.started | type) == "number" and .wave == 1' "$PCIPROBE_OUT/fleet/r1/hosts/h1.json" >/dev/null; ok $? \
	"h1's record: canary serialized before, fixed after, of the new boot; timings" "$(cat "$PCIPROBE_OUT/fleet/r1/hosts/h1.json")"

# --- run 2: the fault gone, the rollout again: h1 not rebooted, h2 and h3 fixed
sed -i 's/^NEW_BOOT=panic$/NEW_BOOT=ok/' "$H/h2/scenario"
reboots_h1=$(grep -c '^systemctl reboot' "$H/h1/calls")
rollout r2 "$TMP/inv1.yml" --waves 1,1,1
[ "$(cat "$TMP/r2.rc")" = 0 ]; ok $? "run 2 (resume) exits 0" "$(diag r2)"
[ "$(outcome r2 h1)" = already-fixed ] && [ "$(grep -c '^systemctl reboot' "$H/h1/calls")" = "$reboots_h1" ]; ok $? \
	"run 2: h1 already-fixed, not rebooted again" "$(out r2 '.hosts[0]')"
[ "$(outcome r2 h2)/$(outcome r2 h3)" = fixed/fixed ]; ok $? "run 2: h2 and h3 fixed" "$(diag r2)"
grep -qxF "$OLD" "$H/h2/kernels" && grep -qxF "$OLD" "$H/h3/kernels"; ok $? "run 2: the stock kernel stays installed"

# --- run 3: one wave of all; every other outcome class
host h4 VERDICT_NEW=serialized
host h5 VERDICT_NEW=cannot-tell
host h6 NEW_BOOT=noreturn
host h7 SYSTEM=degraded
host h8 UNREACHABLE=1
host h12 REBOOT=fails
wait_sshd h4 h5 h6 h7 h12
inventory "$TMP/inv3.yml" h4 h5 h6 h7 h8 h12
rollout r3 "$TMP/inv3.yml" --waves 100% -- -e fleet_reboot_timeout=20
[ "$(cat "$TMP/r3.rc")" = 1 ]; ok $? "run 3 exits 1" "$(diag r3)"
for x in h4:not-fixed h5:cannot-tell h6:no-return h7:degraded h8:unreachable; do
	[ "$(outcome r3 "${x%%:*}")" = "${x#*:}" ]; ok $? "run 3: ${x%%:*} ${x#*:}" "$(out r3 ".hosts[] | select(.host == \"${x%%:*}\")")"
done
for h in h4 h5 h7; do
	[ "$(state $h kernel)" = "$OLD" ] && [ "$(grubvar $h saved_entry)" = "$(entry "$OLD")" ] && [ "$(state $h kernels)" = "$OLD" ]; ok $? \
		"run 3: $h booted back to the stock kernel, its default again, the package removed" "$(cat "$H/$h/grubenv" "$H/$h/kernels" "$H/$h/calls")"
done
[ "$(grubvar h6 saved_entry)" = "$(entry "$OLD")" ]; ok $? "run 3: h6 (no return) keeps the stock kernel pinned: a power cycle boots it"
[ "$(outcome r3 h12)" = error ] && out r3 '.hosts[] | select(.host == "h12") | .reason' | grep -q 'reboot command failed' &&
	[ "$(state h12 kernel)" = "$OLD" ] && [ "$(grubvar h12 saved_entry)" = "$(entry "$OLD")" ] && [ -z "$(grubvar h12 next_entry)" ] &&
	[ "$(state h12 kernels)" = "$OLD" ] && ! grep -q '^boot: ' "$H/h12/console" 2>/dev/null; ok $? \
	"run 3: h12 (reboot refused): error, not no-return; the one-shot entry cleared, the package removed, never rebooted" \
	"$(out r3 '.hosts[] | select(.host == "h12")'; cat "$H/h12/grubenv" "$H/h12/kernels")"
! { grep -q '^shutdown' "$H/h1/calls"; }; ok $? "the role reboots with systemctl reboot (shutdown -r fails without D-Bus)"

# --- run 4: cohorts: one host of each fingerprint first
host h9 FP=fp-a
host h10 FP=fp-a
host h11 FP=fp-b
wait_sshd h9 h10 h11
inventory "$TMP/inv4.yml" h9 h10 h11
rollout r4 "$TMP/inv4.yml" --waves 1 --cohorts
[ "$(cat "$TMP/r4.rc")" = 0 ] && [ "$(wave r4 h9)$(wave r4 h11)$(wave r4 h10)" = 112 ]; ok $? \
	"run 4 (--cohorts): wave 1 is h9 and h11 (one of each fingerprint), h10 in wave 2; all fixed" "$(diag r4)"

# --- run 5: RPM hosts (stand-ins for dnf, rpm, grubby, grub2-reboot,
# grub2-editenv): h13 fixed, h14's new kernel panics: fell-back, stop
host h13 FAMILY=rpm NEW_PKG=kernel-pciprobe
host h14 FAMILY=rpm NEW_PKG=kernel-pciprobe NEW_BOOT=panic
wait_sshd h13 h14
inventory "$TMP/inv5.yml" h13 h14
rollout r5 "$TMP/inv5.yml" --waves 1,1
bls() { echo "5e1f0c2a9d8b4c6e8f7a6b5c4d3e2f10-$1"; }
[ "$(cat "$TMP/r5.rc")" = 1 ] && [ "$(outcome r5 h13)/$(outcome r5 h14)" = fixed/fell-back ]; ok $? \
	"run 5 (RPM hosts): h13 fixed, h14 fell-back, exit 1" "$(diag r5)"
( grep -qx 'dnf -q -y makecache --repo pciprobe' "$H/h13/calls" && grep -qx 'dnf -y install pciprobe-report kernel-pciprobe' "$H/h13/calls" &&
	grep -qx "grub2-reboot $(bls "$NEW")" "$H/h13/calls" && grep -qx 'ALL panic=10' "$H/h13/bls-args" &&
	grep -qx "/boot/vmlinuz-$NEW panic=10" "$H/h13/bls-args" && ! grep -q '^apt-get' "$H/h13/calls" &&
	[ "$(state h13 kernel)" = "$NEW" ] && [ "$(grubvar h13 saved_entry)" = "$(bls "$NEW")" ] && grep -qx kernel-pciprobe "$H/h13/held" &&
	grep -qxF "$OLD" "$H/h13/kernels" ); ok $? \
	"run 5: h13 through dnf (its repository alone), grubby (panic= on every entry, the new one too), grub2-reboot; the new kernel grubby's default, versionlocked; the old one kept" \
	"$(cat "$H/h13/calls" "$H/h13/grubenv" "$H/h13/bls-args" 2>&1)"
grep -q "boot: $NEW: Kernel panic" "$H/h14/console" && [ "$(state h14 kernel)" = "$OLD" ] && [ "$(grubvar h14 saved_entry)" = "$(bls "$OLD")" ] &&
	[ -z "$(grubvar h14 next_entry)" ] && ! grep -qx kernel-pciprobe "$H/h14/pkgs" && grep -qx 'dnf -y remove kernel-pciprobe' "$H/h14/calls"; ok $? \
	"run 5: h14 panicked, came back on the old kernel by itself, rolled back: grubby's default the old kernel, dnf remove" \
	"$(cat "$H/h14/calls" "$H/h14/grubenv" "$H/h14/console" 2>&1)"

# --- run 6: a wave of two in which h15 stops answering while apt installs
# (Ansible: unreachable, no rescue, not counted by max_fail_percentage):
# h16 of the same wave is still promoted; the rollout stops, h17 not reached
host h15 DROP=install
host h16
host h17
wait_sshd h15 h16 h17
inventory "$TMP/inv6.yml" h15 h16 h17
rollout r6 "$TMP/inv6.yml" --waves 2,1 -- -e fleet_reboot_timeout=20
[ "$(cat "$TMP/r6.rc")" = 1 ] && [ "$(outcome r6 h15)/$(outcome r6 h16)/$(outcome r6 h17)" = no-return/fixed/not-reached ] &&
	[ "$(out r6 .fleet.stopped_at_wave)" = 1 ]; ok $? \
	"run 6: h15 unreachable in the middle of wave 1: no-return, the rollout stops; h16 fixed; h17 not reached" "$(diag r6)"
[ "$(state h16 kernel)" = "$NEW" ] && [ "$(grubvar h16 saved_entry)" = "$(entry "$NEW")" ] && grep -qx "$PKG" "$H/h16/held" &&
	! grep -q '^apt-get' "$H/h17/calls"; ok $? \
	"run 6: h16 promoted (GRUB's default, held) in the wave h15 left; h17 untouched" "$(cat "$H/h16/grubenv" "$H/h17/calls")"

# --- bad input
run_cmd "$TOP/scripts/fleet/rollout" --inventory "$TMP/inv1.yml" --repo-url http://127.0.0.1:1/repo --branch 9.9
[ "$(last_rc)" = 2 ] && grep -q 'unknown branch' "$TMP/last.err"; ok $? "rollout: an unknown branch: exit 2" "$(last_err)"
run_cmd "$TOP/scripts/fleet/rollout" --inventory "$TMP/none.yml" --repo-url http://127.0.0.1:1/repo
[ "$(last_rc)" = 2 ] && grep -q 'cannot read the inventory' "$TMP/last.err"; ok $? "rollout: no inventory: exit 2" "$(last_err)"
run_cmd "$TOP/scripts/fleet/plan" --waves 1,0 "$TMP/inv1.yml" "$TMP"
[ "$(last_rc)" = 2 ] && grep -q 'a wave of 0 hosts' "$TMP/last.err"; ok $? "plan: a wave of 0 hosts: exit 2" "$(last_err)"

# --- the report alone, on hand-written records: a failed wave 2 followed by
# a wave 3 that ran (a rescue that swallowed the failure) stopped nothing;
# the same with wave 3 not reached stopped at wave 2
R=$TMP/report-only
mkdir -p "$R/hosts"
echo '{"order": ["a", "b", "c"], "serial": [1, 1, 1], "waves": {"a": 1, "b": 2, "c": 3}, "unreachable": ["z"]}' >"$R/plan.json"
echo '{"host": "a", "outcome": "fixed", "started": 100, "ended": 160}' >"$R/hosts/a.json"
echo '{"host": "b", "outcome": "fell-back", "reason": "booted the old kernel"}' >"$R/hosts/b.json"
echo '{"host": "c", "outcome": "fixed"}' >"$R/hosts/c.json"
"$TOP/scripts/fleet/report" "$R" >"$TMP/rep.out" 2>&1
rc=$?
[ $rc = 1 ] && jq -e '.fleet.stopped_at_wave == null and .fleet.waves_run == 3 and .fleet.outcomes == {"fixed": 2, "fell-back": 1, "unreachable": 1}
	and (.hosts[0].ended - .hosts[0].started) == 60' "$R/report.json" >/dev/null; ok $? \
	"report: a failed wave followed by one that ran did not stop the rollout; z unreachable; the host's time" "$(cat "$TMP/rep.out")"
rm "$R/hosts/c.json"
"$TOP/scripts/fleet/report" "$R" >"$TMP/rep.out" 2>&1
jq -e '.fleet.stopped_at_wave == 2 and (.hosts[] | select(.host == "c") | .outcome) == "not-reached"' "$R/report.json" >/dev/null &&
	grep -qx 'wave 1: 1 fixed; wave 2: 1 fell-back, stop; wave 3: 1 not reached; 1 unreachable (not rolled out)' "$TMP/rep.out"; ok $? \
	"report: wave 3 not reached: wave 2 stopped it; the summary line" "$(cat "$TMP/rep.out")"

# --- the signed repository, and apt refusing it under another key
mkdir -p "$TMP/debs/p1/DEBIAN" "$TMP/debs/p2/DEBIAN" "$PCIPROBE_OUT/6.12/deb" "$PCIPROBE_OUT/canary"
printf 'Package: %s\nVersion: 6.12.117-1~deb12u1a~pciprobe1\nSection: kernel\nPriority: optional\nArchitecture: amd64\nMaintainer: t <t@example.org>\nDescription: test\n' "$PKG" >"$TMP/debs/p1/DEBIAN/control"
printf 'Package: pciprobe-report\nVersion: 1.0\nSection: admin\nPriority: optional\nArchitecture: amd64\nMaintainer: t <t@example.org>\nDescription: test\n' >"$TMP/debs/p2/DEBIAN/control"
dpkg-deb -b "$TMP/debs/p1" "$PCIPROBE_OUT/6.12/deb/${PKG}_6.12.117-1~deb12u1a~pciprobe1_amd64.deb" >/dev/null
dpkg-deb -b "$TMP/debs/p2" "$PCIPROBE_OUT/canary/pciprobe-report_1.0_amd64.deb" >/dev/null
echo '{"config": "debian"}' >"$PCIPROBE_OUT/6.12/deb/config-origin.json"
export PCIPROBE_CACHE=$TMP/cache
run_cmd "$TOP/scripts/fleet/mk-repo" 6.12 "$TMP/repo"
[ "$(last_rc)" = 2 ] && last_err | grep_q "no capability package pciprobe-fix-$NEW" && [ ! -e "$TMP/repo" ]; ok $? \
	"mk-repo: a kernel without its capability package beside it: exit 2, nothing written" "$(last_err)"
"$TOP/scripts/packages/mk-capability" 6.12 "$PCIPROBE_OUT/6.12/deb/${PKG}_6.12.117-1~deb12u1a~pciprobe1_amd64.deb" "$PCIPROBE_OUT/6.12/deb" >/dev/null
run_cmd "$TOP/scripts/fleet/mk-repo" 6.12 "$TMP/repo"
[ "$(last_rc)" = 0 ] && grep -q "^Package: $PKG$" "$TMP/repo/deb/dists/pciprobe/main/binary-amd64/Packages" &&
	grep -q "^Package: pciprobe-fix-$NEW$" "$TMP/repo/deb/dists/pciprobe/main/binary-amd64/Packages" &&
	grep -q '^Package: pciprobe-report$' "$TMP/repo/deb/dists/pciprobe/main/binary-amd64/Packages" &&
	[ "$(jq -r .kernel.release "$TMP/repo/repo.json")" = "$NEW" ] &&
	[ "$(jq -r .kernel.capability_package "$TMP/repo/repo.json")" = "pciprobe-fix-$NEW" ]; ok $? \
	"mk-repo: the kernel, its capability package and the canary in the repository, repo.json names the kernel and the capability package" "$(last_err)"
# apt_update KEYRING: apt-get update of that repository alone, in a private apt root
apt_update() {
	local r=$TMP/aptroot
	rm -rf "$r"
	mkdir -p "$r/lists/partial" "$r/cache/archives/partial" "$r/etc/preferences.d" "$r/etc/sources.list.d"
	: >"$r/status"
	echo "deb [signed-by=$1] file://$TMP/repo/deb pciprobe main" >"$r/etc/sources.list"
	apt-get update -o Dir::State::Lists="$r/lists" -o Dir::State::status="$r/status" -o Dir::Cache="$r/cache" \
		-o Dir::Etc::sourcelist="$r/etc/sources.list" -o Dir::Etc::sourceparts="$r/etc/sources.list.d" \
		-o Dir::Etc::preferencesparts="$r/etc/preferences.d" -o APT::Sandbox::User=root >"$TMP/apt.out" 2>&1
}
apt_update "$TMP/repo/pciprobe-archive-keyring.gpg"
rc=$?
[ $rc = 0 ] && grep -q 'pciprobe InRelease' "$TMP/apt.out"; ok $? "apt accepts the repository with its key" "$(cat "$TMP/apt.out")"
GNUPGHOME=$TMP/other-gpg
mkdir -m 700 "$GNUPGHOME"
GNUPGHOME=$GNUPGHOME gpg --batch --quiet --passphrase '' --quick-gen-key "other <other@invalid>" rsa3072 sign 1y
GNUPGHOME=$GNUPGHOME gpg --batch --export >"$TMP/other.gpg"
apt_update "$TMP/other.gpg"
rc=$?
[ $rc != 0 ] && grep -q 'NO_PUBKEY' "$TMP/apt.out"; ok $? \
	"apt refuses the repository under another key (NO_PUBKEY)" "$(cat "$TMP/apt.out")"
done_testing
