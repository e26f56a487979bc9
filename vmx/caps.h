/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the processor's VMX can do, as its capability MSRs report it.
 *
 * Read once at load (vmx_caps_probe()) and checked again on every CPU
 * that takes VMX (vmx_caps_match()), then kept for the VMCS setup of
 * later work: the controls a VMCS may use come from here and nowhere
 * else.
 *
 * Intel SDM references are to Vol. 3C and its Appendix A, by section
 * title; numbers are those of the 2016-2022 editions (later editions
 * moved the VMX chapters up by one, the titles stayed).
 */
#ifndef HVK_VMX_CAPS_H
#define HVK_VMX_CAPS_H

#include <linux/bits.h>
#include <linux/types.h>

#include <asm/msr-index.h>
#include <asm/vmx.h>

/*
 * Appendix A.1 Basic VMX Information (IA32_VMX_BASIC). The kernel's
 * <asm/vmx.h> has accessors for the revision id and the VMCS size in both
 * supported kernels, and VMX_BASIC_INOUT/VMX_BASIC_TRUE_CTLS; what only
 * one of them names is defined here, with the SDM's meaning.
 */
#ifndef VMX_BASIC_32BIT_PHYS_ADDR_ONLY
/* Bit 48: VMXON/VMCS and VMCS-referenced addresses limited to 32 bits. */
#define VMX_BASIC_32BIT_PHYS_ADDR_ONLY	BIT_ULL(48)
#endif
/* Bits 53:50: memory type for the VMCS and VMCS-referenced structures. */
#define VMX_BASIC_VMCS_MEMTYPE		GENMASK_ULL(53, 50)

/* Appendix A.6 Miscellaneous Data (IA32_VMX_MISC), bits 4:0. */
#ifndef VMX_MISC_PREEMPTION_TIMER_RATE_MASK
#define VMX_MISC_PREEMPTION_TIMER_RATE_MASK	GENMASK_ULL(4, 0)
#endif

/*
 * Appendix A.3 VM-Execution Controls, A.4 VM-Exit Controls, A.5 VM-Entry
 * Controls: each capability MSR gives, in bits 31:0, the "allowed
 * 0-settings" (a bit set there must be 1 in the VMCS) and in bits 63:32
 * the "allowed 1-settings" (only a bit set there may be 1).
 */
struct vmx_ctl {
	u32 must_be_1;
	u32 may_be_1;
};

/**
 * struct vmx_caps - the VMX capability MSRs of one CPU
 * @basic: IA32_VMX_BASIC (A.1)
 * @pin: pin-based VM-execution controls (A.3.1), from
 *       IA32_VMX_TRUE_PINBASED_CTLS when @basic has VMX_BASIC_TRUE_CTLS
 * @proc: primary processor-based controls (A.3.2), TRUE_ likewise
 * @proc2: secondary processor-based controls (A.3.3); zero when the
 *         primary controls cannot "activate secondary controls"
 * @exit: VM-exit controls (A.4), TRUE_ likewise
 * @entry: VM-entry controls (A.5), TRUE_ likewise
 * @misc: IA32_VMX_MISC (A.6)
 * @cr0_fixed0: IA32_VMX_CR0_FIXED0 (A.7): CR0 bits that must be 1
 * @cr0_fixed1: IA32_VMX_CR0_FIXED1 (A.7): CR0 bits that may be 1
 * @cr4_fixed0: IA32_VMX_CR4_FIXED0 (A.8)
 * @cr4_fixed1: IA32_VMX_CR4_FIXED1 (A.8)
 * @vmcs_enum: IA32_VMX_VMCS_ENUM (A.9)
 * @ept: IA32_VMX_EPT_VPID_CAP bits 31:0 (A.10), the EPT/INVEPT part, in
 *       the layout of the kernel's VMX_EPT_* bits
 * @vpid: IA32_VMX_EPT_VPID_CAP bits 63:32 (A.10), the INVVPID part, in
 *        the layout of the kernel's VMX_VPID_* bits
 * @vmfunc: IA32_VMX_VMFUNC (A.11); zero without "enable VM functions"
 *
 * Raw MSR values only, nothing derived, so that two CPUs compare with
 * memcmp().
 */
struct vmx_caps {
	u64 basic;
	struct vmx_ctl pin;
	struct vmx_ctl proc;
	struct vmx_ctl proc2;
	struct vmx_ctl exit;
	struct vmx_ctl entry;
	u64 misc;
	u64 cr0_fixed0;
	u64 cr0_fixed1;
	u64 cr4_fixed0;
	u64 cr4_fixed1;
	u64 vmcs_enum;
	u32 ept;
	u32 vpid;
	u64 vmfunc;
};

/* The boot CPU's capabilities; every CPU with VMX on has the same. */
extern struct vmx_caps vmx_caps;

int vmx_caps_probe(void);
int vmx_caps_read(struct vmx_caps *caps);
bool vmx_caps_match(const struct vmx_caps *caps);

/* Whether every bit of @bits may be 1 in the controls @ctl describes. */
static inline bool vmx_ctl_allows(const struct vmx_ctl *ctl, u32 bits)
{
	return (ctl->may_be_1 & bits) == bits;
}

/*
 * The value to write for controls @ctl when hvk wants @want: the bits
 * that must be 1 added, the bits that may not be 1 dropped. Callers
 * check first with vmx_ctl_allows() that nothing they need is dropped.
 */
static inline u32 vmx_ctl_adjust(const struct vmx_ctl *ctl, u32 want)
{
	return (want | ctl->must_be_1) & ctl->may_be_1;
}

static inline u32 vmx_caps_revision_id(void)
{
	return vmx_basic_vmcs_revision_id(vmx_caps.basic);
}

#endif /* HVK_VMX_CAPS_H */
