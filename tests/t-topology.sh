#!/bin/bash
# The guest's machine is described once (scripts/boot/topology) and built
# by one script (scripts/boot/guest-args): the A/B test guest, the Debian
# system and fleet guests, and kunit.py's QEMU config get the same CPUs,
# nodes and bridge; the accelerator's threading is decided there, per kind.
. "$(dirname "$0")/lib.sh"
GA=$TOP/scripts/boot/guest-args
export PCIPROBE_ACCEL=tcg

args() { "$GA" "$@" | paste -sd' '; }
t=$(args --kind test --mem 1024 --testdev 8)
s=$(args --kind system --mem 2048 --nvme 2 --img-dir "$TMP")
[[ $t == "-accel tcg,thread=multi "* ]] && [[ $s == "-accel tcg,thread=single "* ]]; ok $? \
	"TCG threading per kind: test guests multi, system guests single" "$t / $s"
grep_q -F -- '-numa node,nodeid=1,cpus=2-3,memdev=m1 -device pxb,id=pxb1,bus_nr=32,numa_node=1,bus=pci.0' <<<"$s" &&
	grep_q -F -- '-object memory-backend-ram,id=m0,size=1024M' <<<"$s" && [ -f "$TMP/nvme2.img" ] &&
	grep_q -F -- "-device nvme,serial=n2,drive=d2,bus=pxb1,addr=0x2" <<<"$s"; ok $? \
	"system guest: 2 GiB split over the nodes, the bridge on node 1, NVMe 2 in slot 2 with its image" "$s"

# kunit.py's config reads the same description: its QEMU arguments are
# guest-args' for 8 test devices, without the accelerator (kunit.py's own)
mkdir -p "$TMP/kp/pkg/sub"
printf 'from collections import namedtuple\nQemuArchParams = namedtuple("Q", ["linux_arch", "kconfig", "qemu_arch", "kernel_path", "kernel_command_line", "extra_qemu_params"])\n' >"$TMP/kp/pkg/qemu_config.py"
touch "$TMP/kp/pkg/__init__.py" "$TMP/kp/pkg/sub/__init__.py"
py=$(cd "$TMP/kp" && python3 -c '
import importlib.util, sys
sys.path.insert(0, ".")
import pkg.qemu_config
spec = importlib.util.spec_from_file_location("pkg.sub.numa", sys.argv[1])
m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
print(" ".join(m.QEMU_ARCH.extra_qemu_params))' "$TOP/kunit-config/qemu_x86_64_numa.py" 2>&1)
[ "$py" = "${t#-accel tcg,thread=multi }" ]; ok $? \
	"kunit-config/qemu_x86_64_numa.py: the same machine as guest-args --kind test --testdev 8" "$(printf 'py: %s\nga: %s' "$py" "$t")"

# The slots bound the devices: refused with one line, exit 2
for a in "--nvme 17" "--testdev 78" "--nvme x" "--node-cpus 0"; do
	# shellcheck disable=SC2086
	run_cmd "$GA" --check $a
	[ "$(last_rc)" = 2 ] && [ "$(last_err | wc -l)" = 1 ]; ok $? "guest-args --check $a: exit 2, one line" "$(last_err)"
done
run_cmd "$GA" --check --nvme 16 --testdev 77
[ "$(last_rc)" = 0 ]; ok $? "16 NVMe and 77 test devices fit" "$(last_err)"
# More CPUs on the device node and more test devices than one bridge holds
# (bench-scaling): node 1 = CPUs 2-7; device 16 opens the second bridge
# in its slot 1, device 47 the third
g=$(args --kind test --mem 1024 --testdev 47 --node-cpus 6)
grep_q -F -- '-smp 8 ' <<<"$g" && grep_q -F -- '-numa node,nodeid=1,cpus=2-7,memdev=m1' <<<"$g" &&
	grep_q -F -- '-device pci-testdev,bus=pxb1,addr=0x1f -device pxb,id=pxb2,bus_nr=64,numa_node=1,bus=pci.0 -device pci-testdev,bus=pxb2,addr=0x1 ' <<<"$g" &&
	grep_q -F -- '-device pci-testdev,bus=pxb2,addr=0x1f -device pxb,id=pxb3,bus_nr=96,numa_node=1,bus=pci.0 -device pci-testdev,bus=pxb3,addr=0x1' <<<"$g" &&
	[ "$(grep -o 'pci-testdev' <<<"$g" | wc -l)" = 47 ]; ok $? \
	"6 CPUs on node 1, 47 test devices over three bridges of node 1" "$g"
run_cmd "$GA" --kind test --mem 1023
[ "$(last_rc)" = 2 ]; ok $? "an odd --mem is refused" "$(last_err)"

# The launchers describe no machine of their own
! grep -n -e '-numa' -e 'memory-backend' -e 'pxb,' "$TOP/scripts/boot/run-qemu" "$TOP/scripts/system/run-system"; ok $? \
	"run-qemu and run-system hold no NUMA, memory or bridge arguments of their own"
done_testing
