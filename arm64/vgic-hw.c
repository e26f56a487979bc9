// SPDX-License-Identifier: GPL-2.0
/*
 * The GICv3 virtualization registers for vCPUs with a vGIC (irq/vgic.c
 * decides what goes in them). With HCR_EL2.IMO/FMO set, the guest's
 * ICC_* accesses reach the virtual CPU interface (ICV_*) natively; its
 * state is here (IHI 0069, 12.4 "The GIC virtual CPU interface control
 * registers"):
 *   ICH_LR<n>_EL2    one interrupt each: rebuilt at every entry, read back
 *                    at every exit (irq/vgic.c flush and fold);
 *   ICH_HCR_EL2      En, and UIE when more interrupts wait than there are
 *                    LRs: the underflow maintenance interrupt then makes
 *                    the guest exit once it has handled most of them;
 *   ICH_VMCR_EL2, ICH_AP0R<n>_EL2, ICH_AP1R<n>_EL2: the guest's priority
 *                    mask, binary points, group enables and active
 *                    priorities, per vCPU.
 * The maintenance interrupt (the host GIC's PPI named by the device
 * tree's GICv3 node) is requested here so that it reaches the CPU: its
 * handler does nothing, the exit it causes is the point. A VM without a
 * vGIC keeps arm64/extstate.c's traps and pays one branch.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpuhotplug.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/of.h>
#include <linux/of_irq.h>
#include <linux/percpu.h>
#include <asm/sysreg.h>

#include "extstate.h"
#include "hvk.h"
#include "irq/vgic.h"
#include "vgic-hw.h"

#define HVK_SYS_ICH_AP0R(n)	sys_reg(3, 4, 12, 8, (n))
#define HVK_SYS_ICH_AP1R(n)	sys_reg(3, 4, 12, 9, (n))
#define HVK_SYS_ICH_VTR_EL2	sys_reg(3, 4, 12, 11, 1)
#define HVK_SYS_ICH_VMCR_EL2	sys_reg(3, 4, 12, 11, 7)
#define HVK_SYS_ICH_LR(n)	sys_reg(3, 4, 12, 12 + ((n) >> 3), (n) & 7)

#define HVK_ICH_HCR_EN		BIT(0)
#define HVK_ICH_HCR_UIE		BIT(1)

static u32 vgic_nr_lr;		/* ICH_VTR_EL2.ListRegs + 1 */
static u32 vgic_nr_apr;		/* AP0R/AP1R registers: 1, 2 or 4 */
static int vgic_maint_irq;	/* Linux irq of the maintenance PPI, or 0 */
static enum cpuhp_state vgic_cpuhp;
static DEFINE_PER_CPU(u8, vgic_maint_dev);

static irqreturn_t vgic_maint_handler(int irq, void *dev)
{
	/* The exit it caused is all that was needed. */
	return IRQ_HANDLED;
}

static int vgic_cpu_online(unsigned int cpu)
{
	enable_percpu_irq(vgic_maint_irq, IRQ_TYPE_NONE);
	return 0;
}

static int vgic_cpu_offline(unsigned int cpu)
{
	disable_percpu_irq(vgic_maint_irq);
	return 0;
}

/* The host GIC's maintenance interrupt, from the device tree. */
static void vgic_maint_setup(void)
{
	struct device_node *np;
	int irq, r;

	np = of_find_compatible_node(NULL, NULL, "arm,gic-v3");
	if (!np) {
		pr_info("vgic: no GICv3 node in the device tree: no maintenance interrupt (more pending interrupts than list registers wait for the next exit)\n");
		return;
	}
	irq = irq_of_parse_and_map(np, 0);
	of_node_put(np);
	if (irq <= 0) {
		pr_info("vgic: the GICv3 node names no maintenance interrupt\n");
		return;
	}
	r = request_percpu_irq(irq, vgic_maint_handler, "hvk-vgic-maint",
			       &vgic_maint_dev);
	if (r) {
		pr_warn("vgic: cannot take the maintenance interrupt (%d)\n", r);
		return;
	}
	vgic_maint_irq = irq;
	r = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "hvk/vgic:online",
			      vgic_cpu_online, vgic_cpu_offline);
	if (r < 0) {
		free_percpu_irq(irq, &vgic_maint_dev);
		vgic_maint_irq = 0;
		return;
	}
	vgic_cpuhp = r;
}

/* Called once at load, after arm64/extstate.c's probe. */
void hvk_arm64_vgic_hw_init(void)
{
	u64 vtr;

	if (!hvk_ext.gic_sysregs)
		return;
	vtr = read_sysreg_s(HVK_SYS_ICH_VTR_EL2);
	hvk_vgic_vtr = vtr;
	vgic_nr_lr = min_t(u32, (vtr & 0x1f) + 1, VGIC_MAX_LRS);
	/* PREbits (28:26) + 1 preemption bits: 5 -> 1, 6 -> 2, 7 -> 4 */
	vgic_nr_apr = 1U << ((((vtr >> 26) & 7) + 1) - 5);
	vgic_maint_setup();
	pr_info("vgic: GICv3 CPU interface with %u list registers, %u active-priority registers%s\n",
		vgic_nr_lr, vgic_nr_apr,
		vgic_maint_irq ? ", maintenance interrupt taken" : "");
}

void hvk_arm64_vgic_hw_exit(void)
{
	if (!vgic_maint_irq)
		return;
	cpuhp_remove_state(vgic_cpuhp);
	free_percpu_irq(vgic_maint_irq, &vgic_maint_dev);
}

/* Can guests have a vGICv3 on this host? */
bool hvk_arm64_vgic_usable(void)
{
	return hvk_ext.gic_sysregs && vgic_nr_lr;
}

static void vgic_write_lr(u32 n, u64 v)
{
	switch (n) {
	case 0: write_sysreg_s(v, HVK_SYS_ICH_LR(0)); break;
	case 1: write_sysreg_s(v, HVK_SYS_ICH_LR(1)); break;
	case 2: write_sysreg_s(v, HVK_SYS_ICH_LR(2)); break;
	case 3: write_sysreg_s(v, HVK_SYS_ICH_LR(3)); break;
	case 4: write_sysreg_s(v, HVK_SYS_ICH_LR(4)); break;
	case 5: write_sysreg_s(v, HVK_SYS_ICH_LR(5)); break;
	case 6: write_sysreg_s(v, HVK_SYS_ICH_LR(6)); break;
	case 7: write_sysreg_s(v, HVK_SYS_ICH_LR(7)); break;
	case 8: write_sysreg_s(v, HVK_SYS_ICH_LR(8)); break;
	case 9: write_sysreg_s(v, HVK_SYS_ICH_LR(9)); break;
	case 10: write_sysreg_s(v, HVK_SYS_ICH_LR(10)); break;
	case 11: write_sysreg_s(v, HVK_SYS_ICH_LR(11)); break;
	case 12: write_sysreg_s(v, HVK_SYS_ICH_LR(12)); break;
	case 13: write_sysreg_s(v, HVK_SYS_ICH_LR(13)); break;
	case 14: write_sysreg_s(v, HVK_SYS_ICH_LR(14)); break;
	case 15: write_sysreg_s(v, HVK_SYS_ICH_LR(15)); break;
	}
}

static u64 vgic_read_lr(u32 n)
{
	switch (n) {
	case 0: return read_sysreg_s(HVK_SYS_ICH_LR(0));
	case 1: return read_sysreg_s(HVK_SYS_ICH_LR(1));
	case 2: return read_sysreg_s(HVK_SYS_ICH_LR(2));
	case 3: return read_sysreg_s(HVK_SYS_ICH_LR(3));
	case 4: return read_sysreg_s(HVK_SYS_ICH_LR(4));
	case 5: return read_sysreg_s(HVK_SYS_ICH_LR(5));
	case 6: return read_sysreg_s(HVK_SYS_ICH_LR(6));
	case 7: return read_sysreg_s(HVK_SYS_ICH_LR(7));
	case 8: return read_sysreg_s(HVK_SYS_ICH_LR(8));
	case 9: return read_sysreg_s(HVK_SYS_ICH_LR(9));
	case 10: return read_sysreg_s(HVK_SYS_ICH_LR(10));
	case 11: return read_sysreg_s(HVK_SYS_ICH_LR(11));
	case 12: return read_sysreg_s(HVK_SYS_ICH_LR(12));
	case 13: return read_sysreg_s(HVK_SYS_ICH_LR(13));
	case 14: return read_sysreg_s(HVK_SYS_ICH_LR(14));
	default: return read_sysreg_s(HVK_SYS_ICH_LR(15));
	}
}

/*
 * Before the entry, interrupts off, in guest mode; after
 * hvk_arm64_ext_load() kept the host's ICH_HCR_EL2 (which
 * hvk_arm64_ext_put() gives back).
 */
void hvk_arm64_vgic_load(struct hvk_vcpu *vcpu)
{
	struct hvk_vcpu_irqchip *c = vcpu->irqchip;
	bool underflow;
	u32 n, k;

	n = hvk_vgic_flush(vcpu, vgic_nr_lr, &underflow);
	/* Every LR: one left valid from another vCPU would be taken. */
	for (k = 0; k < vgic_nr_lr; k++)
		vgic_write_lr(k, k < n ? c->lr_in[k] : 0);
	write_sysreg_s(c->ap0r[0], HVK_SYS_ICH_AP0R(0));
	write_sysreg_s(c->ap1r[0], HVK_SYS_ICH_AP1R(0));
	if (vgic_nr_apr > 1) {
		write_sysreg_s(c->ap0r[1], HVK_SYS_ICH_AP0R(1));
		write_sysreg_s(c->ap1r[1], HVK_SYS_ICH_AP1R(1));
	}
	if (vgic_nr_apr > 2) {
		write_sysreg_s(c->ap0r[2], HVK_SYS_ICH_AP0R(2));
		write_sysreg_s(c->ap1r[2], HVK_SYS_ICH_AP1R(2));
		write_sysreg_s(c->ap0r[3], HVK_SYS_ICH_AP0R(3));
		write_sysreg_s(c->ap1r[3], HVK_SYS_ICH_AP1R(3));
	}
	write_sysreg_s(c->vmcr, HVK_SYS_ICH_VMCR_EL2);
	write_sysreg_s(HVK_ICH_HCR_EN | (underflow ? HVK_ICH_HCR_UIE : 0),
		       HVK_SYS_ICH_HCR_EL2);
}

/* After the exit, interrupts still off. */
void hvk_arm64_vgic_save(struct hvk_vcpu *vcpu)
{
	struct hvk_vcpu_irqchip *c = vcpu->irqchip;
	u32 k;

	for (k = 0; k < c->nr_lr; k++)
		c->lr_out[k] = vgic_read_lr(k);
	c->vmcr = read_sysreg_s(HVK_SYS_ICH_VMCR_EL2);
	c->ap0r[0] = read_sysreg_s(HVK_SYS_ICH_AP0R(0));
	c->ap1r[0] = read_sysreg_s(HVK_SYS_ICH_AP1R(0));
	if (vgic_nr_apr > 1) {
		c->ap0r[1] = read_sysreg_s(HVK_SYS_ICH_AP0R(1));
		c->ap1r[1] = read_sysreg_s(HVK_SYS_ICH_AP1R(1));
	}
	if (vgic_nr_apr > 2) {
		c->ap0r[2] = read_sysreg_s(HVK_SYS_ICH_AP0R(2));
		c->ap1r[2] = read_sysreg_s(HVK_SYS_ICH_AP1R(2));
		c->ap0r[3] = read_sysreg_s(HVK_SYS_ICH_AP0R(3));
		c->ap1r[3] = read_sysreg_s(HVK_SYS_ICH_AP1R(3));
	}
	/* Nothing of the guest's stays live: En off until the next entry. */
	write_sysreg_s(0, HVK_SYS_ICH_HCR_EL2);
}
