// SPDX-License-Identifier: GPL-2.0
/*
 * Exits on arm64: one table indexed by the exception class (ESR_EL2.EC)
 * of a synchronous exit, the small handlers and MMIO completion.
 * Exception injection and register access by number: arm64/inject.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/swab.h>
#include <asm/esr.h>
#include <asm/ptrace.h>

#include "arm64.h"
#include "exit.h"
#include "hvk.h"
#include "inject.h"
#include "psci.h"
#include "sysreg_trap.h"
#include "vtimer.h"

/* Data/instruction abort ISS (Arm ARM, ESR_EL2, EC 0x20/0x24). */
#define HVK_ABT_FSC(esr)	((esr) & 0x3f)
#define HVK_FSC_TYPE(fsc)	((fsc) & 0x3c)
#define HVK_FSC_TRANS		0x04	/* translation fault, level in 1:0 */
#define HVK_FSC_ACCESS		0x08	/* access flag fault */
#define HVK_FSC_PERM		0x0c	/* permission fault */
#define HVK_FSC_EXTABT		0x10	/* synchronous external abort */
#define HVK_FSC_EXTABT_WALK	0x14	/* the same on a table walk */
#define HVK_FSC_PARITY		0x18	/* parity/ECC error */
#define HVK_FSC_PARITY_WALK	0x1c	/* the same on a table walk */
/* HPFAR_EL2.FIPA, bits 43:4, holds IPA bits 51:12. */
#define HVK_HPFAR_FIPA		GENMASK_ULL(43, 4)

/* SCTLR_EL1.E0E: EL0 data accesses are big-endian. */
#define HVK_SCTLR_E0E		BIT(24)

typedef int (*exit_handler_fn)(struct hvk_vcpu *vcpu);

/*
 * KVM_EXIT_INTERNAL_ERROR for what hvk does not handle: data[0] is the
 * raw ESR_EL2, data[1] FAR_EL2, data[2] the exit kind (enum
 * hvk_exit_kind; 0 is a synchronous exception).
 */
static int exit_internal_error(struct hvk_vcpu *vcpu)
{
	const struct hvk_arm64_exit *e = &vcpu->arch.exit;
	struct kvm_run *run = vcpu->run;

	pr_info_ratelimited("vCPU %u: unhandled exit, kind %u, ESR_EL2 %#llx (EC %#llx), FAR_EL2 %#llx, PC %#llx\n",
			    vcpu->id, e->kind, e->esr, HVK_ESR_EC(e->esr),
			    e->far, vcpu->arch.regs.regs.pc);
	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->internal.suberror = KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON;
	run->internal.ndata = 3;
	run->internal.data[0] = e->esr;
	run->internal.data[1] = e->far;
	run->internal.data[2] = e->kind;
	return HVK_EXIT_TO_USER;
}

/*
 * FP/SIMD trapped by CPTR_EL2.FPEN: the guest's first use in this
 * KVM_RUN. From now on its registers are loaded on every entry; the
 * instruction runs again (the PC still points at it).
 */
static int exit_handle_fp(struct hvk_vcpu *vcpu)
{
	if (vcpu->arch.fp_live)		/* cannot trap while enabled */
		return exit_internal_error(vcpu);
	vcpu->arch.fp_live = true;
	return HVK_RESUME_GUEST;
}

static int exit_handle_undef(struct hvk_vcpu *vcpu)
{
	hvk_arm64_inject_undef(vcpu);
	return HVK_RESUME_GUEST;
}

/*
 * WFI/WFIT (ISS.TI bit 0 clear): the vCPU halts until something could
 * wake it; with no interrupt controller for guests yet that is a kick
 * or a signal (the run loop then returns -EINTR). WFE/WFET: yield the
 * CPU. Either way the instruction completes, as in KVM.
 */
static int exit_handle_wfx(struct hvk_vcpu *vcpu)
{
	hvk_arm64_skip_instr(vcpu);
	if (vcpu->arch.exit.esr & 1)
		yield();
	else
		hvk_arm64_wfi(vcpu);
	return HVK_RESUME_GUEST;
}

/* HVC from EL1: the SMCCC/PSCI conduit; HVC's ELR is already past it. */
static int exit_handle_hvc(struct hvk_vcpu *vcpu)
{
	return hvk_arm64_psci_call(vcpu);
}

/*
 * SMC (trapped by HCR_EL2.TSC): there is no secure firmware behind it.
 * Its preferred return is the SMC itself, so step over it, and answer
 * NOT_SUPPORTED (-1) in x0 whatever the function id, as the in-tree KVM
 * of Linux 6.1 (the reference of hvk's selftests) does: PSCI goes
 * through HVC only. (Later KVMs take SMC #0 as a second SMCCC conduit;
 * hvk_arm64_psci_call() would serve it unchanged.)
 */
static int exit_handle_smc(struct hvk_vcpu *vcpu)
{
	hvk_arm64_skip_instr(vcpu);
	hvk_arm64_set_reg(vcpu, 0, ~0ULL);
	return HVK_RESUME_GUEST;
}

static u64 exit_mmio_swab(u64 data, unsigned int len)
{
	switch (len) {
	case 2:
		return swab16(data);
	case 4:
		return swab32(data);
	case 8:
		return swab64(data);
	default:
		return data;
	}
}

static bool exit_guest_data_be(struct hvk_vcpu *vcpu)
{
	u64 sctlr = vcpu->arch.sys[HVK_SCTLR_EL1];

	return hvk_arm64_guest_at_el0(vcpu) ? sctlr & HVK_SCTLR_E0E :
					sctlr & HVK_SCTLR_EE;
}

/*
 * Finish a load with @buf (len bytes, little-endian): sign-extend it when
 * the load did (ESR.SSE), keep 32 bits for a W register (ESR.SF clear),
 * convert it to a big-endian guest's byte order, and write the
 * destination register.
 */
static void hvk_arm64_mmio_load(struct hvk_vcpu *vcpu, const void *buf)
{
	const struct hvk_mmio_pending *m = &vcpu->arch.mmio;
	u64 data = 0, mask;

	memcpy(&data, buf, m->len);
	data = le64_to_cpu(data);
	if (m->sign_extend && m->len < sizeof(u64)) {
		mask = 1ULL << (m->len * 8 - 1);
		data = (data ^ mask) - mask;
	}
	if (!m->sixty_four)
		data &= 0xffffffffULL;
	if (exit_guest_data_be(vcpu))
		data = exit_mmio_swab(data, m->len);
	hvk_arm64_set_reg(vcpu, m->rt, data);
}

/**
 * hvk_arm64_mmio_complete() - finish the access of the last KVM_EXIT_MMIO
 * @vcpu: the vCPU
 *
 * A read takes run->mmio.data, as userspace wrote it. Both reads and
 * writes then step over the instruction.
 */
void hvk_arm64_mmio_complete(struct hvk_vcpu *vcpu)
{
	if (!vcpu->arch.mmio.is_write)
		hvk_arm64_mmio_load(vcpu, vcpu->run->mmio.data);
	hvk_arm64_skip_instr(vcpu);
}

/*
 * An access outside RAM with a valid syndrome (ESR.ISV): KVM_EXIT_MMIO.
 * Without one, the instruction cannot be replayed from the syndrome:
 * KVM_EXIT_ARM_NISV if the VMM asked for it (KVM_CAP_ARM_NISV_TO_USER),
 * otherwise -ENOSYS, KVM's answer.
 */
static int exit_to_mmio(struct hvk_vcpu *vcpu, u64 ipa)
{
	struct hvk_arch_vcpu *a = &vcpu->arch;
	struct kvm_run *run = vcpu->run;
	u64 esr = a->exit.esr;
	struct hvk_mmio_pending *m = &a->mmio;
	u64 data;

	if (!(esr & ESR_ELx_ISV)) {
		if (!vcpu->vm->arch.nisv_to_user) {
			pr_info_ratelimited("vCPU %u: data abort at IPA %#llx outside memory without a valid syndrome (ESR_EL2 %#llx)\n",
					    vcpu->id, ipa, esr);
			return -ENOSYS;
		}
		run->exit_reason = KVM_EXIT_ARM_NISV;
		run->arm_nisv.esr_iss = esr & (ESR_ELx_CM | ESR_ELx_WNR |
					       ESR_ELx_FSC);
		run->arm_nisv.fault_ipa = ipa;
		return HVK_EXIT_TO_USER;
	}

	m->is_write = esr & ESR_ELx_WNR;
	m->len = 1U << ((esr & ESR_ELx_SAS) >> ESR_ELx_SAS_SHIFT);
	m->sign_extend = esr & ESR_ELx_SSE;
	m->sixty_four = esr & ESR_ELx_SF;
	m->rt = (esr & ESR_ELx_SRT_MASK) >> ESR_ELx_SRT_SHIFT;

	if (m->is_write) {
		data = hvk_arm64_get_reg(vcpu, m->rt);
		if (exit_guest_data_be(vcpu))
			data = exit_mmio_swab(data, m->len);
		data = cpu_to_le64(data);
		/* An in-kernel device took it: no exit, kvm_run untouched. */
		if (!hvk_io_bus_write(vcpu, HVK_MMIO_BUS, ipa, m->len, &data)) {
			hvk_arm64_skip_instr(vcpu);
			return HVK_RESUME_GUEST;
		}
	} else {
		data = 0;
		if (!hvk_io_bus_read(vcpu, HVK_MMIO_BUS, ipa, m->len, &data)) {
			hvk_arm64_mmio_load(vcpu, &data);
			hvk_arm64_skip_instr(vcpu);
			return HVK_RESUME_GUEST;
		}
	}

	m->active = true;
	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = ipa;
	run->mmio.len = m->len;
	run->mmio.is_write = m->is_write;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (m->is_write)
		memcpy(run->mmio.data, &data, m->len);
	return HVK_EXIT_TO_USER;
}

/*
 * A stage-2 abort (EC 0x20 instruction, 0x24 data, from EL0/EL1).
 * Translation, access flag and permission faults on RAM are filled in
 * by the common memory layer (hvk_mmu_fault()). Outside RAM (or a write
 * to a read-only slot): an instruction fetch gets an external abort
 * injected, a stage-1 table walk into MMIO gets a data abort injected,
 * data cache maintenance is skipped, and a data access becomes an MMIO
 * exit.
 */
static int exit_handle_abort(struct hvk_vcpu *vcpu, bool iabt)
{
	const struct hvk_arm64_exit *e = &vcpu->arch.exit;
	u64 esr = e->esr;
	u64 fsc = HVK_ABT_FSC(esr);
	u64 ipa = ((e->hpfar & HVK_HPFAR_FIPA) << 8) | (e->far & 0xfff);
	unsigned int access;
	int r;

	switch (HVK_FSC_TYPE(fsc)) {
	case HVK_FSC_TRANS:
	case HVK_FSC_ACCESS:
	case HVK_FSC_PERM:
		break;
	case HVK_FSC_EXTABT:		/* 0x10, 0x13 (walk, level -1) */
	case HVK_FSC_EXTABT_WALK:	/* 0x14-0x17 */
	case HVK_FSC_PARITY:		/* 0x18 */
	case HVK_FSC_PARITY_WALK:	/* 0x1c-0x1f */
		return hvk_arm64_handle_sea(vcpu, ipa);
	default:
		return exit_internal_error(vcpu);
	}

	/*
	 * Beyond the VM's IPA size but within the PA range (the hardware
	 * faults at the first level): no guest address, so an external
	 * abort for the guest, with FAR_EL1 = the IPA, as KVM.
	 */
	if (ipa >= BIT_ULL(vcpu->vm->arch.ipa_bits)) {
		hvk_arm64_inject_abort(vcpu, iabt, ipa);
		return HVK_RESUME_GUEST;
	}

	if (iabt)
		access = HVK_PGT_PROT_X;
	else
		access = HVK_PGT_PROT_R |
			 (esr & ESR_ELx_WNR && !(esr & ESR_ELx_CM) ?
			  HVK_PGT_PROT_W : 0);

	r = hvk_mmu_fault(vcpu->vm, ipa, access);
	if (!r)
		return HVK_RESUME_GUEST;
	if (r == -EINTR) {
		vcpu->run->exit_reason = KVM_EXIT_INTR;
		return -EINTR;
	}
	if (r != -ENOENT && r != -EPERM)
		return r;

	if (iabt) {
		hvk_arm64_inject_abort(vcpu, true, e->far);
		return HVK_RESUME_GUEST;
	}
	if (esr & ESR_ELx_S1PTW) {
		hvk_arm64_inject_abort(vcpu, false, e->far);
		return HVK_RESUME_GUEST;
	}
	if (esr & ESR_ELx_CM) {
		hvk_arm64_skip_instr(vcpu);
		return HVK_RESUME_GUEST;
	}
	return exit_to_mmio(vcpu, ipa);
}

static int exit_handle_iabt(struct hvk_vcpu *vcpu)
{
	return exit_handle_abort(vcpu, true);
}

static int exit_handle_dabt(struct hvk_vcpu *vcpu)
{
	return exit_handle_abort(vcpu, false);
}

/*
 * Synchronous exits by ESR_EL2.EC. Each handler returns an enum
 * hvk_exit_action or a negative errno. A class without a handler is an
 * internal error exit carrying the ESR. Classes that trap only because
 * hvk hides a feature (SVE, SME, pointer authentication) are UNDEFINED
 * for the guest, as on a CPU without it.
 */
static const exit_handler_fn exit_handlers[ESR_ELx_EC_MAX + 1] = {
	[ESR_ELx_EC_WFx]	= exit_handle_wfx,
	[ESR_ELx_EC_FP_ASIMD]	= exit_handle_fp,
	[ESR_ELx_EC_PAC]	= exit_handle_undef,
	[ESR_ELx_EC_HVC64]	= exit_handle_hvc,
	[ESR_ELx_EC_SMC64]	= exit_handle_smc,
	[ESR_ELx_EC_SYS64]	= hvk_arm64_handle_sysreg,
	[ESR_ELx_EC_SVE]	= exit_handle_undef,
	[ESR_ELx_EC_SME]	= exit_handle_undef,
	[ESR_ELx_EC_IABT_LOW]	= exit_handle_iabt,
	[ESR_ELx_EC_DABT_LOW]	= exit_handle_dabt,
};

/**
 * hvk_arm64_handle_exit() - act on the exit the world switch left
 * @vcpu: the vCPU
 *
 * A host IRQ or FIQ was already taken by the host when interrupts came
 * back on: just go back in. An SError goes to the host's error policy
 * (arm64/serror.c).
 *
 * Return: HVK_RESUME_GUEST, HVK_EXIT_TO_USER or a negative errno.
 */
int hvk_arm64_handle_exit(struct hvk_vcpu *vcpu)
{
	const struct hvk_arm64_exit *e = &vcpu->arch.exit;
	exit_handler_fn fn;

	/* The histogram: EC for a trap, 64 and up for the other kinds. */
	hvk_vcpu_exit_event(vcpu, e->kind == HVK_EXIT_SYNC ?
			    HVK_ESR_EC(e->esr) : 64 + e->kind);
	switch (e->kind) {
	case HVK_EXIT_IRQ:
	case HVK_EXIT_FIQ:
		return HVK_RESUME_GUEST;
	case HVK_EXIT_SERROR:
		return hvk_arm64_handle_serror(vcpu);
	case HVK_EXIT_SYNC:
		fn = exit_handlers[HVK_ESR_EC(e->esr)];
		if (fn)
			return fn(vcpu);
		return exit_internal_error(vcpu);
	default:
		return exit_internal_error(vcpu);
	}
}
