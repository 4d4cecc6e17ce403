// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit test: where and when pci_call_probe() runs PCI probes.
 *
 * It binds test drivers to QEMU's pci-testdev devices (1b36:0005), which no
 * other driver claims, and records for every probe its device's node, CPU,
 * task and start and end time. Each probe burns a fixed amount of its own
 * CPU time (not a wall-clock delay: probes time-sliced on one CPU would
 * finish together and look parallel).
 *
 * Each case picks one node, the one with the most unbound test devices among
 * the nodes with at least two online CPUs, and judges only the probes of
 * that node's devices. The drivers bind the test devices of every node: the
 * probes of other nodes are printed but not judged.
 *
 *  - async: a PROBE_PREFER_ASYNCHRONOUS driver on N devices of the node: the
 *    probes must not all run on one CPU in per-CPU workers, must overlap,
 *    and their window must stay well below N times the work of one probe.
 *    Fails while pci_call_probe() hands every probe of the node to the
 *    node's first CPU.
 *  - sync: a PROBE_FORCE_SYNCHRONOUS driver bound from process context
 *    still probes on a CPU of the device's node.
 *
 * A case whose preconditions do not hold is skipped with the reason: no
 * such devices, a driver that cannot be registered, too few probes recorded
 * on the node, or (sync) a test running in a workqueue worker.
 */
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/device.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/nodemask.h>
#include <linux/pci.h>
#include <linux/sched.h>
#include <linux/sched/cputime.h>
#include <linux/topology.h>

#define TESTDEV_VENDOR	0x1b36
#define TESTDEV_DEVICE	0x0005
#define MAX_PROBES	128

static unsigned int budget_ms = 100;
module_param(budget_ms, uint, 0444);
MODULE_PARM_DESC(budget_ms, "CPU time each async probe burns, in ms");

/*
 * Skip the case and leave it. Nothing may be registered when this runs:
 * kunit_skip() does not return to the case.
 */
#ifdef kunit_skip
#define probe_skip(test, fmt, ...) kunit_skip(test, fmt, ##__VA_ARGS__)
#else
/* KUnit before 5.13 cannot skip: say so on a line the harness counts. */
#define probe_skip(test, fmt, ...)					\
	do {								\
		kunit_info(test, "SKIP " fmt, ##__VA_ARGS__);		\
		return;							\
	} while (0)
#endif

struct probe_rec {
	struct pci_dev *pdev;
	const char *drv_name;
	int node;
	int cpu_start;
	int cpu_end;
	bool percpu_worker;
	char comm[TASK_COMM_LEN];
	u64 start_ns;
	u64 end_ns;
};

static struct probe_rec recs[MAX_PROBES];
static atomic_t nrecs;
static u64 work_ns;

/* Spin until this task has run for @ns of its own CPU time. */
static void burn_cpu_time(u64 ns)
{
	u64 t0 = task_sched_runtime(current);

	while (task_sched_runtime(current) - t0 < ns)
		cond_resched();
}

static int rec_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	int i = atomic_inc_return(&nrecs) - 1;
	struct probe_rec *r;

	if (i >= MAX_PROBES)
		return -ENOSPC;
	r = &recs[i];
	r->pdev = pdev;
	r->drv_name = dev_driver_string(&pdev->dev);
	r->node = dev_to_node(&pdev->dev);
	r->start_ns = ktime_get_ns();
	r->cpu_start = raw_smp_processor_id();
	/* A per-CPU workqueue worker is a worker bound to one CPU. */
	r->percpu_worker = (current->flags & PF_WQ_WORKER) &&
			   current->nr_cpus_allowed == 1;
	get_task_comm(r->comm, current);
	burn_cpu_time(work_ns);
	r->cpu_end = raw_smp_processor_id();
	r->end_ns = ktime_get_ns();
	return 0;
}

static void rec_remove(struct pci_dev *pdev)
{
}

static const struct pci_device_id testdev_ids[] = {
	{ PCI_DEVICE(TESTDEV_VENDOR, TESTDEV_DEVICE) },
	{ }
};

static struct pci_driver async_drv = {
	.name = "pci_probe_kunit_async",
	.id_table = testdev_ids,
	.probe = rec_probe,
	.remove = rec_remove,
	.driver.probe_type = PROBE_PREFER_ASYNCHRONOUS,
};

static struct pci_driver sync_drv = {
	.name = "pci_probe_kunit_sync",
	.id_table = testdev_ids,
	.probe = rec_probe,
	.remove = rec_remove,
	.driver.probe_type = PROBE_FORCE_SYNCHRONOUS,
};

static int node_online_cpus(int node)
{
	int cpu, n = 0;

	for_each_cpu_and(cpu, cpumask_of_node(node), cpu_online_mask)
		n++;
	return n;
}

/* The number of test devices on @node that no driver is bound to. */
static int unbound_testdevs(int node)
{
	struct pci_dev *pdev = NULL;
	int n = 0;

	/*
	 * pci_get_device() puts the device it is given and returns the next
	 * one with a reference held; the walk runs to its end (NULL), so no
	 * reference is left behind.
	 */
	while ((pdev = pci_get_device(TESTDEV_VENDOR, TESTDEV_DEVICE, pdev))) {
		if (dev_to_node(&pdev->dev) != node)
			continue;
		device_lock(&pdev->dev);
		if (!pdev->dev.driver)
			n++;
		device_unlock(&pdev->dev);
	}
	return n;
}

/*
 * The node with the most unbound test devices that has at least two online
 * CPUs; NUMA_NO_NODE if none. *count gets its number of devices.
 */
static int pick_node(int *count)
{
	int node, n, best = NUMA_NO_NODE;

	*count = 0;
	for_each_online_node(node) {
		if (node_online_cpus(node) < 2)
			continue;
		n = unbound_testdevs(node);
		if (n > *count) {
			*count = n;
			best = node;
		}
	}
	return best;
}

static void reset_recs(u64 ns)
{
	memset(recs, 0, sizeof(recs));
	atomic_set(&nrecs, 0);
	work_ns = ns;
}

/* The number of records, and *t0 the earliest start among them. */
static int read_recs(struct kunit *test, u64 *t0)
{
	int i, all = atomic_read(&nrecs), n = min(all, MAX_PROBES);

	if (all > n)
		kunit_info(test, "%d probes beyond the first %d were not recorded (and failed)\n",
			   all - n, MAX_PROBES);
	*t0 = U64_MAX;
	for (i = 0; i < n; i++)
		*t0 = min(*t0, recs[i].start_ns);
	return n;
}

/* Print every record; those of nodes other than @node are not judged. */
static void print_recs(struct kunit *test, int n, int node, u64 t0)
{
	const struct probe_rec *r;
	int i;

	for (i = 0; i < n; i++) {
		r = &recs[i];
		kunit_info(test, "%s %s: CPU: %d, COMM: %s, probe cost: %llu ns, start: +%llu ns, node %d%s%s\n",
			   r->drv_name, pci_name(r->pdev), r->cpu_start, r->comm,
			   r->end_ns - r->start_ns, r->start_ns - t0, r->node,
			   r->percpu_worker ? ", per-CPU worker" : "",
			   r->node != node ? ", other node: not judged" : "");
	}
}

static void pci_probe_async_parallel(struct kunit *test)
{
	int node, ndev, n, nnode = 0, i, j, ret, cpu0 = -1;
	bool one_cpu_percpu = true, overlap = false;
	u64 t0, first = U64_MAX, last = 0, window, serial;

	node = pick_node(&ndev);
	if (node == NUMA_NO_NODE || ndev < 2)
		probe_skip(test, "needs 2+ unbound pci-testdev devices (1b36:0005) on a node with 2+ online CPUs, found %d",
			   ndev);

	reset_recs((u64)budget_ms * NSEC_PER_MSEC);
	ret = pci_register_driver(&async_drv);
	if (ret)
		probe_skip(test, "pci_register_driver(%s) failed: %d", async_drv.name, ret);
	wait_for_device_probe();
	pci_unregister_driver(&async_drv);
	n = read_recs(test, &t0);

	for (i = 0; i < n; i++) {
		const struct probe_rec *r = &recs[i];

		if (r->node != node)
			continue;
		if (cpu0 < 0)
			cpu0 = r->cpu_start;
		nnode++;
		first = min(first, r->start_ns);
		last = max(last, r->end_ns);
		if (r->cpu_start != cpu0 || r->cpu_end != cpu0 || !r->percpu_worker)
			one_cpu_percpu = false;
		for (j = 0; j < i; j++)
			if (recs[j].node == node &&
			    r->start_ns < recs[j].end_ns && recs[j].start_ns < r->end_ns)
				overlap = true;
	}
	print_recs(test, n, node, t0);
	if (nnode < 2)
		probe_skip(test, "%d of %d recorded probes on node %d (of %d devices), needs 2+",
			   nnode, n, node, ndev);

	window = last - first;
	serial = (u64)nnode * work_ns;
	kunit_info(test, "node %d: %d probes of %u ms CPU time each, window %llu ms, one after another %llu ms, %d probes on other nodes not judged\n",
		   node, nnode, budget_ms, div_u64(window, NSEC_PER_MSEC),
		   div_u64(serial, NSEC_PER_MSEC), n - nnode);

	KUNIT_EXPECT_FALSE_MSG(test, one_cpu_percpu,
			       "all %d probes of node %d ran on CPU %d in per-CPU workers",
			       nnode, node, cpu0);
	KUNIT_EXPECT_TRUE_MSG(test, overlap, "no two probes of node %d overlapped in time", node);
	KUNIT_EXPECT_LT_MSG(test, window, serial * 3 / 4,
			    "probe window %llu ms of node %d is not well below %d x %u ms",
			    div_u64(window, NSEC_PER_MSEC), node, nnode, budget_ms);
}

static void pci_probe_sync_on_node(struct kunit *test)
{
	int node, ndev, n, nnode = 0, i, ret;
	u64 t0;

	if (current->flags & PF_WQ_WORKER)
		probe_skip(test, "runs in a workqueue worker (%s), needs process context",
			   current->comm);
	node = pick_node(&ndev);
	if (node == NUMA_NO_NODE || ndev < 1)
		probe_skip(test, "needs an unbound pci-testdev device (1b36:0005) on a node with 2+ online CPUs");

	reset_recs(NSEC_PER_MSEC);
	ret = pci_register_driver(&sync_drv);
	if (ret)
		probe_skip(test, "pci_register_driver(%s) failed: %d", sync_drv.name, ret);
	pci_unregister_driver(&sync_drv);
	n = read_recs(test, &t0);
	print_recs(test, n, node, t0);
	for (i = 0; i < n; i++)
		if (recs[i].node == node)
			nnode++;
	if (nnode < 1)
		probe_skip(test, "none of %d recorded probes on node %d (of %d devices)",
			   n, node, ndev);

	for (i = 0; i < n; i++) {
		const struct probe_rec *r = &recs[i];

		if (r->node != node)
			continue;
		KUNIT_EXPECT_EQ_MSG(test, cpu_to_node(r->cpu_start), node,
				    "%s probed on CPU %d, off its node %d",
				    pci_name(r->pdev), r->cpu_start, node);
	}
}

static struct kunit_case pci_probe_numa_cases[] = {
	KUNIT_CASE(pci_probe_async_parallel),
	KUNIT_CASE(pci_probe_sync_on_node),
	{}
};

static struct kunit_suite pci_probe_numa_suite = {
	.name = "pci_probe_numa",
	.test_cases = pci_probe_numa_cases,
};
kunit_test_suite(pci_probe_numa_suite);

MODULE_DESCRIPTION("KUnit test of the CPU and parallelism of PCI probes");
MODULE_LICENSE("GPL");
