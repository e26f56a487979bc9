// SPDX-License-Identifier: GPL-2.0
/*
 * SErrors and external aborts while a guest runs: they reach the host's
 * error policy instead of ending KVM_RUN as an internal error.
 *
 * Where an SError can meet hvk (HCR_EL2.AMO routes physical SErrors to
 * EL2 while the guest runs; TEA, with FEAT_RAS, routes the guest's
 * synchronous external aborts to EL2 as well):
 *   - pending before the entry: the host's own. __hvk_arm64_enter()
 *     (arm64/switch.S) synchronises (DSB SY, ISB) and looks at
 *     ISR_EL1.A; if one is pending it does not enter, and the host takes
 *     it with its own vectors (do_serror()) as soon as run_enter_once()
 *     unmasks PSTATE.A again with local_daif_restore();
 *   - taken while the guest runs (hvk's vector, exit kind SERROR):
 *     hvk_arm64_handle_serror() below applies the host kernel's rules
 *     (arch/arm64/kernel/traps.c, arm64_is_fatal_ras_serror(), which is
 *     not exported to modules; the rules are the Arm ARM's, D19.2 ESR_EL2
 *     ISS for an SError interrupt, and RAS System Architecture, "Error
 *     types"): with FEAT_RAS and an architected syndrome (IDS = 0),
 *     uncontainable (AET UC) or imprecise (DFSC not "asynchronous
 *     SError") errors panic the host as its own handler would; corrected
 *     and restartable ones (CE, UEO) let the guest go on; recoverable or
 *     unrecoverable ones (UER, UEU) are the guest's: a virtual SError is
 *     made pending for it (HCR_EL2.VSE). Without RAS or with an
 *     implementation-defined syndrome, the error is the guest's too. The
 *     in-tree KVM follows the same rules (kvm_handle_guest_serror());
 *   - left pending when the guest exits for another reason: PSTATE.A
 *     stays masked until the host's state is back, then the host takes
 *     it (do_serror()), with the host's policy.
 * A synchronous external abort routed by TEA (or a stage-2 table walk
 * that met one) is the guest's as well: virtual SError, as KVM does when
 * firmware-first handling (APEI) does not claim it, which a module
 * cannot ask for (apei_claim_sea() is not exported).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/panic.h>
#include <asm/esr.h>

#include "arm64.h"
#include "hvk.h"
#include "hyp.h"

/* Make a virtual SError pending for the guest: HCR_EL2.VSE at entry. */
static void serror_inject(struct hvk_vcpu *vcpu)
{
	/* Traced as the syndrome class an SError is taken with. */
	hvk_vcpu_inject_event(vcpu, (u64)ESR_ELx_EC_SERROR << ESR_ELx_EC_SHIFT);
	vcpu->arch.serror_pending = true;
}

/**
 * hvk_arm64_handle_serror() - a physical SError taken from the guest
 * @vcpu: the vCPU
 *
 * Return: HVK_RESUME_GUEST (the host panics on an uncontainable error).
 */
int hvk_arm64_handle_serror(struct hvk_vcpu *vcpu)
{
	u64 esr = vcpu->arch.exit.esr;

	if (hvk_hyp.ras && !(esr & ESR_ELx_IDS)) {
		if ((esr & ESR_ELx_FSC) != ESR_ELx_FSC_SERROR)
			panic("hvk: imprecise SError while a guest ran, ESR_EL2 %#llx\n",
			      esr);
		switch (esr & ESR_ELx_AET) {
		case ESR_ELx_AET_CE:
		case ESR_ELx_AET_UEO:
			pr_warn_ratelimited("vCPU %u: corrected or restartable SError, ESR_EL2 %#llx\n",
					    vcpu->id, esr);
			return HVK_RESUME_GUEST;
		case ESR_ELx_AET_UER:
		case ESR_ELx_AET_UEU:
			break;
		default:
			panic("hvk: uncontainable SError while a guest ran, ESR_EL2 %#llx\n",
			      esr);
		}
	}
	pr_warn_ratelimited("vCPU %u: SError while the guest ran (ESR_EL2 %#llx): made pending for the guest\n",
			    vcpu->id, esr);
	serror_inject(vcpu);
	return HVK_RESUME_GUEST;
}

/**
 * hvk_arm64_handle_sea() - a synchronous external abort from the guest
 * @vcpu: the vCPU
 * @ipa: the faulting IPA, for the log
 *
 * Return: HVK_RESUME_GUEST.
 */
int hvk_arm64_handle_sea(struct hvk_vcpu *vcpu, u64 ipa)
{
	pr_warn_ratelimited("vCPU %u: synchronous external abort at IPA %#llx (ESR_EL2 %#llx): SError for the guest\n",
			    vcpu->id, ipa, vcpu->arch.exit.esr);
	serror_inject(vcpu);
	return HVK_RESUME_GUEST;
}
