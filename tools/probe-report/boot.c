// SPDX-License-Identifier: GPL-2.0
/*
 * pciprobe-report --boot enable|disable [--kernel KVER]: record the next
 * boot's PCI probes from the initramfs on (initramfs-tools).
 *
 * The package ships an initramfs-tools hook and an init-top script that do
 * nothing unless /etc/pciprobe-report/boot.conf says enabled=1: then the
 * hook copies this program and the config into the initramfs, and the
 * init-top script runs `pciprobe-report --setup` before udev loads the
 * drivers. The kprobe events and the trace buffer survive switch_root:
 * after that boot, `pciprobe-report --live` reads them.
 *
 * enable writes the config and runs `update-initramfs -u -k all` (or the
 * kernel given); disable removes the config and runs it again. Paths for
 * tests: PCIPROBE_REPORT_ETC (/etc/pciprobe-report),
 * PCIPROBE_REPORT_INITRAMFS_TOOLS (/usr/share/initramfs-tools),
 * PCIPROBE_REPORT_UPDATE_INITRAMFS (update-initramfs).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <limits.h>

#include "pciprobe-report.h"

#define CONF_LINE	"enabled=1\n"

struct boot_paths {
	char etc[PATH_MAX];
	char conf[PATH_MAX];
	char hook[PATH_MAX];
	char script[PATH_MAX];
	const char *update;
};

static int boot_paths(struct boot_paths *b)
{
	const char *irt = pp_env("PCIPROBE_REPORT_INITRAMFS_TOOLS", "/usr/share/initramfs-tools");
	const char *etc = pp_env("PCIPROBE_REPORT_ETC", "/etc/pciprobe-report");

	b->update = pp_env("PCIPROBE_REPORT_UPDATE_INITRAMFS", "update-initramfs");
	if (pp_join(b->etc, sizeof(b->etc), etc, "") ||
	    pp_join(b->conf, sizeof(b->conf), etc, "/boot.conf") ||
	    pp_join(b->hook, sizeof(b->hook), irt, "/hooks/pciprobe-report") ||
	    pp_join(b->script, sizeof(b->script), irt, "/scripts/init-top/pciprobe-report")) {
		fprintf(stderr, "%s: path too long: %s or %s\n", PROG, etc, irt);
		return -ENAMETOOLONG;
	}
	return 0;
}

/* a kernel release as update-initramfs -k takes it: no path, no option */
static bool valid_kver(const char *k)
{
	if (!*k || *k == '-' || *k == '.')
		return false;
	for (; *k; k++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+~-", *k))
			return false;
	return true;
}

static bool conf_enabled(const char *conf)
{
	char line[128];
	bool on = false;
	FILE *f = fopen(conf, "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		on |= !strcmp(line, CONF_LINE);
	fclose(f);
	return on;
}

static int write_conf(const struct boot_paths *b)
{
	char tmp[PATH_MAX];
	FILE *f;

	if (mkdir(b->etc, 0755) && errno != EEXIST)
		return -errno;
	if (pp_join(tmp, sizeof(tmp), b->conf, ".new"))
		return -ENAMETOOLONG;
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	fprintf(f, "# pciprobe-report --boot enable: the initramfs places the kprobe events\n"
		   "# before udev loads drivers. Undo: pciprobe-report --boot disable\n"
		   CONF_LINE);
	if (fclose(f)) {
		unlink(tmp);
		return -EIO;
	}
	if (rename(tmp, b->conf)) {
		unlink(tmp);
		return -errno;
	}
	return 0;
}

/* run `update-initramfs -u -k KVER`; its output goes where ours goes */
static int update_initramfs(const char *cmd, const char *kver)
{
	char *argv[] = { (char *)cmd, "-u", "-k", (char *)kver, NULL };
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		execvp(cmd, argv);
		fprintf(stderr, "%s: cannot run %s: %s (--boot needs initramfs-tools)\n",
			PROG, cmd, strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		printf("%s: ran %s -u -k %s\n", PROG, cmd, kver);
		return 0;
	}
	fprintf(stderr, "%s: %s -u -k %s failed (%s %d)\n", PROG, cmd, kver,
		WIFEXITED(status) ? "exit" : "signal",
		WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return -EIO;
}

static int boot_enable(const struct boot_paths *b, const char *kver)
{
	int err;

	if (access(b->hook, X_OK) || access(b->script, X_OK)) {
		fprintf(stderr, "%s: the boot-time pieces are not installed (%s, %s): --boot needs the "
			"pciprobe-report .deb on a system with initramfs-tools\n", PROG, b->hook, b->script);
		return -ENOENT;
	}
	if (conf_enabled(b->conf)) {
		printf("%s: %s already says enabled=1\n", PROG, b->conf);
	} else {
		err = write_conf(b);
		if (err) {
			fprintf(stderr, "%s: cannot write %s: %s\n", PROG, b->conf, strerror(-err));
			return err;
		}
		printf("%s: wrote %s (enabled=1)\n", PROG, b->conf);
	}
	err = update_initramfs(b->update, kver);
	if (err) {
		fprintf(stderr, "%s: the next boot may not record probes: fix that, then run "
			"%s --boot enable again\n", PROG, PROG);
		return err;
	}
	printf("%s: the next boot records PCI probes from the initramfs on (before udev loads "
	       "drivers); after it: %s --live --driver NAME\n", PROG, PROG);
	return 0;
}

static int boot_disable(const struct boot_paths *b, const char *kver)
{
	int err;

	if (access(b->conf, F_OK)) {
		printf("%s: not enabled (no %s): nothing changed\n", PROG, b->conf);
		return 0;
	}
	if (unlink(b->conf)) {
		err = -errno;
		fprintf(stderr, "%s: cannot remove %s: %s\n", PROG, b->conf, strerror(-err));
		return err;
	}
	printf("%s: removed %s\n", PROG, b->conf);
	if (!rmdir(b->etc))
		printf("%s: removed %s\n", PROG, b->etc);
	err = update_initramfs(b->update, kver);
	if (err)
		return err;
	printf("%s: the next boot places no kprobe events; those of this boot stay until "
	       "%s --teardown\n", PROG, PROG);
	return 0;
}

int pp_boot(const char *action, const char *kver)
{
	struct boot_paths b;
	int err;

	if (!kver)
		kver = "all";
	if (!valid_kver(kver)) {
		fprintf(stderr, "%s: '%s' is not a kernel release (see ls /lib/modules)\n", PROG, kver);
		return -EINVAL;
	}
	err = pp_need_root("--boot");
	if (err)
		return err;
	err = boot_paths(&b);
	if (err)
		return err;
	if (!strcmp(action, "enable"))
		return boot_enable(&b, kver);
	return boot_disable(&b, kver);
}
