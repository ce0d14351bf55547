// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/iommu_policy: the ioctl interface (include/uapi/linux/iommu_policy.h).
 *
 * Modelled on iommufd: each ioctl has one entry in ipol_ioctl_ops with the
 * size of its struct and the smallest size an older caller may pass; the
 * struct is copied with copy_struct_from_user(), so unknown non-zero
 * trailing bytes give E2BIG, and output is copied back up to the caller's
 * size.  Only root can open the device (mode 0600 and CAP_SYS_ADMIN).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "iommu_policy.h"

/* IOMMU_POLICY_FEATURE_*, the same bits as netlink's enum iommu_policy_features. */
u32 ipol_features(void)
{
	u32 features = IOMMU_POLICY_FEATURE_CLAIM | IOMMU_POLICY_FEATURE_QUARANTINE |
		       IOMMU_POLICY_FEATURE_SET_POLICY;

	if (!IPOL_TYPE_STORE_SINGLETON_ONLY)
		features |= IOMMU_POLICY_FEATURE_MULTI_DEVICE_CHANGE;
	if (ipol_dma_per_device())
		features |= IOMMU_POLICY_FEATURE_DMA_PER_DEVICE;
	return features;
}

static int ipol_ioctl_get_info(struct ipol_file *file, void *arg)
{
	struct iommu_policy_info *cmd = arg;

	if (cmd->flags)
		return -EINVAL;
	cmd->features = ipol_features();
	strscpy(cmd->version, IOMMU_POLICY_VERSION, sizeof(cmd->version));
	return 0;
}

/* Copy the members' names, NUL-terminated one after another, if they fit. */
static int ipol_copy_device_names(struct iommu_policy_group_info *cmd,
				  struct device **devs, int n)
{
	char __user *ubuf = u64_to_user_ptr(cmd->devices_uptr);
	size_t needed = 0, off = 0, len;
	int i;

	for (i = 0; i < n; i++)
		needed += strlen(dev_name(devs[i])) + 1;
	if (ubuf && cmd->devices_len >= needed) {
		for (i = 0; i < n; i++) {
			len = strlen(dev_name(devs[i])) + 1;
			if (copy_to_user(ubuf + off, dev_name(devs[i]), len))
				return -EFAULT;
			off += len;
		}
	}
	cmd->devices_len = needed;
	cmd->num_devices = n;
	return 0;
}

static int ipol_ioctl_group_info(struct ipol_file *file, void *arg)
{
	struct iommu_policy_group_info *cmd = arg;
	struct ipol_owner_info owner;
	enum iommu_policy_type policy;
	struct ipol_group *grp;
	struct device **devs;
	int n, ret;

	if (cmd->flags || cmd->__reserved)
		return -EINVAL;
	grp = ipol_group_lookup(cmd->group_id);
	if (!grp)
		return -ENOENT;

	ret = ipol_kernel_type_read(grp->id, &policy, NULL, 0);
	if (ret)
		goto out;
	n = ipol_group_devices(grp, &devs);
	if (n < 0) {
		ret = n;
		goto out;
	}
	cmd->policy = policy;
	cmd->mandatory = ipol_find_untrusted(devs, n) ? IOMMU_POLICY_STRICT :
						       IOMMU_POLICY_UNKNOWN;
	ipol_owner_get(grp, &owner, NULL, 0);
	cmd->owner = owner.owner;
	cmd->owner_pid = owner.pid;
	cmd->claimed_since = owner.since;
	memset(cmd->owner_comm, 0, sizeof(cmd->owner_comm));
	strscpy(cmd->owner_comm, owner.comm, sizeof(cmd->owner_comm));
	ret = ipol_copy_device_names(cmd, devs, n);
	ipol_put_devices(devs, n);
out:
	kobject_put(&grp->kobj);
	return ret;
}

static int ipol_ioctl_claim(struct ipol_file *file, void *arg)
{
	struct iommu_policy_claim *cmd = arg;

	if ((cmd->flags & ~IOMMU_POLICY_CLAIM_QUARANTINE) || cmd->__reserved)
		return -EINVAL;
	return ipol_claim_create(file, cmd->group_id,
				 cmd->flags & IOMMU_POLICY_CLAIM_QUARANTINE);
}

static int ipol_ioctl_release(struct ipol_file *file, void *arg)
{
	struct iommu_policy_release *cmd = arg;

	if (cmd->flags || cmd->__reserved)
		return -EINVAL;
	return ipol_claim_release(file, cmd->group_id);
}

static int ipol_ioctl_set_policy(struct ipol_file *file, void *arg)
{
	struct iommu_policy_set_policy *cmd = arg;

	if (cmd->flags)
		return -EINVAL;
	switch (cmd->policy) {
	case IOMMU_POLICY_IDENTITY:
	case IOMMU_POLICY_STRICT:
	case IOMMU_POLICY_LAZY:
	case IOMMU_POLICY_AUTO:
		break;
	default:
		return -EINVAL;
	}
	return ipol_claim_set_policy(file, cmd->group_id, cmd->policy);
}

union ipol_ioctl_buffer {
	struct iommu_policy_info info;
	struct iommu_policy_group_info group_info;
	struct iommu_policy_claim claim;
	struct iommu_policy_release release;
	struct iommu_policy_set_policy set_policy;
};

/*
 * @out: the command fills its struct in.  Only such commands write the
 * struct back: one that changes state (claim, release, set policy) must not
 * fail with EFAULT after the change is made, e.g. when its struct is on a
 * read-only page, or the caller would believe nothing happened.
 */
struct ipol_ioctl_op {
	unsigned int size;
	unsigned int min_size;
	bool out;
	int (*execute)(struct ipol_file *file, void *arg);
};

/* Every ioctl is _IO(IOMMU_POLICY_TYPE, cmd): the struct's size is in it. */
#define IPOL_IOCTL_OP(_cmd, _fn, _struct, _last, _out)			\
	[(_cmd) - IOMMU_POLICY_CMD_BASE] = {				\
		.size = sizeof(_struct),				\
		.min_size = offsetofend(_struct, _last),		\
		.out = _out,						\
		.execute = _fn,						\
	}

static const struct ipol_ioctl_op ipol_ioctl_ops[] = {
	IPOL_IOCTL_OP(IOMMU_POLICY_CMD_GET_INFO, ipol_ioctl_get_info,
		      struct iommu_policy_info, version, true),
	IPOL_IOCTL_OP(IOMMU_POLICY_CMD_GROUP_INFO, ipol_ioctl_group_info,
		      struct iommu_policy_group_info, devices_uptr, true),
	IPOL_IOCTL_OP(IOMMU_POLICY_CMD_CLAIM, ipol_ioctl_claim,
		      struct iommu_policy_claim, __reserved, false),
	IPOL_IOCTL_OP(IOMMU_POLICY_CMD_RELEASE, ipol_ioctl_release,
		      struct iommu_policy_release, __reserved, false),
	IPOL_IOCTL_OP(IOMMU_POLICY_CMD_SET_POLICY, ipol_ioctl_set_policy,
		      struct iommu_policy_set_policy, policy, false),
};

static long ipol_fops_ioctl(struct file *filp, unsigned int cmd,
			    unsigned long arg)
{
	void __user *ubuf = (void __user *)arg;
	const struct ipol_ioctl_op *op;
	union ipol_ioctl_buffer buf;
	unsigned int nr = _IOC_NR(cmd);
	u32 user_size;
	int ret;

	if (nr < IOMMU_POLICY_CMD_BASE ||
	    nr - IOMMU_POLICY_CMD_BASE >= ARRAY_SIZE(ipol_ioctl_ops))
		return -ENOTTY;
	if (cmd != _IO(IOMMU_POLICY_TYPE, nr))
		return -ENOTTY;
	op = &ipol_ioctl_ops[nr - IOMMU_POLICY_CMD_BASE];

	if (get_user(user_size, (u32 __user *)ubuf))
		return -EFAULT;
	if (user_size < op->min_size)
		return -EINVAL;
	ret = copy_struct_from_user(&buf, op->size, ubuf, user_size);
	if (ret)
		return ret;

	ret = op->execute(filp->private_data, &buf);
	if (ret || !op->out)
		return ret;
	if (copy_to_user(ubuf, &buf, min_t(size_t, user_size, op->size)))
		return -EFAULT;
	return 0;
}

static int ipol_fops_open(struct inode *inode, struct file *filp)
{
	struct ipol_file *file;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	file = kzalloc(sizeof(*file), GFP_KERNEL);
	if (!file)
		return -ENOMEM;
	INIT_LIST_HEAD(&file->claims);
	filp->private_data = file;
	return 0;
}

static int ipol_fops_release(struct inode *inode, struct file *filp)
{
	struct ipol_file *file = filp->private_data;

	ipol_file_release_claims(file);
	kfree(file);
	return 0;
}

static const struct file_operations ipol_fops = {
	.owner		= THIS_MODULE,
	.open		= ipol_fops_open,
	.release	= ipol_fops_release,
	.unlocked_ioctl	= ipol_fops_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice ipol_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "iommu_policy",
	.fops	= &ipol_fops,
	.mode	= 0600,
};

int ipol_cdev_init(void)
{
	return misc_register(&ipol_misc);
}

void ipol_cdev_exit(void)
{
	misc_deregister(&ipol_misc);
}
