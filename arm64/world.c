// SPDX-License-Identifier: GPL-2.0
/*
 * The C half of the arm64 world switch: one trip into the guest and back.
 *
 * The host kernel runs at EL2 with HCR_EL2.{E2H,TGE} = {1,1} (VHE). To
 * run a guest at EL1/EL0, hvk, on one CPU with preemption and interrupts
 * off:
 *   - saves the host's EL2 controls it changes (HCR_EL2, MDCR_EL2,
 *     CPTR_EL2, VTTBR_EL2, VTCR_EL2, CNTHCTL_EL2, CNTVOFF_EL2, VPIDR_EL2,
 *     VMPIDR_EL2) and the EL0/EL1 registers the host itself uses that E2H
 *     does not redirect to EL2 copies (TPIDR_EL0 and TPIDRRO_EL0: the VMM
 *     thread's TLS; TPIDR_EL1, PAR_EL1, CSSELR_EL1, MDSCR_EL1);
 *   - loads the guest's EL1 registers, through the _EL12 aliases where E2H
 *     redirects the plain names to EL2, and its FP/SIMD registers, and
 *     on CPUs that have them the fine-grained traps, HCRX_EL2, TPIDR2_EL0
 *     and the GIC's ICH_HCR_EL2 traps (arm64/extstate.h), or, for a VM
 *     with a vGIC, its list registers and virtual CPU interface state
 *     (arm64/vgic-hw.c: one branch on vcpu->irqchip for the others);
 *   - sets HCR_EL2 for the guest (TGE=0, stage 2 on, traps) and calls
 *     arm64/switch.S, which swaps VBAR_EL2, SP_EL0 and the GPRs and ERETs;
 *   - on the way back does all of it in reverse before interrupts come
 *     back on, so a host IRQ that made the guest exit is then taken by the
 *     host's own vectors as usual (PSTATE.DAIF masks everything from
 *     before the entry to after the exit, also with pseudo-NMIs; a host
 *     SError is left pending for the host, arm64/serror.c; the exit path
 *     clears the branch history first, arm64/spectre.c).
 * Nothing of the host's EL2 state survives a return from KVM_RUN altered.
 *
 * FP/SIMD is switched lazily, per KVM_RUN: each KVM_RUN starts with the
 * guest's FP/SIMD trapped (CPTR_EL2.FPEN = 0b00), so a guest that does
 * not touch it costs nothing for it (PSCI calls, MMIO loops). Its first
 * FP/SIMD instruction traps (EC 0x07); from then on, for the rest of the
 * KVM_RUN, every entry loads the guest's V0-V31/FPSR/FPCR inside
 * kernel_neon_begin()/kernel_neon_end() and saves them after. The
 * kernel's own kernel-mode NEON API saves the VMM thread's FP/SVE/SME
 * state and reloads it on return to user space, so hvk needs no hook into
 * the host's FP machinery and behaves the same on 6.1 and 6.12. Measured
 * (tools/bench, HVC round trip): eager switching cost about 15% of it.
 *
 * hvk_arm64_enter_once() is the one entry: interrupts masked, guest
 * mode for kicks (core/request.h), the switch. The KVM_RUN loop around
 * it: arm64/run.c. VMIDs and stage-2 TLB invalidation: arm64/vmid.c.
 * The guest's timers and WFI: arm64/vtimer.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/types.h>
#include <asm/cpufeature.h>
#include <asm/cputype.h>
#include <asm/daifflags.h>
#include <asm/kvm_arm.h>
#include <asm/neon.h>
#include <asm/sysreg.h>

#include "arm64.h"
#include "extstate.h"
#include "hvk.h"
#include "hyp.h"
#include "request.h"
#include "vgic-hw.h"
#include "vmid.h"
#include "world.h"

u32 __hvk_arm64_enter(struct user_pt_regs *guest);
void __hvk_arm64_fp_load(const struct user_fpsimd_state *fp);
void __hvk_arm64_fp_save(struct user_fpsimd_state *fp);

/*
 * HCR_EL2 while a guest runs (Arm ARM, HCR_EL2):
 *   VM	     stage-2 translation on
 *   SWIO    set/way invalidation becomes clean+invalidate
 *   FMO, IMO, AMO  physical FIQ/IRQ/SError go to EL2: a host interrupt
 *	     always makes the guest exit
 *   FB, BSU=IS  guest TLB and barrier operations are broadcast
 *   TWI, TWE  WFI and WFE trap: halt and yield in the host
 *   TID3    ID group 3 registers trap: the guest sees a sanitised view
 *   TSC     SMC traps (a second PSCI conduit)
 *   TIDCP   implementation-defined registers trap (UNDEF)
 *   TACR    ACTLR_EL1 traps
 *   TSW     set/way cache maintenance traps (it cannot work with a
 *	     guest's memory spread over the host's; arm64/sysreg.c)
 *   TLOR    LORegion registers trap (LOR not offered)
 *   RW	     EL1 is AArch64
 *   E2H     kept, the host's VHE mode
 * and with TGE clear; FWB too when the CPUs have FEAT_S2FWB (stage 2
 * then forces guest RAM to Normal Write-Back). API/APK, ATA, EnSCXT and
 * FIEN stay clear: pointer authentication keys and instructions, MTE
 * tags and the other optional state the guest is not offered all trap
 * (UNDEF). TERR is added when the
 * CPU has RAS so the guest cannot reach the host's error records, and
 * TEA so that its synchronous external aborts reach hvk (arm64/serror.c);
 * VSE when a virtual SError is pending for the guest.
 */
#define HVK_GUEST_HCR	(HCR_VM | HCR_SWIO | HCR_FMO | HCR_IMO | HCR_AMO | \
			 HCR_FB | HCR_BSU_IS | HCR_TWI | HCR_TWE | HCR_TID3 | \
			 HCR_TSC | HCR_TIDCP | HCR_TACR | HCR_TSW | HCR_TLOR | \
			 HCR_RW | HCR_E2H)

/*
 * CPTR_EL2 in its E2H=1 (CPACR_EL1-like) layout: FPEN=0b11, FP/SIMD
 * usable; ZEN and SMEN 0, SVE and SME trap (not offered); TTA (bit 28)
 * traps trace registers; TAM (bit 30, with AMU) traps activity monitors.
 */
#define HVK_CPTR_FPEN		(3UL << 20)
#define HVK_CPTR_E2H_TTA	BIT(28)
#define HVK_CPTR_E2H_TAM	BIT(30)

/*
 * MDCR_EL2: debug, OS lock, PMU, statistical profiling and trace
 * filtering registers trap (TDA, TDOSA, TDRA, TPM, TPMCR, TPMS, TTRF;
 * E2PB=0 keeps the profiling buffer at EL2); HPMN keeps the host's value,
 * since 0 is not allowed without FEAT_HPMN0.
 */
#define HVK_MDCR_HPMN_MASK	0x1fUL
#define HVK_GUEST_MDCR		(MDCR_EL2_TDA | MDCR_EL2_TDOSA | \
				 MDCR_EL2_TDRA | MDCR_EL2_TPM | \
				 MDCR_EL2_TPMCR | MDCR_EL2_TPMS | \
				 MDCR_EL2_TTRF)

/* CNTHCTL_EL2, E2H=1 layout: EL1PCTEN (bit 10), EL1PTEN (bit 11). */
#define HVK_CNTHCTL_EL1PCTEN	BIT(10)
#define HVK_CNTHCTL_EL1PTEN	BIT(11)


static u64 world_guest_hcr;
static u64 world_guest_cptr;

struct world_host_el2 {
	u64 hcr, mdcr, cptr, vttbr, vtcr, cnthctl, cntvoff, vpidr, vmpidr;
	u64 tpidr_el0, tpidrro_el0, tpidr_el1, par_el1, csselr_el1, mdscr;
};

/* Called once at load, after hyp.c's probe. */
void hvk_arm64_world_init(void)
{
	u64 pfr0 = read_sanitised_ftr_reg(SYS_ID_AA64PFR0_EL1);

	world_guest_hcr = HVK_GUEST_HCR;
	/*
	 * ID_AA64PFR0_EL1.RAS, bits 31:28: TERR keeps the error record
	 * registers from the guest, TEA routes its synchronous external
	 * aborts to EL2 so that the host sees them (arm64/serror.c).
	 */
	hvk_hyp.ras = (pfr0 >> 28) & 0xf;
	if (hvk_hyp.ras)
		world_guest_hcr |= HCR_TERR | HCR_TEA;
	/*
	 * ID_AA64MMFR2_EL1.FWB, bits 43:40: stage 2 can force Normal
	 * Write-Back, which spares the D-cache clean of every page mapped
	 * (see hvk_arch_mmu_sync_page()).
	 */
	hvk_hyp.fwb = (read_sanitised_ftr_reg(SYS_ID_AA64MMFR2_EL1) >> 40 &
		       0xf) == 1;
	if (hvk_hyp.fwb)
		world_guest_hcr |= HCR_FWB;
	world_guest_cptr = HVK_CPTR_FPEN | HVK_CPTR_E2H_TTA;
	/* ID_AA64PFR0_EL1.AMU, bits 47:44 */
	if ((pfr0 >> 44) & 0xf)
		world_guest_cptr |= HVK_CPTR_E2H_TAM;
}

static void world_host_save(struct world_host_el2 *h)
{
	h->hcr = read_sysreg_s(HVK_SYS_HCR_EL2);
	h->mdcr = read_sysreg_s(HVK_SYS_MDCR_EL2);
	h->cptr = read_sysreg_s(HVK_SYS_CPTR_EL2);
	h->vttbr = read_sysreg_s(HVK_SYS_VTTBR_EL2);
	h->vtcr = read_sysreg_s(HVK_SYS_VTCR_EL2);
	h->cnthctl = read_sysreg_s(HVK_SYS_CNTHCTL_EL2);
	h->cntvoff = read_sysreg_s(HVK_SYS_CNTVOFF_EL2);
	h->vpidr = read_sysreg_s(HVK_SYS_VPIDR_EL2);
	h->vmpidr = read_sysreg_s(HVK_SYS_VMPIDR_EL2);
	h->tpidr_el0 = read_sysreg_s(HVK_SYS_TPIDR_EL0);
	h->tpidrro_el0 = read_sysreg_s(HVK_SYS_TPIDRRO_EL0);
	h->tpidr_el1 = read_sysreg_s(HVK_SYS_TPIDR_EL1);
	h->par_el1 = read_sysreg_s(HVK_SYS_PAR_EL1);
	h->csselr_el1 = read_sysreg_s(HVK_SYS_CSSELR_EL1);
	h->mdscr = read_sysreg(mdscr_el1);
}

static void world_host_restore(const struct world_host_el2 *h)
{
	write_sysreg_s(h->mdcr, HVK_SYS_MDCR_EL2);
	write_sysreg_s(h->cptr, HVK_SYS_CPTR_EL2);
	write_sysreg_s(h->vttbr, HVK_SYS_VTTBR_EL2);
	write_sysreg_s(h->vtcr, HVK_SYS_VTCR_EL2);
	write_sysreg_s(h->cnthctl, HVK_SYS_CNTHCTL_EL2);
	write_sysreg_s(h->cntvoff, HVK_SYS_CNTVOFF_EL2);
	write_sysreg_s(h->vpidr, HVK_SYS_VPIDR_EL2);
	write_sysreg_s(h->vmpidr, HVK_SYS_VMPIDR_EL2);
	write_sysreg_s(h->tpidr_el0, HVK_SYS_TPIDR_EL0);
	write_sysreg_s(h->tpidrro_el0, HVK_SYS_TPIDRRO_EL0);
	write_sysreg_s(h->tpidr_el1, HVK_SYS_TPIDR_EL1);
	write_sysreg_s(h->par_el1, HVK_SYS_PAR_EL1);
	write_sysreg_s(h->csselr_el1, HVK_SYS_CSSELR_EL1);
	write_sysreg(h->mdscr, mdscr_el1);
}

static void world_guest_load(struct hvk_vcpu *vcpu)
{
	const struct hvk_arch_vcpu *a = &vcpu->arch;
	const u64 *s = a->sys;

	write_sysreg_s(s[HVK_SCTLR_EL1], HVK_SYS_SCTLR_EL12);
	write_sysreg_s(s[HVK_CPACR_EL1], HVK_SYS_CPACR_EL12);
	write_sysreg_s(s[HVK_TTBR0_EL1], HVK_SYS_TTBR0_EL12);
	write_sysreg_s(s[HVK_TTBR1_EL1], HVK_SYS_TTBR1_EL12);
	write_sysreg_s(s[HVK_TCR_EL1], HVK_SYS_TCR_EL12);
	write_sysreg_s(s[HVK_ESR_EL1], HVK_SYS_ESR_EL12);
	write_sysreg_s(s[HVK_AFSR0_EL1], HVK_SYS_AFSR0_EL12);
	write_sysreg_s(s[HVK_AFSR1_EL1], HVK_SYS_AFSR1_EL12);
	write_sysreg_s(s[HVK_FAR_EL1], HVK_SYS_FAR_EL12);
	write_sysreg_s(s[HVK_MAIR_EL1], HVK_SYS_MAIR_EL12);
	write_sysreg_s(s[HVK_AMAIR_EL1], HVK_SYS_AMAIR_EL12);
	write_sysreg_s(s[HVK_VBAR_EL1], HVK_SYS_VBAR_EL12);
	write_sysreg_s(s[HVK_CONTEXTIDR_EL1], HVK_SYS_CONTEXTIDR_EL12);
	write_sysreg_s(s[HVK_CNTKCTL_EL1], HVK_SYS_CNTKCTL_EL12);
	write_sysreg_s(s[HVK_TPIDR_EL1], HVK_SYS_TPIDR_EL1);
	write_sysreg_s(s[HVK_TPIDR_EL0], HVK_SYS_TPIDR_EL0);
	write_sysreg_s(s[HVK_TPIDRRO_EL0], HVK_SYS_TPIDRRO_EL0);
	write_sysreg_s(s[HVK_PAR_EL1], HVK_SYS_PAR_EL1);
	write_sysreg_s(s[HVK_CSSELR_EL1], HVK_SYS_CSSELR_EL1);
	write_sysreg_s(s[HVK_CNTV_CVAL_EL0], HVK_SYS_CNTV_CVAL_EL02);
	write_sysreg_s(s[HVK_CNTV_CTL_EL0], HVK_SYS_CNTV_CTL_EL02);
	write_sysreg_s(a->regs.sp_el1, HVK_SYS_SP_EL1);
	write_sysreg_s(a->regs.elr_el1, HVK_SYS_ELR_EL12);
	write_sysreg_s(a->regs.spsr[KVM_SPSR_EL1], HVK_SYS_SPSR_EL12);
}

static void world_guest_save(struct hvk_vcpu *vcpu)
{
	struct hvk_arch_vcpu *a = &vcpu->arch;
	u64 *s = a->sys;

	s[HVK_SCTLR_EL1] = read_sysreg_s(HVK_SYS_SCTLR_EL12);
	s[HVK_CPACR_EL1] = read_sysreg_s(HVK_SYS_CPACR_EL12);
	s[HVK_TTBR0_EL1] = read_sysreg_s(HVK_SYS_TTBR0_EL12);
	s[HVK_TTBR1_EL1] = read_sysreg_s(HVK_SYS_TTBR1_EL12);
	s[HVK_TCR_EL1] = read_sysreg_s(HVK_SYS_TCR_EL12);
	s[HVK_ESR_EL1] = read_sysreg_s(HVK_SYS_ESR_EL12);
	s[HVK_AFSR0_EL1] = read_sysreg_s(HVK_SYS_AFSR0_EL12);
	s[HVK_AFSR1_EL1] = read_sysreg_s(HVK_SYS_AFSR1_EL12);
	s[HVK_FAR_EL1] = read_sysreg_s(HVK_SYS_FAR_EL12);
	s[HVK_MAIR_EL1] = read_sysreg_s(HVK_SYS_MAIR_EL12);
	s[HVK_AMAIR_EL1] = read_sysreg_s(HVK_SYS_AMAIR_EL12);
	s[HVK_VBAR_EL1] = read_sysreg_s(HVK_SYS_VBAR_EL12);
	s[HVK_CONTEXTIDR_EL1] = read_sysreg_s(HVK_SYS_CONTEXTIDR_EL12);
	s[HVK_CNTKCTL_EL1] = read_sysreg_s(HVK_SYS_CNTKCTL_EL12);
	s[HVK_TPIDR_EL1] = read_sysreg_s(HVK_SYS_TPIDR_EL1);
	s[HVK_TPIDR_EL0] = read_sysreg_s(HVK_SYS_TPIDR_EL0);
	s[HVK_TPIDRRO_EL0] = read_sysreg_s(HVK_SYS_TPIDRRO_EL0);
	s[HVK_PAR_EL1] = read_sysreg_s(HVK_SYS_PAR_EL1);
	s[HVK_CSSELR_EL1] = read_sysreg_s(HVK_SYS_CSSELR_EL1);
	s[HVK_CNTV_CTL_EL0] = read_sysreg_s(HVK_SYS_CNTV_CTL_EL02);
	s[HVK_CNTV_CVAL_EL0] = read_sysreg_s(HVK_SYS_CNTV_CVAL_EL02);
	/*
	 * The host gives the guest's timer interrupt to nobody: stop the
	 * timer so that it does not stay asserted while the host runs.
	 */
	write_sysreg_s(0, HVK_SYS_CNTV_CTL_EL02);
	a->regs.sp_el1 = read_sysreg_s(HVK_SYS_SP_EL1);
	a->regs.elr_el1 = read_sysreg_s(HVK_SYS_ELR_EL12);
	a->regs.spsr[KVM_SPSR_EL1] = read_sysreg_s(HVK_SYS_SPSR_EL12);
}

/*
 * One trip into the guest and back. Preemption and interrupts are off
 * (PSTATE.DAIF all masked, hvk_arm64_enter_once()), and, when the
 * guest's FP/SIMD is live, the FP/SIMD registers are hvk's
 * (kernel_neon_begin()). Returns the exit kind (enum hvk_exit_kind);
 * the syndrome is in vcpu->arch.exit.
 */
static u32 world_switch(struct hvk_vcpu *vcpu)
{
	struct hvk_arch_vcpu *a = &vcpu->arch;
	struct hvk_vm *vm = vcpu->vm;
	struct hvk_ext_host ext;
	struct world_host_el2 h;
	u64 vmid;
	u32 kind;

	vmid = hvk_arm64_vmid_update(vm);
	world_host_save(&h);

	world_guest_load(vcpu);
	/* Before CPTR_EL2 changes: nothing here may trap at EL2. */
	hvk_arm64_ext_load(vcpu, &ext);
	if (vcpu->irqchip)
		hvk_arm64_vgic_load(vcpu);
	if (a->fp_live)
		__hvk_arm64_fp_load(&a->regs.fp_regs);
	write_sysreg_s(read_cpuid_id(), HVK_SYS_VPIDR_EL2);
	write_sysreg_s(a->mpidr, HVK_SYS_VMPIDR_EL2);
	write_sysreg_s(READ_ONCE(vm->arch.cntvoff), HVK_SYS_CNTVOFF_EL2);
	write_sysreg_s((h.cnthctl | HVK_CNTHCTL_EL1PCTEN) &
		       ~HVK_CNTHCTL_EL1PTEN, HVK_SYS_CNTHCTL_EL2);
	write_sysreg_s(a->fp_live ? world_guest_cptr :
		       world_guest_cptr & ~HVK_CPTR_FPEN, HVK_SYS_CPTR_EL2);
	/*
	 * The host's MDSCR_EL1 (E2H does not redirect it) enables its own
	 * breakpoints, watchpoints and single-step, which would otherwise
	 * fire inside the guest and be taken by it: off while it runs. The
	 * guest's MDSCR_EL1 is trapped and only kept (arm64/sysreg.c).
	 */
	write_sysreg(0, mdscr_el1);
	write_sysreg_s((h.mdcr & HVK_MDCR_HPMN_MASK) | HVK_GUEST_MDCR,
		       HVK_SYS_MDCR_EL2);
	write_sysreg_s(vm->arch.vtcr, HVK_SYS_VTCR_EL2);
	write_sysreg_s(hvk_arm64_vttbr(vm, vmid), HVK_SYS_VTTBR_EL2);
	if (a->serror_pending && hvk_hyp.ras)
		write_sysreg_s(ESR_ELx_IDS, HVK_SYS_VSESR_EL2);
	write_sysreg_s(world_guest_hcr | (a->serror_pending ? HCR_VSE : 0),
		       HVK_SYS_HCR_EL2);
	isb();

	kind = __hvk_arm64_enter(&a->regs.regs);

	a->exit.kind = kind;
	a->exit.esr = read_sysreg_s(HVK_SYS_ESR_EL2);
	a->exit.far = read_sysreg_s(HVK_SYS_FAR_EL2);
	a->exit.hpfar = read_sysreg_s(HVK_SYS_HPFAR_EL2);
	/* The hardware clears VSE when the guest takes the SError. */
	if (a->serror_pending)
		a->serror_pending = read_sysreg_s(HVK_SYS_HCR_EL2) & HCR_VSE;

	write_sysreg_s(h.hcr, HVK_SYS_HCR_EL2);
	isb();
	world_guest_save(vcpu);
	if (a->fp_live)
		__hvk_arm64_fp_save(&a->regs.fp_regs);
	world_host_restore(&h);
	if (vcpu->irqchip)
		hvk_arm64_vgic_save(vcpu);
	hvk_arm64_ext_put(vcpu, &ext);
	isb();
	return kind;
}

/**
 * hvk_arm64_enter_once() - enter the guest once, if nothing says not to
 * @vcpu: the vCPU, on its own thread, preemptible
 *
 * Checked with interrupts off: a signal, a reschedule or a request
 * (core/request.h); one arriving later raises an IPI that is taken as
 * soon as the guest runs, which exits at once.
 *
 * Return: the exit kind, or HVK_EXIT_NONE if the guest was not entered.
 */
u32 hvk_arm64_enter_once(struct hvk_vcpu *vcpu)
{
	u32 kind = HVK_EXIT_NONE;
	bool fp = vcpu->arch.fp_live;

	preempt_disable();
	if (fp)
		kernel_neon_begin();
	local_irq_disable();
	/*
	 * With GICv3 pseudo-NMIs (irqchip.gicv3_pseudo_nmi=1, the host's
	 * system_uses_irq_prio_masking()), local_irq_disable() leaves
	 * PSTATE.I clear and masks through ICC_PMR_EL1 instead. PMR is not
	 * switched: it would stay masking while the guest runs, so the GIC
	 * would signal no host interrupt to the CPU and a guest that never
	 * traps would never give the CPU back. Mask with PSTATE.DAIF
	 * instead and open PMR, as the kernel's own local_daif_mask() does
	 * (it writes GIC_PRIO_IRQON | GIC_PRIO_PSR_I_SET): at EL2 the
	 * interrupts stay pending; once the guest runs at EL1 they are
	 * taken to EL2 by HCR_EL2.IMO/FMO whatever PSTATE.I at EL2 was
	 * (Arm ARM D1.3.6, "Asynchronous exception routing"), and the
	 * guest exits. SErrors stay masked too until the host is back
	 * (see __hvk_arm64_enter() in arm64/switch.S and
	 * hvk_arm64_handle_exit()).
	 * local_daif_restore(DAIF_PROCCTX_NOIRQ) below puts back "IRQs off,
	 * SErrors and pseudo-NMIs on" in the host's own form (PMR masking
	 * or PSTATE.I), and local_irq_enable() then takes what is pending.
	 * Without priority masking this is just DAIF, set and restored.
	 */
	local_daif_mask();
	/*
	 * In guest mode from here, requests checked after it (the kicker's
	 * side of the pairing is in core/request.c).
	 */
	if (hvk_vcpu_enter_guest_mode(vcpu) && !signal_pending(current) &&
	    !need_resched())
		kind = world_switch(vcpu);
	hvk_vcpu_exit_guest_mode(vcpu);
	local_daif_restore(DAIF_PROCCTX_NOIRQ);
	local_irq_enable();
	if (fp)
		kernel_neon_end();
	preempt_enable();
	return kind;
}
