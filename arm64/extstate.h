/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-entry half of arm64/extstate.c (see there for what and why),
 * inline in the world switch.
 */
#ifndef HVK_ARM64_EXTSTATE_H
#define HVK_ARM64_EXTSTATE_H

#include <linux/bits.h>
#include <linux/types.h>
#include <asm/sysreg.h>

#include "arm64.h"
#include "hvk.h"

/* EL2 and EL0/EL1 registers switched here. */
#define HVK_SYS_HFGRTR_EL2		sys_reg(3, 4, 1, 1, 4)
#define HVK_SYS_HFGWTR_EL2		sys_reg(3, 4, 1, 1, 5)
#define HVK_SYS_HFGITR_EL2		sys_reg(3, 4, 1, 1, 6)
#define HVK_SYS_HDFGRTR_EL2		sys_reg(3, 4, 3, 1, 4)
#define HVK_SYS_HDFGWTR_EL2		sys_reg(3, 4, 3, 1, 5)
#define HVK_SYS_HCRX_EL2		sys_reg(3, 4, 1, 2, 2)
#define HVK_SYS_ICH_HCR_EL2		sys_reg(3, 4, 12, 11, 0)
#define HVK_SYS_TPIDR2_EL0		sys_reg(3, 3, 13, 0, 5)

/* ICH_HCR_EL2: trap common, Group 0 and Group 1 ICV accesses to EL2. */
#define HVK_ICH_HCR_TC		BIT(10)
#define HVK_ICH_HCR_TALL0	BIT(11)
#define HVK_ICH_HCR_TALL1	BIT(12)
#define HVK_GUEST_ICH_HCR	(HVK_ICH_HCR_TC | HVK_ICH_HCR_TALL0 | \
				 HVK_ICH_HCR_TALL1)

struct hvk_ext_feat {
	u8 fgt, hcx, sme, fpmr, s1poe;
	bool gic_sysregs;
};

extern struct hvk_ext_feat hvk_ext;

/**
 * hvk_arm64_ext_load() - put the guest's view in place, keep the host's
 * @vcpu: the vCPU about to run
 * @h: where the host's values go
 *
 * Interrupts are off; arm64/world.c issues the ISB before the entry.
 * Inline: it runs on every entry and exit (tools/bench).
 */
static __always_inline void
hvk_arm64_ext_load(struct hvk_vcpu *vcpu, struct hvk_ext_host *h)
{
	const u64 *s = vcpu->arch.sys;

	if (hvk_ext.fgt) {
		h->hfgrtr = read_sysreg_s(HVK_SYS_HFGRTR_EL2);
		h->hfgwtr = read_sysreg_s(HVK_SYS_HFGWTR_EL2);
		h->hfgitr = read_sysreg_s(HVK_SYS_HFGITR_EL2);
		h->hdfgrtr = read_sysreg_s(HVK_SYS_HDFGRTR_EL2);
		h->hdfgwtr = read_sysreg_s(HVK_SYS_HDFGWTR_EL2);
		write_sysreg_s(0, HVK_SYS_HFGRTR_EL2);
		write_sysreg_s(0, HVK_SYS_HFGWTR_EL2);
		write_sysreg_s(0, HVK_SYS_HFGITR_EL2);
		write_sysreg_s(0, HVK_SYS_HDFGRTR_EL2);
		write_sysreg_s(0, HVK_SYS_HDFGWTR_EL2);
	}
	if (hvk_ext.hcx) {
		h->hcrx = read_sysreg_s(HVK_SYS_HCRX_EL2);
		write_sysreg_s(0, HVK_SYS_HCRX_EL2);
	}
	if (hvk_ext.sme) {
		h->tpidr2 = read_sysreg_s(HVK_SYS_TPIDR2_EL0);
		write_sysreg_s(s[HVK_TPIDR2_EL0], HVK_SYS_TPIDR2_EL0);
	}
	if (hvk_ext.gic_sysregs) {
		h->ich_hcr = read_sysreg_s(HVK_SYS_ICH_HCR_EL2);
		/* a vGIC's vCPU gets its own value (arm64/vgic-hw.c) */
		if (!vcpu->irqchip)
			write_sysreg_s(HVK_GUEST_ICH_HCR, HVK_SYS_ICH_HCR_EL2);
	}
}

/**
 * hvk_arm64_ext_put() - keep the guest's values, give the host its own
 * @vcpu: the vCPU that ran
 * @h: the host's values from hvk_arm64_ext_load()
 */
static __always_inline void
hvk_arm64_ext_put(struct hvk_vcpu *vcpu, const struct hvk_ext_host *h)
{
	u64 *s = vcpu->arch.sys;

	if (hvk_ext.gic_sysregs)
		write_sysreg_s(h->ich_hcr, HVK_SYS_ICH_HCR_EL2);
	if (hvk_ext.sme) {
		s[HVK_TPIDR2_EL0] = read_sysreg_s(HVK_SYS_TPIDR2_EL0);
		write_sysreg_s(h->tpidr2, HVK_SYS_TPIDR2_EL0);
	}
	if (hvk_ext.hcx)
		write_sysreg_s(h->hcrx, HVK_SYS_HCRX_EL2);
	if (hvk_ext.fgt) {
		write_sysreg_s(h->hfgrtr, HVK_SYS_HFGRTR_EL2);
		write_sysreg_s(h->hfgwtr, HVK_SYS_HFGWTR_EL2);
		write_sysreg_s(h->hfgitr, HVK_SYS_HFGITR_EL2);
		write_sysreg_s(h->hdfgrtr, HVK_SYS_HDFGRTR_EL2);
		write_sysreg_s(h->hdfgwtr, HVK_SYS_HDFGWTR_EL2);
	}
}

#endif /* HVK_ARM64_EXTSTATE_H */
