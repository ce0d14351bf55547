// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Can a group be passed through to a virtual machine (passthrough.h)?
 *
 * The findings, each with the device it is about and the way out:
 *   claimed, quarantined   the iommu_policy module holds the group
 *   not-pci                a device VFIO's PCI drivers cannot take
 *   dma-api-driver         a device bound to a DMA-API driver: the group is
 *                          not viable (the hand-over moves it too)
 *   in-use                 a device in use (inuse.h): the hand-over refuses
 *                          to unbind it without --force
 *   no-vfio-driver         the driver is neither loaded nor installed
 *   driver-not-loaded      the driver is installed, not loaded (the hand-over
 *                          loads it)
 *   isolation              why several devices share the group: one
 *                          multifunction device, or a port or bridge that
 *                          does not isolate the devices below it (ACS)
 *   msi-not-isolated       no interrupt remapping: VFIO's type1 containers
 *                          refuse the group
 *   untrusted              an external-facing device: VFIO isolates it, and
 *                          the hand-over leaves its policy as it is
 *   identity               the group's default domain is identity
 *   interrupted            an interrupted change left a journal
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "groups.h"
#include "inuse.h"
#include "out.h"
#include "passthrough.h"
#include "sysfs.h"
#include "util.h"

enum pt_state passthrough_state(const struct ic_group *grp)
{
	bool vfio = false, dma_api = false;

	for (size_t i = 0; i < grp->ndevices; i++) {
		const char *drv = grp->devices[i].driver;

		if (!drv)
			continue;
		if (driver_is_vfio(drv))
			vfio = true;
		else if (!driver_manages_dma(drv))
			dma_api = true;
	}
	return !vfio ? PT_NONE : dma_api ? PT_BLOCKED : PT_READY;
}

const char *passthrough_word(enum pt_state s)
{
	return s == PT_READY ? "ready" : s == PT_BLOCKED ? "blocked" : "none";
}

const char *passthrough_role(const struct ic_group *grp, size_t i)
{
	const struct ic_device *d = &grp->devices[i];

	if (d->driver && driver_is_vfio(d->driver))
		return "vfio";
	if (device_is_bridge(d))
		return "bridge";
	if (!d->driver)
		return "unbound";
	return driver_manages_dma(d->driver) ? "driver-managed" : "dma-api";
}

static void add(struct pt_check *c, const char *kind, const char *device, bool now, bool hand,
		const char *hint, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
static void add(struct pt_check *c, const char *kind, const char *device, bool now, bool hand,
		const char *hint, const char *fmt, ...)
{
	struct pt_finding *f;
	va_list ap;

	c->f = xrealloc(c->f, (c->n + 1) * sizeof(*c->f));
	f = &c->f[c->n++];
	f->kind = kind;
	f->device = device ? xstrdup(device) : NULL;
	va_start(ap, fmt);
	if (vasprintf(&f->text, fmt, ap) < 0)
		f->text = NULL;
	va_end(ap);
	if (!f->text)
		f->text = xstrdup(kind);
	f->hint = hint ? xstrdup(hint) : NULL;
	f->blocks_now = now;
	f->blocks_hand_over = hand;
}

/*
 * Whether PCI device @dev has an ACS capability (extended capability 0x0d):
 * 1 yes, 0 no, -1 unknown (its extended configuration space is root's).
 */
static int has_acs(const char *dev)
{
	char *path = sysfs_path("/sys/bus/pci/devices/%s/config", dev);
	FILE *f = fopen(path, "re");
	unsigned char cfg[4096];
	size_t n = f ? fread(cfg, 1, sizeof(cfg), f) : 0;
	unsigned int pos = 0x100;

	free(path);
	if (f)
		fclose(f);
	if (n < 0x104)
		return -1;
	for (int hops = 0; pos >= 0x100 && pos + 4 <= n && hops < 256; hops++) {
		uint32_t h = cfg[pos] | cfg[pos + 1] << 8 | cfg[pos + 2] << 16 |
			     (uint32_t)cfg[pos + 3] << 24;

		if (!h || h == 0xffffffff)
			return 0;
		if ((h & 0xffff) == 0x000d)
			return 1;
		pos = (h >> 20) & 0xffc;
	}
	return 0;
}

/* The device's path in /sys/devices ("/sys/devices/pci0000:00/0000:00:1c.0/0000:01:00.0"). */
static char *device_path(const char *dev)
{
	char *link = sysfs_path("/sys/bus/pci/devices/%s", dev);
	char *real = realpath(link, NULL);

	free(link);
	return real;
}

/* The last PCI device in @path (the bridge or port the common part ends at), or NULL. */
static const char *last_pci(char *path)
{
	char *save = NULL, *last = NULL;

	for (char *w = strtok_r(path, "/", &save); w; w = strtok_r(NULL, "/", &save))
		if (is_pci_address(w))
			last = w;
	return last;
}

/* Why the devices share the group: one multifunction device, or a port without isolation. */
static void isolation(struct pt_check *c, const struct ic_group *grp)
{
	char slot[16] = "", *common = NULL;
	bool one_slot = true;
	size_t n = 0;
	int acs;

	for (size_t i = 0; i < grp->ndevices; i++) {
		const struct ic_device *d = &grp->devices[i];
		char *p;

		if (device_is_bridge(d) || !is_pci_address(d->name))
			continue;
		n++;
		if (!slot[0])
			snprintf(slot, sizeof(slot), "%.10s", d->name);
		else if (strncmp(slot, d->name, 10))
			one_slot = false;
		p = device_path(d->name);
		if (!p)
			continue;
		if (!common) {
			common = p;
			continue;
		}
		/* The common directories of both paths. */
		size_t k = 0, cut = 0;

		while (common[k] && common[k] == p[k]) {
			if (common[k] == '/')
				cut = k;
			k++;
		}
		if (!common[k] && (p[k] == '/' || !p[k]))
			cut = k;
		common[cut] = '\0';
		free(p);
	}
	if (n < 2) {
		free(common);
		return;
	}
	if (one_slot) {
		char fn0[16];

		snprintf(fn0, sizeof(fn0), "%s.0", slot);
		acs = has_acs(fn0);
		add(c, "isolation", NULL, false, false,
		    "they go to a VM only together; for one device alone, use one in another slot",
		    "the group's %zu devices are functions of one device, %s, %s: the kernel cannot keep them apart",
		    n, slot, acs == 1 ? "whose ACS does not isolate its functions" :
		    acs == 0 ? "which has no ACS capability" : "without ACS between its functions");
	} else {
		const char *port = common ? last_pci(common) : NULL;

		if (port) {
			acs = has_acs(port);
			add(c, "isolation", port, false, false,
			    "they go to a VM only together; for one device alone, use a slot behind a port with ACS",
			    "the group's %zu devices are below %s, %s: the kernel cannot isolate them from each other",
			    n, port, acs == 1 ? "whose ACS controls do not isolate the devices below it" :
			    acs == 0 ? "a port or bridge without an ACS capability" :
			    "a port or bridge without ACS isolation");
		} else {
			add(c, "isolation", NULL, false, false,
			    "they go to a VM only together",
			    "the group's %zu devices sit on the root bus without ACS between them: the kernel cannot isolate them",
			    n);
		}
	}
	free(common);
}

/* Is @driver loaded (its directory), or at least installed for this kernel (modules.dep)? */
static void driver_availability(struct pt_check *c, const char *driver)
{
	char *path = sysfs_path("/sys/bus/pci/drivers/%s", driver);
	bool loaded = access(path, F_OK) == 0;
	struct utsname u;
	char *dep, line[1024], want[128];
	bool installed = false;
	FILE *f;

	free(path);
	if (loaded || sysfs_root()[0])
		return;	/* a recorded tree has no modules to look for */
	/* modules.dep lists "kernel/drivers/vfio/pci/vfio-pci.ko.xz: ...", - and _ alike. */
	snprintf(want, sizeof(want), "/%s.ko", driver);
	for (char *p = want; *p; p++)
		if (*p == '_')
			*p = '-';
	if (uname(&u) == 0) {
		dep = xasprintf("/lib/modules/%s/modules.dep", u.release);
		f = fopen(dep, "re");
		free(dep);
		while (f && !installed && fgets(line, sizeof(line), f)) {
			line[strcspn(line, ":")] = '\0';
			for (char *p = line; *p; p++)
				if (*p == '_')
					*p = '-';
			installed = strstr(line, want) != NULL;
		}
		if (f)
			fclose(f);
	}
	if (installed)
		add(c, "driver-not-loaded", NULL, false, false, NULL,
		    "%s is not loaded: the hand-over loads it (modprobe %s)", driver, driver);
	else
		add(c, "no-vfio-driver", NULL, true, true,
		    "install or build the kernel's VFIO PCI driver (CONFIG_VFIO_PCI), or name another with --driver",
		    "%s is neither loaded nor installed for this kernel", driver);
}

/*
 * Whether MSIs are isolated (interrupt remapping): what the kernel's MSI
 * domains are named in /sys/kernel/irq/N/chip_name, "IR-PCI-MSI-..." on x86
 * with remapping, "ITS-PCI-MSIX-..." on arm64 with a GICv3 ITS, but
 * "PCI-MSI-..." or "GICv2m-PCI-MSIX-..." without.  1 yes, 0 no, -1 unknown
 * (no PCI MSI in use, or no such files).
 */
static int msi_isolated(void)
{
	char *dir = sysfs_path("/sys/kernel/irq");
	char **irqs = sysfs_list_dir(dir, NULL);
	int ret = -1;

	for (char **p = irqs; irqs && *p && ret != 1; p++) {
		char *file = xasprintf("%s/%s/chip_name", dir, *p), name[128];

		if (sysfs_read_str(file, name, sizeof(name)) == 0 && strstr(name, "PCI-MSI"))
			ret = !strncmp(name, "IR-", 3) || !strncmp(name, "ITS-", 4);
		free(file);
	}
	sysfs_free_list(irqs);
	free(dir);
	return ret;
}

/* vfio_iommu_type1's allow_unsafe_interrupts: Y lets containers without isolation. */
static bool unsafe_interrupts_allowed(void)
{
	char *path = sysfs_path("/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts");
	char buf[8];
	bool ret = sysfs_read_str(path, buf, sizeof(buf)) == 0 && buf[0] == 'Y';

	free(path);
	return ret;
}

void passthrough_check(struct pt_check *c, const struct ic_group *grp, const char *driver)
{
	bool inferred;
	const char *owner = group_owner(grp, &inferred);
	char *journal;

	memset(c, 0, sizeof(*c));
	c->grp = grp;
	c->driver = driver;
	c->state = passthrough_state(grp);
	if (!strcmp(owner, "claimed") || !strcmp(owner, "quarantined") ||
	    !strcmp(owner, "claimed-external")) {
		char *hint = !strcmp(owner, "quarantined") ?
			     xasprintf("'%s release %u' ends the quarantine", program_name, grp->id) :
			     xstrdup("a claim ends when its holder lets go, or exits");

		add(c, owner, NULL, true, true, hint, "the group is %s (%s)", owner,
		    grp->mod.owner ? grp->mod.owner : owner);
		free(hint);
	}
	for (size_t i = 0; i < grp->ndevices; i++) {
		const struct ic_device *d = &grp->devices[i];
		const char *role = passthrough_role(grp, i);
		char *use, *hint;

		if (!is_pci_address(d->name)) {
			add(c, "not-pci", d->name, true, true,
			    "VFIO's PCI drivers take PCI devices only",
			    "%s is not a PCI device", d->name);
			continue;
		}
		if (strcmp(role, "dma-api"))
			continue;
		hint = xasprintf("'%s vfio %u' hands it to %s with the rest of the group", program_name,
				 grp->id, driver);
		add(c, "dma-api-driver", d->name, true, false, hint,
		    "%s is bound to %s, a DMA-API driver, so no VFIO program can open the group",
		    d->name, d->driver);
		free(hint);
		use = device_in_use(d->name);
		if (use)
			add(c, "in-use", d->name, true, true,
			    "stop using it first (unmount, take the interface down, close the program), or pass another device through; --force unbinds it anyway",
			    "%s", use);
		free(use);
	}
	driver_availability(c, driver);
	if (msi_isolated() == 0) {
		bool allowed = unsafe_interrupts_allowed();

		add(c, "msi-not-isolated", NULL, !allowed, false,
		    allowed ? "allow_unsafe_interrupts is on: a VM's device can raise interrupts it should not" :
		    "enable interrupt remapping (intremap=on on x86; a GICv3 ITS on arm64), or load vfio_iommu_type1 with allow_unsafe_interrupts=1, which lets the VM's device raise interrupts it should not",
		    "MSIs are not remapped on this machine (no interrupt remapping): VFIO's type1 containers %s",
		    allowed ? "take the group only because allow_unsafe_interrupts is on" :
		    "refuse the group (VFIO_SET_IOMMU: Operation not permitted)");
	}
	isolation(c, grp);
	if (grp->module && grp->mod.mandatory && !strcmp(grp->mod.mandatory, "strict"))
		add(c, "untrusted", NULL, false, false, NULL,
		    "an untrusted (external-facing) device is in the group: VFIO isolates it in the VM's own domain, and the hand-over leaves the group's policy as it is (mandatory strict)");
	if (grp->policy == IOMMU_POLICY_IDENTITY)
		add(c, "identity", NULL, false, false, NULL,
		    "the group's default domain is identity: VFIO gives the VM its own translated domain all the same");
	journal = sysfs_path("/run/iommuctl/rebind/group-%u", grp->id);
	if (access(journal, F_OK) == 0)
		add(c, "interrupted", NULL, false, false,
		    "the next 'iommuctl set', 'apply' or 'vfio' finishes it first",
		    "an interrupted change left %s", journal);
	free(journal);
	c->ready = c->state == PT_READY;
	c->can_hand_over = true;
	for (size_t i = 0; i < c->n; i++) {
		c->ready &= !c->f[i].blocks_now;
		c->can_hand_over &= !c->f[i].blocks_hand_over;
	}
}

void passthrough_check_free(struct pt_check *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->f[i].device);
		free(c->f[i].text);
		free(c->f[i].hint);
	}
	free(c->f);
	c->f = NULL;
	c->n = 0;
}

/* The verdict in words. */
static const char *verdict(const struct pt_check *c)
{
	if (c->ready)
		return "ready (a VM or VFIO program can open the group)";
	if (c->state == PT_BLOCKED)
		return "not ready: handed to VFIO, but the group is not viable";
	if (c->can_hand_over)
		return "not ready; 'iommuctl vfio' can hand the group over";
	return "not ready, and cannot be handed over now";
}

void passthrough_print(struct out *o, const struct pt_check *c, const char *indent)
{
	const struct ic_group *grp = c->grp;

	out_string(o, OUT_JSON, "state", NULL, passthrough_word(c->state));
	out_bool(o, OUT_JSON, "ready", NULL, c->ready);
	out_bool(o, OUT_JSON, "can_hand_over", NULL, c->can_hand_over);
	out_string(o, OUT_JSON, "driver", NULL, c->driver);
	out_text(o, "%spassthrough: %s\n", indent, verdict(c));
	out_open_array(o, "devices");
	for (size_t i = 0; out_json(o) && i < grp->ndevices; i++) {
		out_open_object(o, NULL);
		out_string(o, OUT_JSON, "device", NULL, grp->devices[i].name);
		out_string(o, OUT_JSON, "driver", NULL, grp->devices[i].driver);
		out_string(o, OUT_JSON, "role", NULL, passthrough_role(grp, i));
		out_close_object(o);
	}
	out_close_array(o);
	out_open_array(o, "findings");
	for (size_t i = 0; i < c->n; i++) {
		const struct pt_finding *f = &c->f[i];

		out_open_object(o, NULL);
		out_string(o, OUT_JSON, "kind", NULL, f->kind);
		out_string(o, OUT_JSON, "device", NULL, f->device);
		out_text(o, "%s  %s %s", indent,
			 f->blocks_now || f->blocks_hand_over ? "-" : "*", f->text);
		out_string(o, OUT_JSON, "text", NULL, f->text);
		out_string(o, OUT_JSON, "hint", NULL, f->hint);
		if (f->hint)
			out_text(o, "; %s", f->hint);
		out_text(o, "\n");
		out_bool(o, OUT_JSON, "blocks_passthrough", NULL, f->blocks_now);
		out_bool(o, OUT_JSON, "blocks_hand_over", NULL, f->blocks_hand_over);
		out_close_object(o);
	}
	out_close_array(o);
}
