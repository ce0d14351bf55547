// SPDX-License-Identifier: GPL-2.0-or-later
/* What the in-guest test programs share (ipol-state.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/genetlink.h>
#include <linux/iommu_policy_netlink.h>
#include <linux/netlink.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ipol-state.h"

const char *ipol_errname(int err)
{
	const char *name = err ? strerrorname_np(err) : "ok";

	return name ? name : "EUNKNOWN";
}

/* --- reading sysfs --------------------------------------------------------------------- */

/* src into dst, cut to fit. */
void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* A whole small file, newline cut, into buf; "<ERRNAME>" when it cannot be read. */
void read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		snprintf(buf, size, "<%s>", ipol_errname(errno));
		return;
	}
	n = read(fd, buf, size - 1);
	if (n < 0)
		snprintf(buf, size, "<%s>", ipol_errname(errno));
	else
		buf[n] = '\0';
	close(fd);
	buf[strcspn(buf, "\n")] = '\0';
}

void read_link_base(const char *path, char *buf, size_t size)
{
	char target[512];
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	const char *base;

	if (n < 0) {
		snprintf(buf, size, "-");
		return;
	}
	target[n] = '\0';
	base = strrchr(target, '/');
	copy_str(buf, size, base ? base + 1 : target);
}

static int id_cmp(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

/* The numeric names of a directory, sorted; count returned. */
int list_ids(const char *dir, unsigned int *ids, int max)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		char *end;
		unsigned long v = strtoul(de->d_name, &end, 10);

		if (de->d_name[0] >= '0' && de->d_name[0] <= '9' && !*end)
			ids[n++] = (unsigned int)v;
	}
	closedir(d);
	qsort(ids, (size_t)n, sizeof(*ids), id_cmp);
	return n;
}

/* --- the state ---------------------------------------------------------------------------- */

const char *const group_counters[N_GROUP_COUNTERS] = {
	"faults", "faults_read", "faults_write", "last_fault_time", "last_fault_device",
	"last_fault_iova",
};
const char *const module_counters[N_MODULE_COUNTERS] = {
	"faults", "faults_read", "faults_write", "faults_unattributed", "last_fault_time",
	"last_fault_device", "last_fault_iova", "events_dropped", "reset_time",
};

void read_group(unsigned int id, struct group_state *g)
{
	char path[4096], dir[128];
	struct dirent *de;
	DIR *d;

	memset(g, 0, sizeof(*g));
	g->id = id;
	snprintf(path, sizeof(path), KGROUPS "/%u/type", id);
	read_file(path, g->type, sizeof(g->type));
	snprintf(path, sizeof(path), MROOT "/groups/%u/policy", id);
	read_file(path, g->policy, sizeof(g->policy));
	snprintf(path, sizeof(path), MROOT "/groups/%u/owner", id);
	read_file(path, g->owner, sizeof(g->owner));
	snprintf(path, sizeof(path), MROOT "/groups/%u/mandatory", id);
	read_file(path, g->mandatory, sizeof(g->mandatory));
	for (size_t i = 0; i < ARRAY_SIZE(group_counters); i++) {
		snprintf(path, sizeof(path), MROOT "/groups/%u/stats/%s", id, group_counters[i]);
		read_file(path, g->stats[i], sizeof(g->stats[i]));
	}
	snprintf(dir, sizeof(dir), KGROUPS "/%u/devices", id);
	d = opendir(dir);
	g->present = d != NULL || strcmp(g->policy, "<ENOENT>");
	while (d && (de = readdir(d)) && g->ndev < MAX_DEVS) {
		struct dev_state *dev = &g->dev[g->ndev];

		if (de->d_name[0] == '.')
			continue;
		copy_str(dev->name, sizeof(dev->name), de->d_name);
		snprintf(path, sizeof(path), "%s/%s/driver", dir, de->d_name);
		read_link_base(path, dev->driver, sizeof(dev->driver));
		snprintf(path, sizeof(path), "%s/%s/driver_override", dir, de->d_name);
		read_file(path, dev->override, sizeof(dev->override));
		g->ndev++;
	}
	if (d)
		closedir(d);
	/* readdir's order is the directory's: sort by name to compare. */
	for (int i = 1; i < g->ndev; i++)
		for (int j = i; j > 0 && strcmp(g->dev[j - 1].name, g->dev[j].name) > 0; j--) {
			struct dev_state t = g->dev[j];

			g->dev[j] = g->dev[j - 1];
			g->dev[j - 1] = t;
		}
}

static void read_module_counters(struct state *s)
{
	char path[256];

	for (size_t i = 0; i < ARRAY_SIZE(module_counters); i++) {
		snprintf(path, sizeof(path), MROOT "/stats/%s", module_counters[i]);
		read_file(path, s->stats[i], sizeof(s->stats[i]));
	}
}

void read_state(struct state *s)
{
	unsigned int kids[MAX_GROUPS], mids[MAX_GROUPS], ids[2 * MAX_GROUPS];
	int nk = list_ids(KGROUPS, kids, MAX_GROUPS), nm = list_ids(MROOT "/groups", mids, MAX_GROUPS);
	int n = 0;

	/* Every group either side knows (the module mirroring none or more is a difference). */
	for (int i = 0; i < nk; i++)
		ids[n++] = kids[i];
	for (int i = 0; i < nm; i++)
		ids[n++] = mids[i];
	qsort(ids, (size_t)n, sizeof(*ids), id_cmp);
	memset(s, 0, offsetof(struct state, g));
	for (int i = 0; i < n && s->n < MAX_GROUPS; i++) {
		if (i && ids[i] == ids[i - 1])
			continue;
		read_group(ids[i], &s->g[s->n++]);
	}
	read_module_counters(s);
}

struct group_state *find_group(struct state *s, unsigned int id)
{
	for (int i = 0; i < s->n; i++)
		if (s->g[i].id == id)
			return &s->g[i];
	return NULL;
}

/* Append "#   what" lines to out. */
static void diff_line(char *out, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void diff_line(char *out, size_t size, const char *fmt, ...)
{
	size_t n = strlen(out);
	va_list ap;

	if (n + 8 >= size)
		return;
	memcpy(out + n, "#     ", 6);
	va_start(ap, fmt);
	vsnprintf(out + n + 6, size - n - 6, fmt, ap);
	va_end(ap);
	n = strlen(out);
	if (n + 1 < size) {
		out[n] = '\n';
		out[n + 1] = '\0';
	}
}

int diff_group(const struct group_state *a, const struct group_state *b, char *out,
	       size_t size)
{
	int d = 0;

#define FIELD(f)                                                                          \
	if (strcmp(a->f, b->f))                                                           \
		d++, diff_line(out, size, "group %u " #f ": '%s' became '%s'", a->id, a->f, b->f)
	FIELD(type);
	FIELD(policy);
	FIELD(owner);
	FIELD(mandatory);
#undef FIELD
	for (size_t i = 0; i < ARRAY_SIZE(group_counters); i++)
		if (strcmp(a->stats[i], b->stats[i]))
			d++, diff_line(out, size, "group %u stats/%s: '%s' became '%s'", a->id,
				       group_counters[i], a->stats[i], b->stats[i]);
	if (a->ndev != b->ndev)
		d++, diff_line(out, size, "group %u: %d devices became %d", a->id, a->ndev, b->ndev);
	for (int i = 0; i < a->ndev && i < b->ndev; i++) {
		const struct dev_state *x = &a->dev[i], *y = &b->dev[i];

		if (strcmp(x->name, y->name))
			d++, diff_line(out, size, "group %u: device %s became %s", a->id, x->name, y->name);
		else if (strcmp(x->driver, y->driver))
			d++, diff_line(out, size, "device %s: driver %s became %s", x->name, x->driver,
				       y->driver);
		else if (strcmp(x->override, y->override))
			d++, diff_line(out, size, "device %s: driver_override '%s' became '%s'", x->name,
				       x->override, y->override);
	}
	return d;
}

/* The differences between two states (counters too unless !counters), described in out. */
int diff_state(const struct state *a, const struct state *b, bool counters, char *out,
		      size_t size)
{
	int d = 0;

	out[0] = '\0';
	for (int i = 0; i < a->n; i++) {
		const struct group_state *y = find_group((struct state *)b, a->g[i].id);

		if (!y) {
			d++, diff_line(out, size, "group %u is gone", a->g[i].id);
			continue;
		}
		if (counters) {
			d += diff_group(&a->g[i], y, out, size);
		} else {
			struct group_state x = a->g[i];

			memcpy(x.stats, y->stats, sizeof(x.stats));
			d += diff_group(&x, y, out, size);
		}
	}
	for (int i = 0; i < b->n; i++)
		if (!find_group((struct state *)a, b->g[i].id))
			d++, diff_line(out, size, "group %u appeared", b->g[i].id);
	for (size_t i = 0; counters && i < ARRAY_SIZE(module_counters); i++)
		if (strcmp(a->stats[i], b->stats[i]))
			d++, diff_line(out, size, "module stats/%s: '%s' became '%s'", module_counters[i],
				       a->stats[i], b->stats[i]);
	return d;
}

/* Append an attribute; returns its offset. */
size_t put_attr(unsigned char *msg, size_t *len, size_t cap, uint16_t type,
		       const void *data, uint16_t dlen)
{
	size_t off = *len;
	struct nlattr *a = (struct nlattr *)(msg + off);

	if (off + NLA_HDRLEN + NLA_ALIGN(dlen) > cap)
		return off;
	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + dlen);
	memcpy(msg + off + NLA_HDRLEN, data, dlen);
	memset(msg + off + NLA_HDRLEN + dlen, 0, NLA_ALIGN(dlen) - dlen);
	*len = off + NLA_HDRLEN + NLA_ALIGN(dlen);
	return off;
}

/*
 * Resolve the iommu_policy family (and its events group) on @fd with
 * CTRL_CMD_GETFAMILY; 0 on success.
 */
int genl_resolve(int fd, uint32_t *seq, uint16_t *family_id, uint32_t *events_group)
{
	unsigned char msg[256], buf[8192];
	struct nlmsghdr *h = (struct nlmsghdr *)msg;
	struct genlmsghdr *g = NLMSG_DATA(h);
	size_t len = NLMSG_LENGTH(GENL_HDRLEN);
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	ssize_t n;

	memset(msg, 0, sizeof(msg));
	h->nlmsg_type = GENL_ID_CTRL;
	h->nlmsg_flags = NLM_F_REQUEST;
	h->nlmsg_seq = (*seq)++;
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	put_attr(msg, &len, sizeof(msg), CTRL_ATTR_FAMILY_NAME, IOMMU_POLICY_FAMILY_NAME,
		 sizeof(IOMMU_POLICY_FAMILY_NAME));
	h->nlmsg_len = (uint32_t)len;
	if (sendto(fd, msg, len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0)
		return -errno;
	h = (struct nlmsghdr *)buf;
	if (!NLMSG_OK(h, (size_t)n) || h->nlmsg_type == NLMSG_ERROR)
		return -ENOENT;
	for (struct nlattr *a = (struct nlattr *)((char *)NLMSG_DATA(h) + GENL_HDRLEN);
	     (char *)a + NLA_HDRLEN <= (char *)h + h->nlmsg_len && a->nla_len >= NLA_HDRLEN;
	     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len))) {
		if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID)
			*family_id = *(uint16_t *)((char *)a + NLA_HDRLEN);
		if ((a->nla_type & NLA_TYPE_MASK) != CTRL_ATTR_MCAST_GROUPS)
			continue;
		/* Nested: each group is a nest of name and id. */
		for (struct nlattr *grp = (struct nlattr *)((char *)a + NLA_HDRLEN);
		     (char *)grp + NLA_HDRLEN <= (char *)a + a->nla_len && grp->nla_len >= NLA_HDRLEN;
		     grp = (struct nlattr *)((char *)grp + NLA_ALIGN(grp->nla_len))) {
			uint32_t id = 0;
			bool events = false;

			for (struct nlattr *f = (struct nlattr *)((char *)grp + NLA_HDRLEN);
			     (char *)f + NLA_HDRLEN <= (char *)grp + grp->nla_len && f->nla_len >= NLA_HDRLEN;
			     f = (struct nlattr *)((char *)f + NLA_ALIGN(f->nla_len))) {
				if (f->nla_type == CTRL_ATTR_MCAST_GRP_ID)
					id = *(uint32_t *)((char *)f + NLA_HDRLEN);
				if (f->nla_type == CTRL_ATTR_MCAST_GRP_NAME &&
				    !strcmp((char *)f + NLA_HDRLEN, IOMMU_POLICY_MCGRP_EVENTS))
					events = true;
			}
			if (events)
				*events_group = id;
		}
	}
	return *family_id ? 0 : -ENOENT;
}

