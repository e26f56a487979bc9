/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMX instructions as typed C helpers.
 *
 * Vol. 3C 30.2 Conventions: a VMX instruction either succeeds
 * (VMsucceed: CF = ZF = 0), fails without a current VMCS to report in
 * (VMfailInvalid: CF = 1), or fails with the reason in the current VMCS's
 * VM-instruction error field (VMfailValid: ZF = 1). It can also fault:
 * #UD outside VMX operation, #GP for a bad operand. Every helper catches
 * the fault through the exception table instead of oopsing, because the
 * emergency paths run them on CPUs whose state is not known (VMXOFF in
 * an NMI on a CPU that may never have done VMXON).
 *
 * The VMCS accessors (VMREAD/VMWRITE/VMPTRLD/VMCLEAR) come with the VMCS
 * code, next to the field encodings.
 */
#ifndef HVK_VMX_INSN_H
#define HVK_VMX_INSN_H

#include <linux/compiler.h>
#include <linux/types.h>

#include <asm/asm.h>

enum vmx_insn_status {
	VMX_OK = 0,
	VMX_FAIL_INVALID,	/* CF = 1 */
	VMX_FAIL_VALID,		/* ZF = 1 */
	VMX_FAULT,		/* #UD or #GP, caught */
};

/*
 * The one shape every helper below shares: run @insn at label 1, turn
 * CF/ZF into the fail_invalid/fail_valid labels, and a fault at label 1
 * into the fault label; VMX_INSN_RETURN_STATUS supplies those labels.
 * Operands follow asm's input-operand syntax.
 */
#define vmx_insn_asm(insn, inputs...)					\
	asm goto("1: " insn "\n\t"					\
		 "jc %l[fail_invalid]\n\t"				\
		 "jz %l[fail_valid]\n\t"					\
		 _ASM_EXTABLE(1b, %l[fault])				\
		 : : inputs						\
		 : "cc", "memory"					\
		 : fail_invalid, fail_valid, fault)

#define VMX_INSN_RETURN_STATUS						\
	return VMX_OK;							\
fail_invalid:								\
	return VMX_FAIL_INVALID;					\
fail_valid:								\
	return VMX_FAIL_VALID;						\
fault:									\
	return VMX_FAULT

/*
 * VMXON (30.3 VMXON—Enter VMX Operation). @vmxon_pa is the physical
 * address of this CPU's VMXON region; CR4.VMXE must already be set.
 */
static __always_inline enum vmx_insn_status vmx_vmxon(u64 vmxon_pa)
{
	vmx_insn_asm("vmxon %[pa]", [pa] "m" (vmxon_pa));
	VMX_INSN_RETURN_STATUS;
}

/*
 * VMXOFF (30.3 VMXOFF—Leave VMX Operation). Faults with #UD outside VMX
 * operation, which the emergency path relies on being harmless.
 */
static __always_inline enum vmx_insn_status vmx_vmxoff(void)
{
	vmx_insn_asm("vmxoff");
	VMX_INSN_RETURN_STATUS;
}

/*
 * INVEPT (30.3 INVEPT—Invalidate Translations Derived from EPT), @type
 * one of VMX_EPT_EXTENT_CONTEXT (single-context, for @eptp) or
 * VMX_EPT_EXTENT_GLOBAL (all-context). See 28.3.3.1 Operations that
 * Invalidate Cached Mappings.
 */
static __always_inline enum vmx_insn_status vmx_invept(unsigned long type,
						       u64 eptp)
{
	struct {
		u64 eptp;
		u64 reserved;
	} desc = { eptp, 0 };

	vmx_insn_asm("invept %[desc], %[type]",
		     [desc] "m" (desc), [type] "r" (type));
	VMX_INSN_RETURN_STATUS;
}

/*
 * INVVPID (30.3 INVVPID—Invalidate Translations Based on VPID), @type one
 * of the VMX_VPID_EXTENT_* types; @vpid and @gva as that type needs them.
 */
static __always_inline enum vmx_insn_status vmx_invvpid(unsigned long type,
							u16 vpid, u64 gva)
{
	struct {
		u64 vpid;	/* bits 15:0; the rest must be 0 */
		u64 gva;
	} desc = { vpid, gva };

	vmx_insn_asm("invvpid %[desc], %[type]",
		     [desc] "m" (desc), [type] "r" (type));
	VMX_INSN_RETURN_STATUS;
}

#endif /* HVK_VMX_INSN_H */
