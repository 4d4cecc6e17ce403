# The project's interface. Scripts do the work; see README.md for the index.
#
#   make run [BRANCH=X]               the main job: fetch, check the series, A/B proof, .deb/.rpm booted
#   make ab [BRANCH=X]                A/B proof (all buildable branches without BRANCH)
#   make bench [BRANCH=X]             probe-window ratio before/after (all buildable without BRANCH)
#   make bench-scaling [BRANCH=X]     the window before/after over M devices x C CPUs, plots (out/bench/)
#   make deb BRANCH=X [CONFIG=file]   .deb kernel packages in out/X/deb/ (the stock Debian config, trimmed; or CONFIG)
#   make rpm BRANCH=X [CONFIG=file]   .rpm kernel package in out/X/rpm/ (the same kernel)
#   make deb|rpm BRANCH=X TEST=1      packages of the A/B test kernel, then boot it (pkg-check)
#   make system [BRANCH=X]            the packages on a real Debian system: stock serialized, installed fixed, removed serialized
#   make canary                       the probe report tool as its own .deb and .rpm (out/canary/)
#   make repo [BRANCH=X] [REPO_KEY=id]    the fleet's signed repository in out/repo/X (make deb + canary; RPMs when built)
#   make rollout INVENTORY=file REPO_URL=url [BRANCH=X] [WAVES=1,25%,100%] [COHORTS=1]
#                                     roll out in waves with Ansible (fleet/), each host gated by its canary; out/fleet/RUN/
#   make fleet [BRANCH=X]             the rollout on three real Debian guests: fixed, fell-back + stop, resume (out/fleet-check/)
#   make systems [BRANCH=X]           make system and make fleet side by side (what make check runs)
#   make apply BRANCH=X | KSRC=dir [BRANCH=X]
#                                     apply the series (to a fresh copy without KSRC; by the tree's code family with it)
#   make patch KSRC=dir [FLAVOR=plain|debian|suse|ubuntu|fedora|android] [BUG=id] [NAME=text]
#                                     the fix made for any tree by its shape, in a distribution's format (out/patch/)
#   make check-series [BRANCH=X] [KSRC=dir]   (KSRC: the series of the tree's code family)
#   make mail BRANCH=X|all [UPSTREAM=sha]
#   make bump [BRANCH=X] [KSRC=dir]   follow branches to their newest sublevel (patches remade, checked)
#   make test                         the scripts' own tests (TAP)
#   make check                        test, check-series, ab + deb + rpm on every buildable branch, system + fleet, revert-fix (.ci/run)
#   make branches                     the branch table

SHELL := /bin/bash
BRANCH ?= $(shell scripts/branches --default)
KSRC ?=
UPSTREAM ?=
CONFIG ?=
TEST ?=
INVENTORY ?=
REPO_URL ?=
WAVES ?= 1,25%,100%
COHORTS ?=
FLAVOR ?=
BUG ?=
NAME ?=

.PHONY: all help branches run fetch apply patch check-series ab bench bench-scaling deb rpm system canary repo rollout fleet systems mail bump test check

all: help

help:
	@sed -n 's/^#   //p' Makefile

branches:
	@scripts/branches --table

# The main job on one branch (default: the README's default branch): the
# series checked, the A/B proof, the test-kernel packages booted, then the
# distro-config packages on a real Debian system (make system).
run:
	$(if $(KSRC),KSRC=$(KSRC)) scripts/series/check-series $(BRANCH)
	scripts/proof/ab $(BRANCH)
	$(MAKE) --no-print-directory deb rpm BRANCH=$(BRANCH) TEST=1
	scripts/system/system-check $(BRANCH)
	@jq -r '"A/B: " + .verdict + "; test-kernel packages: " + ([.packages | to_entries[] | "\(.key) \(.value.verdict)"] | join(", "))' out/$(BRANCH)/result.json
	@jq -r '"system (\(.project_package) on Debian 12): " + .verdict' out/$(BRANCH)/system/system.json

system:
	scripts/system/system-check $(BRANCH)

# Without BRANCH on the command line: every buildable branch, and a table.
CMDLINE_BRANCH = $(if $(filter command line,$(origin BRANCH)),$(BRANCH))
ab:
	$(if $(CMDLINE_BRANCH),scripts/proof/ab $(BRANCH),scripts/proof/ab-all)

bench:
	scripts/proof/bench $(CMDLINE_BRANCH)

bench-scaling:
	scripts/proof/bench-scaling $(CMDLINE_BRANCH)

fetch:
	scripts/source/fetch-source $(BRANCH)

# apply: with KSRC and no BRANCH, the series of the tree's code family that fits
apply:
	scripts/series/apply-series $(if $(KSRC),$(CMDLINE_BRANCH) $(KSRC),$(BRANCH))

# check-series: all branches unless BRANCH is given on the command line
check-series:
	$(if $(KSRC),KSRC=$(KSRC)) scripts/series/check-series $(if $(filter command line,$(origin BRANCH)),$(BRANCH))

deb rpm:
	scripts/packages/pkg-build $(if $(TEST),--test) $@ $(BRANCH) $(CONFIG)
	$(if $(TEST),scripts/packages/pkg-check $@ $(BRANCH))

canary:
	scripts/packages/mk-canary out/canary

# The fleet: the branch's distro-config packages and the canary in a signed
# apt repository (REPO_KEY: a key of your GnuPG keyring; without it a
# throwaway test key), then the rollout on an Ansible inventory.
repo:
	scripts/packages/pkg-build deb $(BRANCH)
	scripts/packages/mk-canary out/canary
	scripts/fleet/mk-repo $(BRANCH) out/repo/$(BRANCH)

rollout:
	scripts/fleet/rollout --inventory "$(INVENTORY)" --repo-url "$(REPO_URL)" --branch $(BRANCH) --waves "$(WAVES)" $(if $(COHORTS),--cohorts)

fleet:
	scripts/fleet/fleet-check $(BRANCH)

# make system and make fleet side by side (make check runs this)
systems:
	scripts/proof/systems $(BRANCH)

bump:
	$(if $(KSRC),KSRC=$(KSRC)) scripts/series/bump $(CMDLINE_BRANCH)

patch:
	scripts/series/mk-patch $(if $(FLAVOR),--flavor "$(FLAVOR)") $(if $(BUG),--bug "$(BUG)") $(if $(NAME),--name "$(NAME)") $(KSRC)

mail:
	scripts/series/make-mail $(if $(UPSTREAM),--upstream $(UPSTREAM)) $(BRANCH)

test:
	tests/run -j 2

# The A/B on every buildable branch, packages of each (built from the A/B
# build, then booted out of the package and judged against the A/B
# "before"), the tests that need a kernel again (real guests that hang or
# panic, packaging with a build to package, the canary in the guest on the
# A/B kernels: on an empty cache they skipped in `test`), the canary
# packages, make system on the default branch (the distro-config packages
# installed with apt on a real Debian system: stock serialized, installed
# fixed, removed serialized) and the checks of those packages (lintian,
# rpmlint, an external module against the headers package, version order,
# the config), the rollout on three real Debian guests (make fleet), then
# the proof that the check can fail: with the fix popped
# again before the "after" build, the default branch's verdict must be
# not-fixed.
check: test check-series
	scripts/proof/ab-all
	for b in $$(scripts/branches --buildable); do \
	  $(MAKE) --no-print-directory deb rpm BRANCH=$$b TEST=1 || exit 1; done
	tests/run t-run-qemu.sh t-packaging.sh t-canary-guest.sh
	$(MAKE) --no-print-directory canary
	scripts/proof/systems $(BRANCH)
	tests/run t-distro-packages.sh
	PCIPROBE_OUT=$(CURDIR)/out/revert-fix scripts/proof/ab --revert-fix $(BRANCH); \
	  scripts/judge/judge revert out/revert-fix/$(BRANCH)/result.json
