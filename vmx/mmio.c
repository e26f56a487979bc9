// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO: a guest access to guest-physical memory outside RAM (or a store
 * to a read-only slot) ends in an EPT violation that the memslots cannot
 * map. The instruction is fetched once and decoded (emulate.c), offered
 * to the VM's in-kernel devices (core/iobus.c) and otherwise handed to
 * the VMM as KVM_EXIT_MMIO; a load completes on the next KVM_RUN.
 * Page walks that touch tables outside RAM, and accesses that cross from
 * RAM into MMIO, are handled as kvm_intel's emulator handles them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <linux/mm.h>
#include <asm/trap_pf.h>
#include <asm/vmx.h>

#include "mmu/mmu.h"
#include "exception.h"
#include "inject.h"
#include "run.h"
#include "vmcs.h"

/* 27.2.1, Table 27-7 "Exit Qualification for EPT Violations". */
#define EPT_QUAL_READ		BIT(0)
#define EPT_QUAL_WRITE		BIT(1)
#define EPT_QUAL_FETCH		BIT(2)
#define EPT_QUAL_GLA_VALID	BIT(7)	/* guest linear address valid */
#define EPT_QUAL_GLA_XLATE	BIT(8)	/* the access was to its translation */

static u64 vmx_seg_base(unsigned int seg)
{
	return __vmcs_read(GUEST_ES_BASE + 2 * seg);
}

/* The linear address of a string operand: seg:rSI or ES:rDI. */
static u64 vmx_string_addr(struct hvk_vcpu *vcpu, const struct mmio_insn *in,
			   bool dst, int mode)
{
	unsigned int seg = dst ? MMIO_SEG_ES :
			   (in->seg == MMIO_SEG_NONE ? MMIO_SEG_DS : in->seg);
	u64 off = vcpu->arch.regs.gpr[dst ? VMX_RDI : VMX_RSI] &
		  vmx_addr_mask(in->addr_size);

	if (mode == X86_MODE_LONG64 && seg != MMIO_SEG_FS &&
	    seg != MMIO_SEG_GS)
		return off;
	return vmx_seg_base(seg) + off;
}

/* After one element of a string MMIO access: rSI/rDI, rCX and RIP. */
static void vmx_string_step(struct hvk_vcpu *vcpu, const struct mmio_insn *in)
{
	struct hvk_arch_vcpu *a = &vcpu->arch;
	u64 mask = vmx_addr_mask(in->addr_size);
	s64 step = vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_DF ? -in->size :
							      in->size;
	u64 *rcx = &a->regs.gpr[VMX_RCX];

	if (in->op == MMIO_OP_STOS || in->op == MMIO_OP_MOVS)
		a->regs.gpr[VMX_RDI] = (a->regs.gpr[VMX_RDI] & ~mask) |
				       ((a->regs.gpr[VMX_RDI] + step) & mask);
	if (in->op == MMIO_OP_LODS || in->op == MMIO_OP_MOVS)
		a->regs.gpr[VMX_RSI] = (a->regs.gpr[VMX_RSI] & ~mask) |
				       ((a->regs.gpr[VMX_RSI] + step) & mask);
	if (in->rep)
		*rcx = (*rcx & ~mask) | ((*rcx - 1) & mask);
	/* A REP with elements left runs again: RIP stays. */
	if (!in->rep || !(*rcx & mask)) {
		vmcs_writel(GUEST_RIP, vmcs_readl(GUEST_RIP) + in->len);
	}
}

/* The linear address of the instruction at RIP. */
static u64 vmx_rip_linear(int mode)
{
	u64 rip = vmcs_readl(GUEST_RIP), cs = vmcs_readl(GUEST_CS_BASE);

	return mode == X86_MODE_LONG64 ? rip : (u32)(cs + rip);
}

/*
 * Fetch what can be fetched of the (at most 15) instruction bytes at
 * @rip: the tail may be on a page the guest does not map. The bytes are
 * copied once into @bytes: everything after decodes that copy, whatever
 * the guest (or its VMM) writes to the instruction meanwhile.
 *
 * Return: the number of bytes fetched; *@err the error that stopped the
 * fetch (0 if all 15 were read).
 */
static unsigned int vmx_fetch_insn(struct hvk_vcpu *vcpu, u64 rip, u8 *bytes,
				   int *err)
{
	unsigned int avail = 0;

	*err = 0;
	while (avail < MMIO_INSN_MAX_LEN) {
		unsigned int n = min_t(unsigned int, MMIO_INSN_MAX_LEN - avail,
				       PAGE_SIZE - offset_in_page(rip + avail));

		*err = vmx_read_guest_virt(vcpu, rip + avail, bytes + avail, n,
					   true);
		if (*err)
			break;
		avail += n;
	}
	return avail;
}

/* #PF for a linear address the guest's own tables cannot translate. */
static int vmx_inject_pf(struct hvk_vcpu *vcpu, u64 addr, u32 err)
{
	if (VMX_AR_DPL(vmcs_read32(GUEST_SS_AR_BYTES)) == 3)
		err |= X86_PF_USER;
	vcpu->arch.regs.cr2 = addr;
	vmx_inject_exception(vcpu, PF_VECTOR, true, err);
	return HVK_RESUME_GUEST;
}

/* #PF for an instruction fetch at @addr (Vol. 3A 4.7: I/D with NX). */
static int vmx_inject_fetch_pf(struct hvk_vcpu *vcpu, u64 addr)
{
	bool nx = vmcs_read64(GUEST_IA32_EFER) & EFER_NX;

	return vmx_inject_pf(vcpu, addr, nx ? X86_PF_INSTR : 0);
}

/*
 * The CPU's own page walk touched a gpa outside RAM: one of the guest's
 * paging-structure entries lives where no memslot is (Table 28-7, bit 7
 * set and bit 8 clear). There is no data to hand to the VMM: a page
 * walk reads its entries from memory. kvm_intel emulates the instruction
 * and its own walk fails to read the entry (mmu/paging_tmpl.h
 * walk_addr_generic(): no host address), which it reports as a
 * not-present #PF at the linear address; do the same. The error code is
 * the instruction's access: W for a store (the CPU itself reports the
 * entry read, bit 0, whatever the instruction does).
 */
static int vmx_walk_outside_ram(struct hvk_vcpu *vcpu, int mode)
{
	struct mmio_insn *in = &vcpu->arch.mmio_insn;
	u64 gla = vmcs_readl(GUEST_LINEAR_ADDRESS);
	u64 rip = vmx_rip_linear(mode);
	u8 bytes[MMIO_INSN_MAX_LEN];
	unsigned int avail;
	bool write;
	int r, err;

	avail = vmx_fetch_insn(vcpu, rip, bytes, &err);
	if (!avail)
		/* The fetch itself walks through the table. */
		return err == -EFAULT ? vmx_inject_fetch_pf(vcpu, rip) :
		       vmx_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION);
	r = mmio_decode(bytes, avail, mode, in);
	if (r == -EINVAL && avail < MMIO_INSN_MAX_LEN && err == -EFAULT)
		/* Its tail is on a page the guest cannot translate. */
		return vmx_inject_fetch_pf(vcpu, rip + avail);
	/* An ALU form kvm_intel emulates: it reads the operand first. */
	if (r == -EOPNOTSUPP && in->len)
		return vmx_inject_pf(vcpu, gla, 0);
	if (r)
		return vmx_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION);
	write = in->write;
	if (in->op == MMIO_OP_MOVS)
		write = !((gla ^ vmx_string_addr(vcpu, in, true, mode)) &
			  PAGE_MASK);
	return vmx_inject_pf(vcpu, gla, write ? X86_PF_WRITE : 0);
}

/* The linear address of a ModRM or moffs memory operand. */
static u64 vmx_operand_linear(struct hvk_vcpu *vcpu,
			      const struct mmio_insn *in, int mode)
{
	unsigned int seg = in->seg;
	u64 ea;

	vmx_gpr(vcpu, VMX_RSP);		/* RSP may be base or index */
	ea = mmio_effective_addr(in, vcpu->arch.regs.gpr,
				 vmcs_readl(GUEST_RIP) + in->len);
	if (seg == MMIO_SEG_NONE)
		seg = in->ss_default ? MMIO_SEG_SS : MMIO_SEG_DS;
	if (mode == X86_MODE_LONG64)
		return seg == MMIO_SEG_FS || seg == MMIO_SEG_GS ?
		       vmx_seg_base(seg) + ea : ea;
	return (u32)(vmx_seg_base(seg) + ea);
}

/*
 * A MOV-type access that crosses from a page of RAM into one without a
 * slot, or the other way (the EPT violation is for the second kind).
 * kvm_intel splits such an access (x86.c emulator_read_write()): the
 * RAM part is read or written in guest memory at once, and only the
 * rest goes to the VMM, at its own gpa with its own length. Set up the
 * same: the RAM part of a store is written now, the RAM part of a load
 * kept for the completion; a->split_off/len say which bytes exit.
 *
 * Return: %VMX_SPLIT_NONE when the access is not split (or cannot be,
 * see below), %VMX_SPLIT_DONE when it is, with *@mmio_gpa the gpa of
 * the MMIO part, %VMX_SPLIT_FAULT when the RAM part's linear address does
 * not translate and #PF is injected instead.
 */
enum vmx_split {
	VMX_SPLIT_NONE,
	VMX_SPLIT_DONE,
	VMX_SPLIT_FAULT,
};

static enum vmx_split vmx_mmio_split(struct hvk_vcpu *vcpu, const struct mmio_insn *in,
			  int mode, u64 gpa, u64 val, u64 *mmio_gpa)
{
	struct hvk_arch_vcpu *a = &vcpu->arch;
	u64 lin = vmx_operand_linear(vcpu, in, mode);
	u64 gla = vmcs_readl(GUEST_LINEAR_ADDRESS);
	u64 page_end = (lin & PAGE_MASK) + PAGE_SIZE;
	unsigned int n1 = page_end - lin, ram_off, ram_len;
	u64 ram_lin;
	u8 buf[8];
	int r;

	/*
	 * Only when the decoded operand covers the byte that faulted and
	 * crosses a page: anything else (a mix of bytes another CPU was
	 * rewriting, a wrap at the top of the address space) exits whole.
	 */
	if (gla - lin >= in->size || n1 >= in->size)
		return VMX_SPLIT_NONE;
	if (gla >= page_end) {
		/* RAM first, then the MMIO page. */
		ram_off = 0;
		ram_len = n1;
		ram_lin = lin;
		a->split_off = n1;
		a->split_len = in->size - n1;
		*mmio_gpa = gpa - (gla - page_end);
	} else {
		/* The MMIO page first, then RAM. */
		ram_off = n1;
		ram_len = in->size - n1;
		ram_lin = page_end;
		a->split_off = 0;
		a->split_len = n1;
		*mmio_gpa = gpa - (gla - lin);
	}
	memcpy(buf, &val, sizeof(buf));
	if (in->write)
		r = vmx_write_guest_virt(vcpu, ram_lin, buf + ram_off,
					 ram_len);
	else
		r = vmx_read_guest_virt(vcpu, ram_lin,
					a->split_data + ram_off, ram_len,
					false);
	if (r == -EFAULT) {
		a->split_len = 0;
		vmx_inject_pf(vcpu, ram_lin, in->write ? X86_PF_WRITE : 0);
		return VMX_SPLIT_FAULT;
	}
	if (r) {
		/*
		 * Both parts outside RAM (or a read-only slot): kvm_intel
		 * makes two exits, one per page; hvk exits once, whole.
		 */
		a->split_len = 0;
		return VMX_SPLIT_NONE;
	}
	return VMX_SPLIT_DONE;
}

/* KVM_EXIT_MMIO for the VMM: @data (little-endian) for a store. */
static void vmx_fill_mmio(struct hvk_vcpu *vcpu, u64 gpa, unsigned int len,
			  bool write, const void *data)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = gpa;
	run->mmio.len = len;
	run->mmio.is_write = write;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (write)
		memcpy(run->mmio.data, data, len);
}

/*
 * Finish the decoded MMIO load with @data, the bytes of the MMIO part
 * (the whole access, or a->split_len bytes of a split one): from the
 * VMM's kvm_run at the next KVM_RUN, or from an in-kernel device at once.
 */
int vmx_complete_mmio_read(struct hvk_vcpu *vcpu, const u8 *data)
{
	struct hvk_arch_vcpu *a = &vcpu->arch;
	struct mmio_insn *in = &a->mmio_insn;
	u64 *reg;
	int r;

	if (in->op == MMIO_OP_MOVS) {
		int mode = vmx_cpu_mode(vcpu);

		r = vmx_write_guest_virt(vcpu,
					 vmx_string_addr(vcpu, in, true, mode),
					 data, in->size);
		if (r)
			return -EFAULT;
		vmx_string_step(vcpu, in);
		return 0;
	}
	reg = vmx_gpr(vcpu, in->reg);
	if (a->split_len) {
		/* The RAM part was read at the exit. */
		memcpy(a->split_data + a->split_off, data, a->split_len);
		*reg = mmio_read_result(in, *reg, a->split_data);
		a->split_len = 0;
	} else {
		*reg = mmio_read_result(in, *reg, data);
	}
	vmx_gpr_written(vcpu, in->reg);
	if (in->is_string)
		vmx_string_step(vcpu, in);
	else
		vmcs_writel(GUEST_RIP, vmcs_readl(GUEST_RIP) + in->len);
	return 0;
}

/*
 * An access to guest-physical memory outside RAM (or a write to a
 * read-only slot): decode the instruction and hand the access to the
 * VMM. One element per exit for string instructions.
 */
static int vmx_emulate_mmio(struct hvk_vcpu *vcpu, u64 gpa, u64 qual)
{
	struct hvk_arch_vcpu *a = &vcpu->arch;
	struct mmio_insn *in = &a->mmio_insn;
	u8 bytes[MMIO_INSN_MAX_LEN];
	unsigned int avail, off = 0, len;
	int mode = vmx_cpu_mode(vcpu);
	bool write, vectoring;
	u64 val = 0;
	int r, err;

	a->split_len = 0;
	vectoring = vmcs_read32(IDT_VECTORING_INFO_FIELD) &
		    VECTORING_INFO_VALID_MASK;
	if ((qual & EPT_QUAL_GLA_VALID) && !(qual & EPT_QUAL_GLA_XLATE) &&
	    !vectoring)
		return vmx_walk_outside_ram(vcpu, mode);
	if (qual & EPT_QUAL_FETCH)
		return vmx_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION);
	/*
	 * The access came from delivering an event (an IDT or stack in
	 * MMIO space), not from the instruction at RIP: nothing to decode.
	 */
	if (vectoring)
		return vmx_internal_error(vcpu,
					  KVM_INTERNAL_ERROR_DELIVERY_EV);

	avail = vmx_fetch_insn(vcpu, vmx_rip_linear(mode), bytes, &err);
	r = mmio_decode(bytes, avail, mode, in);
	if (r) {
		pr_debug("vCPU %u: cannot emulate the MMIO access at gpa 0x%llx\n",
			 vcpu->id, gpa);
		return vmx_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION);
	}

	write = in->write;
	if (in->op == MMIO_OP_MOVS)
		write = qual & EPT_QUAL_WRITE;

	if (write) {
		if (in->op == MMIO_OP_MOVS) {
			/* MOVS from RAM to MMIO: fetch the source element. */
			r = vmx_read_guest_virt(vcpu,
				vmx_string_addr(vcpu, in, false, mode),
				&val, in->size, false);
			if (r)
				return vmx_internal_error(vcpu,
					KVM_INTERNAL_ERROR_EMULATION);
		} else {
			vmx_gpr(vcpu, VMX_RSP);	/* the store may be of RSP */
			val = mmio_write_value(in, a->regs.gpr);
		}
	}
	len = in->size;
	if (!in->is_string && (qual & EPT_QUAL_GLA_VALID)) {
		u64 mmio_gpa;

		switch (vmx_mmio_split(vcpu, in, mode, gpa, val, &mmio_gpa)) {
		case VMX_SPLIT_FAULT:
			return HVK_RESUME_GUEST;
		case VMX_SPLIT_DONE:
			gpa = mmio_gpa;
			off = a->split_off;
			len = a->split_len;
			break;
		case VMX_SPLIT_NONE:
			break;
		}
	}

	if (!write) {
		u8 data[8] = {};

		/* A load an in-kernel device answers completes at once. */
		if (!hvk_io_bus_read(vcpu, HVK_MMIO_BUS, gpa, len, data)) {
			r = vmx_complete_mmio_read(vcpu, data);
			return r < 0 ? r : HVK_RESUME_GUEST;
		}
		a->pending = VMX_PENDING_MMIO_READ;
		vmx_fill_mmio(vcpu, gpa, len, false, NULL);
		return HVK_EXIT_TO_USER;
	}

	if (in->is_string)
		vmx_string_step(vcpu, in);
	else
		vmcs_writel(GUEST_RIP, vmcs_readl(GUEST_RIP) + in->len);
	/* An in-kernel device took it: no exit, kvm_run untouched. */
	if (!hvk_io_bus_write(vcpu, HVK_MMIO_BUS, gpa, len, (u8 *)&val + off))
		return HVK_RESUME_GUEST;
	vmx_fill_mmio(vcpu, gpa, len, true, (u8 *)&val + off);
	return HVK_EXIT_TO_USER;
}

/**
 * vmx_handle_ept_violation() - a guest-physical access EPT did not allow
 * @vcpu: the vCPU
 *
 * RAM (a memslot): map the page, and the guest retries the access. A gpa
 * outside every slot, or a write to a read-only slot: MMIO for the VMM.
 */
int vmx_handle_ept_violation(struct hvk_vcpu *vcpu)
{
	u64 qual = vmcs_readl(EXIT_QUALIFICATION);
	u64 gpa = vmcs_read64(GUEST_PHYSICAL_ADDRESS);
	unsigned int access = HVK_PGT_PROT_R;
	int r;

	if (qual & EPT_QUAL_WRITE)
		access |= HVK_PGT_PROT_W;
	if (qual & EPT_QUAL_FETCH)
		access = HVK_PGT_PROT_X;

	/* Bit 12: NMI unblocking due to IRET (27.2.1, Table 27-7). */
	vmx_recover_nmi_blocking(vcpu, qual & BIT(12) ?
				 INTR_INFO_UNBLOCK_NMI : 0);
	r = hvk_mmu_fault(vcpu->vm, gpa, access);
	switch (r) {
	case 0:
		/* An event delivery the exit cut short goes in again. */
		return HVK_RESUME_GUEST;
	case -ENOENT:
	case -EPERM:
		/*
		 * MMIO touched by an event's delivery (an IDT or a stack
		 * without RAM) is no instruction to emulate: the event
		 * cannot be delivered.
		 */
		if (vcpu->arch.idt_vectoring & VECTORING_INFO_VALID_MASK)
			return vmx_delivery_error(vcpu);
		return vmx_emulate_mmio(vcpu, gpa, qual);
	default:
		/* -EFAULT (the VMM's memory is gone), -ENOMEM, -EINTR. */
		return r;
	}
}

