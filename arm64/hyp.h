/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What arm64/hyp.c learned about EL2 and stage-2 at load time.
 */
#ifndef HVK_ARM64_HYP_H
#define HVK_ARM64_HYP_H

#include <linux/types.h>

/* Default IPA size of a VM whose KVM_CREATE_VM type gives none (KVM's). */
#define HVK_DEFAULT_IPA_BITS	40
/* Smallest IPA size a VM may ask for (a 32-bit PARange, as KVM). */
#define HVK_MIN_IPA_BITS	32

struct hvk_hyp_caps {
	u32 pa_bits;		/* ID_AA64MMFR0_EL1.PARange, all CPUs */
	u32 ipa_limit;		/* largest VM IPA size we can translate */
	u32 vmid_bits;		/* ID_AA64MMFR1_EL1.VMIDBits: 8 or 16 */
	bool fwb;		/* FEAT_S2FWB on all CPUs: HCR_EL2.FWB used */
	bool ras;		/* FEAT_RAS: TERR, TEA; SError syndromes */
};

extern struct hvk_hyp_caps hvk_hyp;

#endif /* HVK_ARM64_HYP_H */
