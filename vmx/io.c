// SPDX-License-Identifier: GPL-2.0
/*
 * Exits the VMM's device models see: port I/O (KVM_EXIT_IO) and MMIO
 * (KVM_EXIT_MMIO, from EPT violations outside RAM), and their completion
 * on the next KVM_RUN.
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

/* 27.2.1, Table 27-7 "Exit Qualification for EPT Violations". */
#define EPT_QUAL_READ		BIT(0)
#define EPT_QUAL_WRITE		BIT(1)
#define EPT_QUAL_FETCH		BIT(2)

static void *vmx_pio_data(struct hvk_vcpu *vcpu)
{
	return page_address(vcpu->run_pages[KVM_PIO_PAGE_OFFSET]);
}

static u64 addr_mask(unsigned int addr_size)
{
	return addr_size == 8 ? ~0ULL : (1ULL << (addr_size * 8)) - 1;
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
	u64 mask = addr_mask(asz);
	u64 gla = vmcs_readl(GUEST_LINEAR_ADDRESS);
	bool down = vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_DF;
	u64 count = rep ? a->regs.gpr[VMX_RCX] & mask : 1;
	u64 room;
	int ireg = in ? VMX_RDI : VMX_RSI, r;

	if (count == 0) {
		vmx_skip_instruction(vcpu);
		return VMX_RESUME_GUEST;
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
				return VMX_RESUME_GUEST;
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
	return VMX_EXIT_TO_USER;
}

/**
 * vmx_handle_io() - IN, OUT, INS, OUTS
 * @vcpu: the vCPU
 *
 * "Unconditional I/O exiting" is on, so every port exits. An IN or OUT
 * goes first to the VM's in-kernel devices (core/iobus.c: ioeventfds,
 * coalesced PIO) and, if none takes it, to userspace; string I/O always
 * goes to userspace.
 */
int vmx_handle_io(struct hvk_vcpu *vcpu)
{
	u64 qual = vmcs_readl(EXIT_QUALIFICATION);
	unsigned int size = IO_QUAL_SIZE(qual);
	bool in = qual & IO_QUAL_IN;
	u16 port = IO_QUAL_PORT(qual);
	u64 val = 0;

	if (qual & IO_QUAL_STRING)
		return vmx_handle_string_io(vcpu, qual);

	if (in ? !hvk_io_bus_read(vcpu, HVK_PIO_BUS, port, size, &val) :
		 !hvk_io_bus_write(vcpu, HVK_PIO_BUS, port, size,
				   &vcpu->arch.regs.gpr[VMX_RAX])) {
		if (in)
			vmx_set_rax_sized(vcpu, le64_to_cpu(val), size);
		vmx_skip_instruction(vcpu);
		return VMX_RESUME_GUEST;
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
	return VMX_EXIT_TO_USER;
}

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
		  addr_mask(in->addr_size);

	if (mode == X86_MODE_LONG64 && seg != MMIO_SEG_FS &&
	    seg != MMIO_SEG_GS)
		return off;
	return vmx_seg_base(seg) + off;
}

/* After one element of a string MMIO access: rSI/rDI, rCX and RIP. */
static void vmx_string_step(struct hvk_vcpu *vcpu, const struct mmio_insn *in)
{
	struct hvk_arch_vcpu *a = &vcpu->arch;
	u64 mask = addr_mask(in->addr_size);
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
 * Finish the decoded MMIO load with @data (little-endian, the access's
 * size): from the VMM's kvm_run at the next KVM_RUN, or from an in-kernel
 * device at once.
 */
static int vmx_complete_mmio_read(struct hvk_vcpu *vcpu, const u8 *data)
{
	struct mmio_insn *in = &vcpu->arch.mmio_insn;
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
	*reg = mmio_read_result(in, *reg, data);
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
	unsigned int avail = 0;
	int mode = vmx_cpu_mode(vcpu);
	u64 rip = vmcs_readl(GUEST_RIP), cs = vmcs_readl(GUEST_CS_BASE);
	u64 val = 0;
	bool write;
	int r;

	if (qual & EPT_QUAL_FETCH)
		return vmx_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION);
	/*
	 * The access came from delivering an event (an IDT or stack in
	 * MMIO space), not from the instruction at RIP: nothing to decode.
	 */
	if (vmcs_read32(IDT_VECTORING_INFO_FIELD) & VECTORING_INFO_VALID_MASK)
		return vmx_internal_error(vcpu,
					  KVM_INTERNAL_ERROR_DELIVERY_EV);

	/* Fetch what we can of the 15 bytes: the tail may be unmapped. */
	if (mode != X86_MODE_LONG64)
		rip = (u32)(cs + rip);
	else
		rip += cs;
	while (avail < MMIO_INSN_MAX_LEN) {
		unsigned int n = min_t(unsigned int, MMIO_INSN_MAX_LEN - avail,
				       PAGE_SIZE - offset_in_page(rip + avail));

		if (vmx_read_guest_virt(vcpu, rip + avail, bytes + avail, n,
					true))
			break;
		avail += n;
	}

	r = mmio_decode(bytes, avail, mode, in);
	if (r) {
		pr_debug("vCPU %u: cannot emulate the MMIO access at gpa 0x%llx\n",
			 vcpu->id, gpa);
		return vmx_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION);
	}

	write = in->write;
	if (in->op == MMIO_OP_MOVS)
		write = qual & EPT_QUAL_WRITE;

	if (!write) {
		u8 data[8] = {};

		/* A load an in-kernel device answers completes at once. */
		if (!hvk_io_bus_read(vcpu, HVK_MMIO_BUS, gpa, in->size, data)) {
			r = vmx_complete_mmio_read(vcpu, data);
			return r < 0 ? r : VMX_RESUME_GUEST;
		}
		a->pending = VMX_PENDING_MMIO_READ;
		vmx_fill_mmio(vcpu, gpa, in->size, false, NULL);
		return VMX_EXIT_TO_USER;
	}

	if (in->op == MMIO_OP_MOVS) {
		/* MOVS from RAM to MMIO: fetch the source element. */
		r = vmx_read_guest_virt(vcpu, vmx_string_addr(vcpu, in, false,
							      mode),
					&val, in->size, false);
		if (r)
			return vmx_internal_error(vcpu,
						  KVM_INTERNAL_ERROR_EMULATION);
	} else {
		vmx_gpr(vcpu, VMX_RSP);	/* the store may be of RSP */
		val = mmio_write_value(in, a->regs.gpr);
	}
	val = cpu_to_le64(val);
	if (in->is_string)
		vmx_string_step(vcpu, in);
	else
		vmcs_writel(GUEST_RIP, vmcs_readl(GUEST_RIP) + in->len);
	/* An in-kernel device took it: no exit, kvm_run untouched. */
	if (!hvk_io_bus_write(vcpu, HVK_MMIO_BUS, gpa, in->size, &val))
		return VMX_RESUME_GUEST;
	vmx_fill_mmio(vcpu, gpa, in->size, true, &val);
	return VMX_EXIT_TO_USER;
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

	r = hvk_mmu_fault(vcpu->vm, gpa, access);
	switch (r) {
	case 0:
		return VMX_RESUME_GUEST;
	case -ENOENT:
	case -EPERM:
		return vmx_emulate_mmio(vcpu, gpa, qual);
	default:
		/* -EFAULT (the VMM's memory is gone), -ENOMEM, -EINTR. */
		return r;
	}
}

/**
 * vmx_complete_pending() - finish an IN, INS or MMIO load
 * @vcpu: the vCPU, at the start of KVM_RUN
 *
 * Return: VMX_RESUME_GUEST, or a negative errno.
 */
int vmx_complete_pending(struct hvk_vcpu *vcpu)
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
	case VMX_PENDING_INS: {
		u8 *data = vmx_pio_data(vcpu);
		u32 i, size = a->pending_size;

		for (i = 0; i < a->pending_count; i++) {
			u64 at = a->pending_down ? a->pending_gla - i * size :
						   a->pending_gla + i * size;

			/* The guest unmapped its buffer meanwhile: KVM errs too. */
			r = vmx_write_guest_virt(vcpu, at, data + i * size,
						 size);
			if (r)
				return -EFAULT;
		}
		break;
	}
	case VMX_PENDING_MMIO_READ:
		r = vmx_complete_mmio_read(vcpu, run->mmio.data);
		if (r)
			return r;
		break;
	}
	return VMX_RESUME_GUEST;
}
