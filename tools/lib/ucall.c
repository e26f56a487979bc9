// SPDX-License-Identifier: GPL-2.0
/*
 * libhvk: ucall, the guest-to-host report channel. The guest hands the
 * host the guest physical address of a struct hvk_ucall_rec (libhvk.h);
 * this decodes it. Pure logic: unit-tested on the host.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "libhvk.h"

static const char *const cmd_names[HVK_UCALL_NR] = {
	[HVK_UCALL_NONE] = "NONE",
	[HVK_UCALL_DONE] = "DONE",
	[HVK_UCALL_FAIL] = "FAIL",
	[HVK_UCALL_PRINT] = "PRINT",
	[HVK_UCALL_SYNC] = "SYNC",
};

const char *hvk_ucall_name(int cmd)
{
	return cmd >= 0 && cmd < HVK_UCALL_NR ? cmd_names[cmd] : "bad";
}

/* The string at @gpa + @off into @buf, cut where guest memory ends. */
static void copy_str(char *buf, size_t size, uint64_t gpa, uint64_t off,
		     hvk_gpa_fn *xlate, void *ctx)
{
	size_t i;

	buf[0] = 0;
	if (!off)
		return;
	for (i = 0; i + 1 < size; i++) {
		const char *c = xlate(ctx, gpa + off + i, 1);

		if (!c || !*c)
			break;
		buf[i] = *c;
	}
	buf[i] = 0;
}

int hvk_ucall_decode(uint64_t gpa, hvk_gpa_fn *xlate, void *ctx,
		     struct hvk_ucall *uc)
{
	struct hvk_ucall_rec rec;
	const void *p = xlate(ctx, gpa, sizeof(rec));
	unsigned int i;

	memset(uc, 0, sizeof(*uc));
	uc->gpa = gpa;
	if (!p) {
		errno = EFAULT;
		return -1;
	}
	/* One copy: a guest vCPU may be rewriting it meanwhile. */
	memcpy(&rec, p, sizeof(rec));
	if (rec.cmd == HVK_UCALL_NONE || rec.cmd >= HVK_UCALL_NR ||
	    rec.nargs > HVK_UCALL_MAX_ARGS) {
		errno = EINVAL;
		return -1;
	}
	uc->cmd = rec.cmd;
	uc->line = rec.line;
	uc->nargs = rec.nargs;
	for (i = 0; i < rec.nargs; i++)
		uc->args[i] = rec.args[i];
	copy_str(uc->file, sizeof(uc->file), gpa, rec.file, xlate, ctx);
	copy_str(uc->msg, sizeof(uc->msg), gpa, rec.msg, xlate, ctx);
	return uc->cmd;
}

int hvk_ucall_get(const struct kvm_run *run, hvk_gpa_fn *xlate, void *ctx,
		  struct hvk_ucall *uc)
{
	uint64_t gpa;

	memset(uc, 0, sizeof(*uc));
	if (run->exit_reason == KVM_EXIT_IO &&
	    run->io.direction == KVM_EXIT_IO_OUT &&
	    run->io.port == HVK_UCALL_PORT && run->io.size == 4 &&
	    run->io.count == 1) {
		uint32_t v;

		memcpy(&v, (const uint8_t *)run + run->io.data_offset, 4);
		gpa = v;
	} else if (run->exit_reason == KVM_EXIT_MMIO && run->mmio.is_write &&
		   run->mmio.phys_addr == HVK_UCALL_MMIO &&
		   run->mmio.len == 8) {
		gpa = hvk_mmio_data(run);
	} else {
		return HVK_UCALL_NONE;
	}
	return hvk_ucall_decode(gpa, xlate, ctx, uc);
}

static void *vm_xlate(void *ctx, uint64_t gpa, uint64_t len)
{
	return hvk_vm_gpa(ctx, gpa, len);
}

int hvk_vm_ucall(struct hvk_vm *vm, struct hvk_vcpu *c, struct hvk_ucall *uc)
{
	return hvk_ucall_get(c->run, vm_xlate, vm, uc);
}

char *hvk_ucall_str(const struct hvk_ucall *uc, char *buf, size_t size)
{
	size_t n;
	unsigned int i;

	n = snprintf(buf, size, "%s at %s:%u%s%s", hvk_ucall_name(uc->cmd),
		     uc->file[0] ? uc->file : "?", uc->line,
		     uc->msg[0] ? ": " : "", uc->msg);
	for (i = 0; i < uc->nargs && n < size; i++)
		n += snprintf(buf + n, size - n, "%s%#llx",
			      i ? ", " : " (values ",
			      (unsigned long long)uc->args[i]);
	if (uc->nargs && n < size)
		snprintf(buf + n, size - n, ")");
	return buf;
}
