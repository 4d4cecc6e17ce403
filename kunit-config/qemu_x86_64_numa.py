# kunit.py --qemu_config file (6.1 and later): this project's guest machine
# (scripts/boot/topology, read here: the same CPUs, NUMA nodes and pxb host
# bridge as every other guest) with 8 pci-testdev devices (1b36:0005)
# behind the bridge, for the pci_probe_numa suite. See README "KUnit by hand".
import os
from ..qemu_config import QemuArchParams

_T = {}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       '..', 'scripts', 'boot', 'topology')) as _f:
    for _line in _f:
        _line = _line.split('#', 1)[0].strip()
        if '=' in _line:
            _k, _v = _line.split('=', 1)
            _T[_k] = _v.strip('"')
_N0 = int(_T['NODE0_NCPUS'])
_N1 = int(_T['NODE1_NCPUS'])

_MEM = 1024
_DEVS = []
for _i in range(8):
    _DEVS += ['-device', 'pci-testdev,bus=pxb1,addr=0x%x' % (int(_T['TESTDEV_SLOT0']) + _i)]

QEMU_ARCH = QemuArchParams(linux_arch='x86_64',
                           kconfig='''
CONFIG_SERIAL_8250=y
CONFIG_SERIAL_8250_CONSOLE=y
CONFIG_SMP=y
CONFIG_NR_CPUS=16
CONFIG_NUMA=y
CONFIG_ACPI=y
CONFIG_ACPI_NUMA=y
CONFIG_X86_64_ACPI_NUMA=y
CONFIG_PCI=y''',
                           qemu_arch='x86_64',
                           kernel_path='arch/x86/boot/bzImage',
                           kernel_command_line='console=ttyS0',
                           extra_qemu_params=[
                               '-M', 'pc', '-m', str(_MEM), '-smp', str(_N0 + _N1),
                               '-object', 'memory-backend-ram,id=m0,size=%dM' % (_MEM // 2),
                               '-object', 'memory-backend-ram,id=m1,size=%dM' % (_MEM // 2),
                               '-numa', 'node,nodeid=0,cpus=0-%d,memdev=m0' % (_N0 - 1),
                               '-numa', 'node,nodeid=1,cpus=%d-%d,memdev=m1' % (_N0, _N0 + _N1 - 1),
                               '-device', 'pxb,id=pxb1,bus_nr=%s,numa_node=%s,bus=pci.0'
                               % (_T['PXB_BUS_NR'], _T['DEVICE_NODE']),
                           ] + _DEVS)
