// SPDX-License-Identifier: GPL-2.0
/*
 * Control registers, debug registers and EFER: the bits hvk keeps to
 * itself, checked the way the CPU would check them.
 *
 * With EPT and unrestricted guest the guest owns CR3, CR0.PE/PG and
 * most of CR4 outright. The host owns CR0.NE/CD/NW (NE must stay 1 in VMX
 * operation; caching is EPT's business) and the CR4 bits outside
 * VMX_CR4_GUEST_OWNED: a guest MOV that changes them exits here (25.1.3
 * "Instructions That Cause VM Exits Conditionally", and the guest/host
 * masks and read shadows of 24.6.6). The same setters serve KVM_SET_SREGS
 * and KVM_SET_MSRS (@host true), where a bad value is -EINVAL rather
 * than a #GP for the guest.
 */
#include <linux/kvm.h>
#include <linux/sched.h>
#include <asm/vmx.h>
#include <asm/debugreg.h>	/* after the rest: needs percpu */

#include "caps.h"
#include "apic.h"
#include "run.h"
#include "vmcs.h"

/**
 * vmx_cr4_valid() - may the guest have this CR4?
 * @cr4: the value
 *
 * Its own bits, and SMEP/SMAP if the CPU has them; nothing hvk does not
 * virtualize (VMXE, OSXSAVE, PKE, LA57, ...).
 */
bool vmx_cr4_valid(unsigned long cr4)
{
	return !(cr4 & ~((VMX_CR4_GUEST_VALID | X86_CR4_SMEP |
			  X86_CR4_SMAP) & vmx_caps.cr4_fixed1));
}

static void vmx_update_lma(struct hvk_vcpu *vcpu, u64 efer)
{
	vmcs_write64(GUEST_IA32_EFER, efer);
	if (efer & EFER_LMA)
		vmcs_set_bits32(VM_ENTRY_CONTROLS, VM_ENTRY_IA32E_MODE);
	else
		vmcs_clear_bits32(VM_ENTRY_CONTROLS, VM_ENTRY_IA32E_MODE);
}

/**
 * vmx_set_cr0() - a new CR0 as the guest sees it
 * @vcpu: the vCPU, its VMCS current
 * @cr0: the value
 *
 * Return: 0, or -EINVAL for a value MOV CR0 would #GP on (Vol. 3A 2.5
 * "Control Registers"): reserved bits, PG without PE, NW without CD,
 * paging on with EFER.LME but not CR4.PAE.
 */
int vmx_set_cr0(struct hvk_vcpu *vcpu, unsigned long cr0)
{
	unsigned long old = vmcs_readl(GUEST_CR0);
	u64 efer = vmcs_read64(GUEST_IA32_EFER);

	cr0 |= X86_CR0_ET;
	if (cr0 >> 32 || ((cr0 & X86_CR0_PG) && !(cr0 & X86_CR0_PE)) ||
	    ((cr0 & X86_CR0_NW) && !(cr0 & X86_CR0_CD)))
		return -EINVAL;
	if ((cr0 & X86_CR0_PG) && !(old & X86_CR0_PG) && (efer & EFER_LME)) {
		if (!(vmcs_readl(GUEST_CR4) & X86_CR4_PAE))
			return -EINVAL;
		vmx_update_lma(vcpu, efer | EFER_LMA);
	} else if (!(cr0 & X86_CR0_PG) && (efer & EFER_LMA)) {
		vmx_update_lma(vcpu, efer & ~EFER_LMA);
	}
	vmcs_writel(CR0_READ_SHADOW, cr0);
	vmcs_writel(GUEST_CR0, vmx_cr0_guest_value(cr0 & ~(X86_CR0_CD |
							    X86_CR0_NW)));
	/* A PDPTE the guest's CR3 does not reach is #GP for MOV CR0. */
	if (!(old & X86_CR0_PG) && vmx_load_pdptrs(vcpu))
		return -EINVAL;
	return 0;
}

/**
 * vmx_set_cr4() - a new CR4 as the guest sees it
 * @vcpu: the vCPU, its VMCS current
 * @cr4: the value
 *
 * Return: 0, or -EINVAL for a bit hvk does not virtualize or a change
 * the CPU forbids (clearing PAE in long mode).
 */
int vmx_set_cr4(struct hvk_vcpu *vcpu, unsigned long cr4)
{
	if (!vmx_cr4_valid(cr4))
		return -EINVAL;
	if (!(cr4 & X86_CR4_PAE) &&
	    (vmcs_read64(GUEST_IA32_EFER) & EFER_LMA))
		return -EINVAL;
	vmcs_writel(CR4_READ_SHADOW, cr4);
	vmcs_writel(GUEST_CR4, vmx_cr4_guest_value(cr4));
	return vmx_load_pdptrs(vcpu) ? -EINVAL : 0;
}

/**
 * vmx_set_efer() - a new IA32_EFER
 * @vcpu: the vCPU, its VMCS current
 * @efer: the value
 * @host: from KVM_SET_SREGS/KVM_SET_MSRS (LMA taken as given) rather
 *	  than a guest WRMSR (LMA is read-only, LME frozen while paging)
 *
 * Return: 0 or -EINVAL.
 */
int vmx_set_efer(struct hvk_vcpu *vcpu, u64 efer, bool host)
{
	u64 old = vmcs_read64(GUEST_IA32_EFER);

	if (efer & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX))
		return -EINVAL;
	if (!host) {
		if ((vmcs_readl(GUEST_CR0) & X86_CR0_PG) &&
		    ((efer ^ old) & EFER_LME))
			return -EINVAL;
		efer = (efer & ~EFER_LMA) | (old & EFER_LMA);
	}
	vmx_update_lma(vcpu, efer);
	return 0;
}

/* 27.2.1, Table 27-3 "Exit Qualification for Control-Register Accesses". */
#define CR_QUAL_NUM(q)		((q) & 15)
#define CR_QUAL_TYPE(q)		(((q) >> 4) & 3)
#define CR_QUAL_GPR(q)		(((q) >> 8) & 15)
#define CR_QUAL_LMSW_DATA(q)	(((q) >> 16) & 0xffff)
#define CR_TYPE_MOV_TO		0
#define CR_TYPE_MOV_FROM	1
#define CR_TYPE_CLTS		2
#define CR_TYPE_LMSW		3

static int vmx_gp(struct hvk_vcpu *vcpu)
{
	vmx_inject_exception(vcpu, GP_VECTOR, true, 0);
	return HVK_RESUME_GUEST;
}

int vmx_handle_cr(struct hvk_vcpu *vcpu)
{
	u64 qual = vmcs_readl(EXIT_QUALIFICATION);
	unsigned int n = CR_QUAL_GPR(qual);
	unsigned long val, cr0;
	int r;

	switch (CR_QUAL_TYPE(qual)) {
	case CR_TYPE_MOV_TO:
		val = *vmx_gpr(vcpu, n);
		if (vmx_cpu_mode(vcpu) != X86_MODE_LONG64)
			val = (u32)val;
		switch (CR_QUAL_NUM(qual)) {
		case 0:
			r = vmx_set_cr0(vcpu, val);
			break;
		case 4:
			r = vmx_set_cr4(vcpu, val);
			break;
		case 8:
			r = val > 15 ? -EINVAL : 0;
			if (!r)
				vmx_set_cr8(vcpu, val);
			break;
		default:
			return vmx_internal_error(vcpu,
				KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON);
		}
		if (r)
			return vmx_gp(vcpu);
		break;
	case CR_TYPE_MOV_FROM:
		/* Only CR8 reads exit (CR3 store exiting is off). */
		if (CR_QUAL_NUM(qual) != 8)
			return vmx_internal_error(vcpu,
				KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON);
		*vmx_gpr(vcpu, n) = vmx_get_cr8(vcpu);
		vmx_gpr_written(vcpu, n);
		break;
	case CR_TYPE_CLTS:
		cr0 = vmcs_readl(CR0_READ_SHADOW) & ~X86_CR0_TS;
		if (vmx_set_cr0(vcpu, cr0))
			return vmx_gp(vcpu);
		break;
	case CR_TYPE_LMSW:
		/* LMSW sets PE but never clears it, and touches bits 3:0. */
		cr0 = vmcs_readl(CR0_READ_SHADOW);
		val = CR_QUAL_LMSW_DATA(qual) & 0xf;
		cr0 = (cr0 & ~0xeUL) | val | (cr0 & X86_CR0_PE);
		if (vmx_set_cr0(vcpu, cr0))
			return vmx_gp(vcpu);
		break;
	}
	vmx_skip_instruction(vcpu);
	return HVK_RESUME_GUEST;
}

/* 27.2.1, Table 27-4 "Exit Qualification for MOV DR". */
#define DR_QUAL_NUM(q)		((q) & 7)
#define DR_QUAL_FROM		BIT(4)
#define DR_QUAL_GPR(q)		(((q) >> 8) & 15)

/*
 * MOV DR: the guest's debug registers are kept in software. DR7 goes to
 * the VMCS (loaded on entry, "load debug controls"), and DR0-DR3 into
 * the hardware before an entry while DR7 enables a breakpoint (run.c),
 * so the guest's breakpoints fire; every #DB exits (exception.c), which
 * keeps DR6 in software too.
 */
int vmx_handle_dr(struct hvk_vcpu *vcpu)
{
	struct hvk_arch_vcpu *a = &vcpu->arch;
	u64 qual = vmcs_readl(EXIT_QUALIFICATION);
	unsigned int dr = DR_QUAL_NUM(qual), n = DR_QUAL_GPR(qual);
	u64 *reg;

	if (vmx_cpu_mode(vcpu) != X86_MODE_REAL &&
	    VMX_AR_DPL(vmcs_read32(GUEST_SS_AR_BYTES)) != 0)
		return vmx_gp(vcpu);
	if (dr == 4 || dr == 5) {
		/* DR4/DR5 alias DR6/DR7 unless CR4.DE (Vol. 3B 17.2.2). */
		if (vmcs_readl(GUEST_CR4) & X86_CR4_DE) {
			vmx_inject_exception(vcpu, UD_VECTOR, false, 0);
			return HVK_RESUME_GUEST;
		}
		dr += 2;
	}
	reg = dr < 4 ? &a->dr[dr] : dr == 6 ? &a->dr6 : &a->dr7;
	if (qual & DR_QUAL_FROM) {
		*vmx_gpr(vcpu, n) = *reg;
		vmx_gpr_written(vcpu, n);
	} else {
		u64 val = *vmx_gpr(vcpu, n);

		if (dr >= 6 && val >> 32)
			return vmx_gp(vcpu);
		if (dr == 6)
			val = (val & ~DR6_RESERVED) | DR6_RESERVED;
		else if (dr == 7)
			val = (val & ~0xd800ULL) | HVK_DR7_FIXED_1;
		*reg = val;
		if (dr == 7)
			vmcs_writel(GUEST_DR7, val);
	}
	vmx_skip_instruction(vcpu);
	return HVK_RESUME_GUEST;
}
