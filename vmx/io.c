// SPDX-License-Identifier: GPL-2.0
/*
 * Port I/O the VMM's device models see (KVM_EXIT_IO), and the completion
 * of an IN, INS or MMIO load on the next KVM_RUN (MMIO itself: mmio.c).
 *
 * The protocol is KVM's (Documentation/virt/kvm/api.rst, "kvm_run"):
 * for KVM_EXIT_IO the data sit in the vCPU's mmap area at data_offset
 * (the page after struct kvm_run), count elements of size bytes; an IN
 * or a load completes when userspace calls KVM_RUN again, which moves
 * the data into the guest before it runs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <asm/trap_pf.h>
#include <asm/vmx.h>

#include "mmu/mmu.h"
#include "run.h"
#include "vmcs.h"

/* 27.2.1, Table 27-5 "Exit Qualification for I/O Instructions". */
#define IO_QUAL_SIZE(q)		(((q) & 7) + 1)
#define IO_QUAL_IN		BIT(3)
#define IO_QUAL_STRING		BIT(4)
#define IO_QUAL_REP		BIT(5)
#define IO_QUAL_PORT(q)		(((q) >> 16) & 0xffff)

/* 27.2.5, Table 27-8: the address size of INS/OUTS, bits 9:7. */
#define IO_INFO_ADDR_SIZE(i)	(2U << (((i) >> 7) & 7))

static void *vmx_pio_data(struct hvk_vcpu *vcpu)
{
	return page_address(vcpu->run_pages[KVM_PIO_PAGE_OFFSET]);
}

/* Write the low @size bytes of rAX as an IN of that size does. */
static void vmx_set_rax_sized(struct hvk_vcpu *vcpu, u64 val,
			      unsigned int size)
{
	u64 *rax = &vcpu->arch.regs.gpr[VMX_RAX];

	switch (size) {
	case 1:
		*rax = (*rax & ~0xffULL) | (u8)val;
		break;
	case 2:
		*rax = (*rax & ~0xffffULL) | (u16)val;
		break;
	default:
		/* A 32-bit destination is zero-extended (Vol. 1 3.4.1.1). */
		*rax = (u32)val;
		break;
	}
}

static void vmx_fill_io(struct hvk_vcpu *vcpu, bool in, unsigned int size,
			u16 port, u32 count)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = in ? KVM_EXIT_IO_IN : KVM_EXIT_IO_OUT;
	run->io.size = size;
	run->io.port = port;
	run->io.count = count;
	run->io.data_offset = KVM_PIO_PAGE_OFFSET * PAGE_SIZE;
}

/*
 * INS/OUTS, with or without REP: as many elements per exit as fit in the
 * data page and in the guest page of the buffer, so that one exit never
 * needs two translations. RIP moves on only when the count is done; until
 * then the guest runs the same instruction again and exits for the next
 * chunk, as the CPU itself would resume a REP after an interrupt.
 */
static int vmx_handle_string_io(struct hvk_vcpu *vcpu, u64 qual)
{
	struct hvk_arch_vcpu *a = &vcpu->arch;
	unsigned int size = IO_QUAL_SIZE(qual);
	bool in = qual & IO_QUAL_IN, rep = qual & IO_QUAL_REP;
	u32 info = vmcs_read32(VMX_INSTRUCTION_INFO);
	unsigned int asz = IO_INFO_ADDR_SIZE(info);
	u64 mask = vmx_addr_mask(asz);
	u64 gla = vmcs_readl(GUEST_LINEAR_ADDRESS);
	bool down = vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_DF;
	u64 count = rep ? a->regs.gpr[VMX_RCX] & mask : 1;
	u64 room;
	int ireg = in ? VMX_RDI : VMX_RSI, r;

	if (count == 0) {
		vmx_skip_instruction(vcpu);
		return HVK_RESUME_GUEST;
	}
	/* Elements before the buffer leaves its guest page. */
	if (down)
		room = offset_in_page(gla) / size + 1;
	else
		room = (PAGE_SIZE - offset_in_page(gla)) / size;
	count = min3(count, room, (u64)(PAGE_SIZE / size));
	if (!count)
		count = 1;	/* an element straddling two pages */

	if (!in) {
		u8 *data = vmx_pio_data(vcpu);
		u64 i;

		for (i = 0; i < count; i++) {
			u64 at = down ? gla - i * size : gla + i * size;

			r = vmx_read_guest_virt(vcpu, at, data + i * size,
						size, false);
			if (r == -EFAULT) {
				/* A read fault at @at, as the CPU would give. */
				bool user = VMX_AR_DPL(vmcs_read32(
						GUEST_SS_AR_BYTES)) == 3;

				a->regs.cr2 = at;
				vmx_inject_exception(vcpu, PF_VECTOR, true,
						     user ? X86_PF_USER : 0);
				return HVK_RESUME_GUEST;
			}
			if (r)
				return vmx_internal_error(vcpu,
					KVM_INTERNAL_ERROR_EMULATION);
		}
	}

	/* Advance rSI/rDI and rCX now; for INS the data follow at completion. */
	a->regs.gpr[ireg] = (a->regs.gpr[ireg] & ~mask) |
			    ((a->regs.gpr[ireg] + (down ? -count : count) *
			      size) & mask);
	if (rep)
		a->regs.gpr[VMX_RCX] = (a->regs.gpr[VMX_RCX] & ~mask) |
				       ((a->regs.gpr[VMX_RCX] - count) & mask);
	if (!rep || !(a->regs.gpr[VMX_RCX] & mask))
		vmx_skip_instruction(vcpu);

	if (in) {
		/* Where the data go at completion: @count elements from @gla. */
		a->pending = VMX_PENDING_INS;
		a->pending_count = count;
		a->pending_size = size;
		a->pending_gla = gla;
		a->pending_down = down;
	}
	vmx_fill_io(vcpu, in, size, IO_QUAL_PORT(qual), count);
	return HVK_EXIT_TO_USER;
}

/**
 * vmx_handle_io() - IN, OUT, INS, OUTS
 * @vcpu: the vCPU
 *
 * "Unconditional I/O exiting" is on, so every port exits. An IN or OUT
 * goes first to the VM's in-kernel devices (core/iobus.c: ioeventfds,
 * coalesced PIO) and, if none takes it, to userspace; string I/O always
 * goes to userspace, read from or written to the guest inside one memslot
 * read section (the exit dispatch takes none for I/O: an IN or OUT needs
 * none, and the I/O bus has its own).
 */
int vmx_handle_io(struct hvk_vcpu *vcpu)
{
	u64 qual = vmcs_readl(EXIT_QUALIFICATION);
	unsigned int size = IO_QUAL_SIZE(qual);
	bool in = qual & IO_QUAL_IN;
	u16 port = IO_QUAL_PORT(qual);
	u64 val = 0;
	int idx, r;

	if (qual & IO_QUAL_STRING) {
		idx = hvk_memslots_lock(vcpu->vm);
		r = vmx_handle_string_io(vcpu, qual);
		hvk_memslots_unlock(vcpu->vm, idx);
		return r;
	}

	if (in ? !hvk_io_bus_read(vcpu, HVK_PIO_BUS, port, size, &val) :
		 !hvk_io_bus_write(vcpu, HVK_PIO_BUS, port, size,
				   &vcpu->arch.regs.gpr[VMX_RAX])) {
		if (in)
			vmx_set_rax_sized(vcpu, le64_to_cpu(val), size);
		vmx_skip_instruction(vcpu);
		return HVK_RESUME_GUEST;
	}

	if (in) {
		vcpu->arch.pending = VMX_PENDING_IN;
		vcpu->arch.pending_size = size;
	} else {
		memcpy(vmx_pio_data(vcpu), &vcpu->arch.regs.gpr[VMX_RAX],
		       size);
	}
	vmx_skip_instruction(vcpu);
	vmx_fill_io(vcpu, in, size, port, 1);
	return HVK_EXIT_TO_USER;
}

/*
 * The data of an INS land in one write: the elements were limited to one
 * guest page at the exit, so that is one translation and one copy into
 * one memslot, never half of them into a slot a racing update deletes.
 * With DF set the elements go downwards from the buffer's address:
 * reversed into a bounce buffer first.
 */
static int vmx_complete_ins(struct hvk_vcpu *vcpu)
{
	struct hvk_arch_vcpu *a = &vcpu->arch;
	u32 i, size = a->pending_size, len = a->pending_count * size;
	u8 *data = vmx_pio_data(vcpu), *rev;
	int r;

	if (!a->pending_down) {
		r = vmx_write_guest_virt(vcpu, a->pending_gla, data, len);
	} else {
		rev = kmalloc(len, GFP_KERNEL_ACCOUNT);
		if (!rev)
			return -ENOMEM;
		for (i = 0; i < a->pending_count; i++)
			memcpy(rev + len - (i + 1) * size, data + i * size,
			       size);
		r = vmx_write_guest_virt(vcpu, a->pending_gla + size - len,
					 rev, len);
		kfree(rev);
	}
	/* The guest unmapped its buffer meanwhile: KVM errs too. */
	return r ? -EFAULT : 0;
}

static int __vmx_complete_pending(struct hvk_vcpu *vcpu)
{
	struct hvk_arch_vcpu *a = &vcpu->arch;
	struct kvm_run *run = vcpu->run;
	enum vmx_pending p = a->pending;
	u64 val = 0;
	int r;

	a->pending = VMX_PENDING_NONE;
	switch (p) {
	case VMX_PENDING_NONE:
		break;
	case VMX_PENDING_IN:
		memcpy(&val, vmx_pio_data(vcpu), a->pending_size);
		vmx_set_rax_sized(vcpu, val, a->pending_size);
		break;
	case VMX_PENDING_INS:
		r = vmx_complete_ins(vcpu);
		if (r)
			return r;
		break;
	case VMX_PENDING_MMIO_READ:
		r = vmx_complete_mmio_read(vcpu, run->mmio.data);
		if (r)
			return r;
		break;
	}
	return HVK_RESUME_GUEST;
}

/**
 * vmx_complete_pending() - finish an IN, INS or MMIO load
 * @vcpu: the vCPU, at the start of KVM_RUN
 *
 * One memslot read section for the whole completion, as for the exit
 * that started it: the elements of an INS land together, before a slot
 * update that races with them returns (KVM holds kvm->srcu the same way).
 *
 * Return: HVK_RESUME_GUEST, or a negative errno.
 */
int vmx_complete_pending(struct hvk_vcpu *vcpu)
{
	int idx, r;

	idx = hvk_memslots_lock(vcpu->vm);
	r = __vmx_complete_pending(vcpu);
	hvk_memslots_unlock(vcpu->vm, idx);
	return r;
}
