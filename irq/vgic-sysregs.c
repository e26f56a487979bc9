// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS for irq/vgic-dev.c: a vCPU's GIC CPU
 * interface registers as userspace saves and restores them, kept in the
 * ICH_VMCR_EL2 image and the active-priority registers arm64/vgic-hw.c
 * switches.
 */
#include <linux/bits.h>
#include <linux/errno.h>

#include "vgic.h"

/*
 * KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS: the CPU interface registers as
 * userspace sees them, kept in ICH_VMCR_EL2 and the active-priority
 * registers (IHI 0069, 12.4.10: VMCR fields; 12.2: ICC registers).
 */
#define SYSREG(op0, op1, crn, crm, op2) \
	(((op0) << 14) | ((op1) << 11) | ((crn) << 7) | ((crm) << 3) | (op2))
#define ICC_PMR		SYSREG(3, 0, 4, 6, 0)
#define ICC_BPR0	SYSREG(3, 0, 12, 8, 3)
#define ICC_AP0R(n)	SYSREG(3, 0, 12, 8, 4 + (n))
#define ICC_AP1R(n)	SYSREG(3, 0, 12, 9, (n))
#define ICC_BPR1	SYSREG(3, 0, 12, 12, 3)
#define ICC_CTLR	SYSREG(3, 0, 12, 12, 4)
#define ICC_SRE		SYSREG(3, 0, 12, 12, 5)
#define ICC_IGRPEN0	SYSREG(3, 0, 12, 12, 6)
#define ICC_IGRPEN1	SYSREG(3, 0, 12, 12, 7)

#define VMCR_ENG0	BIT_ULL(0)
#define VMCR_ENG1	BIT_ULL(1)
#define VMCR_CBPR	BIT_ULL(4)
#define VMCR_EOIM	BIT_ULL(9)
#define VMCR_BPR1_SHIFT	18
#define VMCR_BPR0_SHIFT	21
#define VMCR_PMR_SHIFT	24

static u64 vmcr_field(u64 vmcr, u32 shift, u32 bits)
{
	return (vmcr >> shift) & (BIT_ULL(bits) - 1);
}

static u64 vmcr_set(u64 vmcr, u32 shift, u32 bits, u64 v)
{
	u64 m = (BIT_ULL(bits) - 1) << shift;

	return (vmcr & ~m) | ((v << shift) & m);
}

int hvk_vgic_sysreg(struct hvk_vcpu_irqchip *c, u32 reg, u64 *val,
		    bool write)
{
	u64 v = write ? *val : 0;
	u64 vmcr = c->vmcr;

	switch (reg) {
	case ICC_PMR:
		if (write)
			vmcr = vmcr_set(vmcr, VMCR_PMR_SHIFT, 8, v);
		v = vmcr_field(vmcr, VMCR_PMR_SHIFT, 8);
		break;
	case ICC_BPR0:
		if (write)
			vmcr = vmcr_set(vmcr, VMCR_BPR0_SHIFT, 3, v);
		v = vmcr_field(vmcr, VMCR_BPR0_SHIFT, 3);
		break;
	case ICC_BPR1:
		if (write)
			vmcr = vmcr_set(vmcr, VMCR_BPR1_SHIFT, 3, v);
		v = vmcr_field(vmcr, VMCR_BPR1_SHIFT, 3);
		break;
	case ICC_CTLR:
		/* CBPR (bit 0), EOImode (bit 1); the rest describes the CPU */
		if (write) {
			vmcr = vmcr_set(vmcr, 4, 1, v & 1);
			vmcr = vmcr_set(vmcr, 9, 1, (v >> 1) & 1);
		}
		v = vmcr_field(vmcr, 4, 1) | (vmcr_field(vmcr, 9, 1) << 1) |
		    (((hvk_vgic_vtr >> 29) & 7) << 8) |	/* PRIbits */
		    (((hvk_vgic_vtr >> 23) & 7) << 11) |	/* IDbits */
		    (((hvk_vgic_vtr >> 22) & 1) << 14) |	/* SEIS */
		    (((hvk_vgic_vtr >> 21) & 1) << 15);	/* A3V */
		break;
	case ICC_SRE:
		/* SRE/DFB/DIB are fixed: system registers only */
		v = c->sre;
		break;
	case ICC_IGRPEN0:
		if (write)
			vmcr = vmcr_set(vmcr, 0, 1, v & 1);
		v = vmcr_field(vmcr, 0, 1);
		break;
	case ICC_IGRPEN1:
		if (write)
			vmcr = vmcr_set(vmcr, 1, 1, v & 1);
		v = vmcr_field(vmcr, 1, 1);
		break;
	case ICC_AP0R(0) ... ICC_AP0R(3):
		if (write)
			c->ap0r[reg - ICC_AP0R(0)] = v;
		v = c->ap0r[reg - ICC_AP0R(0)];
		break;
	case ICC_AP1R(0) ... ICC_AP1R(3):
		if (write)
			c->ap1r[reg - ICC_AP1R(0)] = v;
		v = c->ap1r[reg - ICC_AP1R(0)];
		break;
	default:
		return -ENXIO;
	}
	c->vmcr = vmcr;
	*val = v;
	return 0;
}
