// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_GET_STATS_FD on the VM and vCPU fds (see stats.h).
 *
 * The fd reads as one file: struct kvm_stats_header, the id string
 * ("kvm-PID" or "kvm-PID/vcpu-ID", as KVM names them), the descriptors
 * (struct kvm_stats_desc plus a name_size-byte name each) and the data,
 * which is the stats struct itself, u64 by u64. read() and pread() may
 * take any window of it; the data are read live at each call.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kvm.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "hvk.h"
#include "trace.h"

/* KVM_STATS_NAME_SIZE: names and the id string, NUL included. */
#define HVK_STATS_NAME_SIZE	48

struct hvk_stat_def {
	const char *name;
	u32 flags;
	u32 offset;		/* bytes into the stats struct */
	u16 size;		/* u64 values */
	u32 bucket_size;	/* linear histograms only */
};

#define HVK_STAT(type, field, kind) {					\
	.name = #field,							\
	.flags = KVM_STATS_TYPE_##kind | KVM_STATS_UNIT_NONE |		\
		 KVM_STATS_BASE_POW10,					\
	.offset = offsetof(type, field),				\
	.size = sizeof_field(type, field) / sizeof(u64),		\
}

static const struct hvk_stat_def hvk_vm_stat_defs[] = {
	HVK_STAT(struct hvk_vm_stats, pages_mapped, CUMULATIVE),
	HVK_STAT(struct hvk_vm_stats, tlb_flushes, CUMULATIVE),
	HVK_STAT(struct hvk_vm_stats, memslot_updates, CUMULATIVE),
	HVK_STAT(struct hvk_vm_stats, pinned_pages, INSTANT),
};

static const struct hvk_stat_def hvk_vcpu_stat_defs[] = {
	HVK_STAT(struct hvk_vcpu_stats, exits, CUMULATIVE),
	HVK_STAT(struct hvk_vcpu_stats, userspace_exits, CUMULATIVE),
	HVK_STAT(struct hvk_vcpu_stats, io_exits, CUMULATIVE),
	HVK_STAT(struct hvk_vcpu_stats, mmio_exits, CUMULATIVE),
	HVK_STAT(struct hvk_vcpu_stats, halt_exits, CUMULATIVE),
	HVK_STAT(struct hvk_vcpu_stats, signal_exits, CUMULATIVE),
	HVK_STAT(struct hvk_vcpu_stats, exceptions_injected, CUMULATIVE),
	{
		/* Bucket r counts exits with raw reason r. */
		.name = "exit_reason",
		.flags = KVM_STATS_TYPE_LINEAR_HIST | KVM_STATS_UNIT_NONE |
			 KVM_STATS_BASE_POW10,
		.offset = offsetof(struct hvk_vcpu_stats, exit_reason),
		.size = HVK_STATS_EXIT_REASONS,
		.bucket_size = 1,
	},
};

/* What one stats fd shows: a VM's or a vCPU's. */
struct hvk_stats_src {
	struct hvk_vm *vm;
	struct hvk_vcpu *vcpu;		/* NULL for the VM's */
};

/*
 * A descriptor is its fixed fields and a HVK_STATS_NAME_SIZE-byte name.
 * Not sizeof(struct kvm_stats_desc): in newer kernels (6.12) its view of
 * the uapi struct carries name[KVM_STATS_NAME_SIZE] (userspace sees a
 * flexible array), which would count the name twice on 6.12.
 */
#define HVK_STATS_DESC_SIZE \
	(offsetof(struct kvm_stats_desc, name) + HVK_STATS_NAME_SIZE)

/* Build the whole file image; the caller frees it. */
static void *hvk_stats_image(const struct hvk_stats_src *src, size_t *len)
{
	const struct hvk_stat_def *defs;
	struct kvm_stats_header *h;
	size_t n, data_size, size;
	u8 *img, *p;
	unsigned int i;

	if (src->vcpu) {
		defs = hvk_vcpu_stat_defs;
		n = ARRAY_SIZE(hvk_vcpu_stat_defs);
		data_size = sizeof(struct hvk_vcpu_stats);
	} else {
		defs = hvk_vm_stat_defs;
		n = ARRAY_SIZE(hvk_vm_stat_defs);
		data_size = sizeof(struct hvk_vm_stats);
	}
	size = sizeof(*h) + HVK_STATS_NAME_SIZE + n * HVK_STATS_DESC_SIZE +
	       data_size;
	img = kvzalloc(size, GFP_KERNEL_ACCOUNT);
	if (!img)
		return NULL;

	h = (struct kvm_stats_header *)img;
	h->name_size = HVK_STATS_NAME_SIZE;
	h->num_desc = n;
	h->id_offset = sizeof(*h);
	h->desc_offset = h->id_offset + HVK_STATS_NAME_SIZE;
	h->data_offset = h->desc_offset + n * HVK_STATS_DESC_SIZE;
	if (src->vcpu)
		snprintf(img + h->id_offset, HVK_STATS_NAME_SIZE,
			 "kvm-%d/vcpu-%u", src->vm->pid, src->vcpu->id);
	else
		snprintf(img + h->id_offset, HVK_STATS_NAME_SIZE, "kvm-%d",
			 src->vm->pid);

	for (i = 0; i < n; i++) {
		struct kvm_stats_desc *d;

		d = (void *)(img + h->desc_offset + i * HVK_STATS_DESC_SIZE);
		d->flags = defs[i].flags;
		d->size = defs[i].size;
		d->offset = defs[i].offset;
		d->bucket_size = defs[i].bucket_size;
		strscpy(d->name, defs[i].name, HVK_STATS_NAME_SIZE);
	}

	p = img + h->data_offset;
	if (src->vcpu) {
		memcpy(p, &src->vcpu->stats, data_size);
	} else {
		struct hvk_vm_stats *s = (void *)p;

		memcpy(s, &src->vm->stats, data_size);
		s->pinned_pages = READ_ONCE(src->vm->stats.pinned_pages);
	}
	*len = size;
	return img;
}

static ssize_t hvk_stats_read(struct file *file, char __user *buf,
			      size_t count, loff_t *pos)
{
	const struct hvk_stats_src *src = file->private_data;
	size_t len;
	ssize_t r;
	void *img;

	if (*pos < 0)
		return -EINVAL;
	img = hvk_stats_image(src, &len);
	if (!img)
		return -ENOMEM;
	r = 0;
	if (*pos < len) {
		r = min_t(size_t, count, len - *pos);
		if (copy_to_user(buf, img + *pos, r))
			r = -EFAULT;
		else
			*pos += r;
	}
	kvfree(img);
	return r;
}

static int hvk_stats_release(struct inode *inode, struct file *file)
{
	struct hvk_stats_src *src = file->private_data;

	hvk_vm_put(src->vm);
	kfree(src);
	return 0;
}

static const struct file_operations hvk_stats_fops = {
	.owner		= THIS_MODULE,
	.read		= hvk_stats_read,
	.release	= hvk_stats_release,
	.llseek		= noop_llseek,
};

static int hvk_stats_fd(struct hvk_vm *vm, struct hvk_vcpu *vcpu,
			const char *name)
{
	struct hvk_stats_src *src;
	struct file *file;
	int fd;

	src = kzalloc(sizeof(*src), GFP_KERNEL_ACCOUNT);
	if (!src)
		return -ENOMEM;
	src->vm = vm;
	src->vcpu = vcpu;
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		goto err_free;
	file = anon_inode_getfile(name, &hvk_stats_fops, src, O_RDONLY);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		fd = PTR_ERR(file);
		goto err_free;
	}
	file->f_mode |= FMODE_PREAD;
	hvk_vm_get(vm);		/* the fd's reference; a vCPU lives as long */
	fd_install(fd, file);
	return fd;

err_free:
	kfree(src);
	return fd;
}

/**
 * hvk_vm_stats_fd() - KVM_GET_STATS_FD on a VM fd
 * @vm: the VM
 *
 * Return: a read-only fd, or a negative errno.
 */
int hvk_vm_stats_fd(struct hvk_vm *vm)
{
	return hvk_stats_fd(vm, NULL, "hvk-vm-stats");
}

/**
 * hvk_vcpu_stats_fd() - KVM_GET_STATS_FD on a vCPU fd
 * @vcpu: the vCPU
 *
 * Return: a read-only fd, or a negative errno.
 */
int hvk_vcpu_stats_fd(struct hvk_vcpu *vcpu)
{
	return hvk_stats_fd(vcpu->vm, vcpu, "hvk-vcpu-stats");
}

/**
 * hvk_vcpu_stats_run_done() - count how a KVM_RUN ended
 * @vcpu: the vCPU, its mutex held
 * @r: what the arch run loop returned
 */
void hvk_vcpu_stats_run_done(struct hvk_vcpu *vcpu, int r)
{
	struct hvk_vcpu_stats *s = &vcpu->stats;

	if (r == -EINTR) {
		s->signal_exits++;
		return;
	}
	if (r)
		return;
	s->userspace_exits++;
	switch (vcpu->run->exit_reason) {
	case KVM_EXIT_IO:
		s->io_exits++;
		break;
	case KVM_EXIT_MMIO:
		s->mmio_exits++;
		break;
	case KVM_EXIT_HLT:
		s->halt_exits++;
		break;
	}
}

/**
 * hvk_vcpu_entry_event() - a vCPU is about to enter its guest
 * @vcpu: the vCPU
 */
void hvk_vcpu_entry_event(struct hvk_vcpu *vcpu)
{
	trace_hvk_entry(vcpu->id);
}

/**
 * hvk_vcpu_exit_event() - a vCPU came back from its guest
 * @vcpu: the vCPU
 * @reason: the arch's raw exit reason (see HVK_STATS_EXIT_REASONS)
 */
void hvk_vcpu_exit_event(struct hvk_vcpu *vcpu, u64 reason)
{
	vcpu->stats.exits++;
	vcpu->stats.exit_reason[min_t(u64, reason,
				      HVK_STATS_EXIT_REASONS - 1)]++;
	trace_hvk_exit(vcpu->id, reason);
}

/**
 * hvk_vcpu_inject_event() - hvk raised an exception in the guest
 * @vcpu: the vCPU
 * @what: the arch's description (x86 vector; arm64 the ESR it gets)
 */
void hvk_vcpu_inject_event(struct hvk_vcpu *vcpu, u64 what)
{
	vcpu->stats.exceptions_injected++;
	trace_hvk_inject(vcpu->id, what);
}
