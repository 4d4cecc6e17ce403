# kunit.py --qemu_config file (6.1 and later): x86_64 with 4 vCPUs in two
# NUMA nodes and 8 pci-testdev devices (1b36:0005) behind a pxb host
# bridge on node 1, for the pci_probe_numa suite. See README "KUnit by hand".
from ..qemu_config import QemuArchParams

_DEVS = []
for _i in range(1, 9):
    _DEVS += ['-device', 'pci-testdev,bus=pxb1,addr=0x%x' % (_i + 16)]

QEMU_ARCH = QemuArchParams(linux_arch='x86_64',
                           kconfig='''
CONFIG_SERIAL_8250=y
CONFIG_SERIAL_8250_CONSOLE=y
CONFIG_SMP=y
CONFIG_NR_CPUS=8
CONFIG_NUMA=y
CONFIG_ACPI=y
CONFIG_ACPI_NUMA=y
CONFIG_X86_64_ACPI_NUMA=y
CONFIG_PCI=y''',
                           qemu_arch='x86_64',
                           kernel_path='arch/x86/boot/bzImage',
                           kernel_command_line='console=ttyS0',
                           extra_qemu_params=[
                               '-M', 'pc', '-m', '1024', '-smp', '4',
                               '-object', 'memory-backend-ram,id=m0,size=512M',
                               '-object', 'memory-backend-ram,id=m1,size=512M',
                               '-numa', 'node,nodeid=0,cpus=0-1,memdev=m0',
                               '-numa', 'node,nodeid=1,cpus=2-3,memdev=m1',
                               '-device', 'pxb,id=pxb1,bus_nr=32,numa_node=1,bus=pci.0',
                           ] + _DEVS)
