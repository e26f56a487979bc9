// SPDX-License-Identifier: GPL-2.0
/*
 * The host's perf state around the guest.
 *
 * Whatever the host's perf code has armed (counters in
 * IA32_PERF_GLOBAL_CTRL, PEBS in IA32_PEBS_ENABLE, ...) would otherwise
 * stay armed while the guest runs: host events would count guest work
 * they were not asked to, and a PEBS record would be written through the
 * guest's address translation. perf says itself what to switch:
 * perf_guest_get_msrs() gives, for this CPU, each MSR with the value the
 * host needs and the value it must have in the guest (a counter that
 * excludes the guest is off, PEBS is off). Those that differ go into the
 * VM-entry MSR-load area (guest values) and the VM-exit MSR-load area
 * (host values) of the VMCS (Vol. 3C 24.7.2 "VM-Exit Controls for
 * MSRs", 24.8.2 "VM-Entry Controls for MSRs"), refreshed before every
 * entry with interrupts off, as kvm_intel does with the same call.
 *
 * Both kernels hvk builds against (Debian's 6.1 and 6.12) export
 * perf_guest_get_msrs(int *nr, void *data); @data is KVM's PMU for
 * guest PEBS, which hvk does not offer: NULL, and perf then leaves PEBS
 * off in the guest.
 */
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <asm/perf_event.h>

#include "hvk.h"
#include "perf.h"
#include "vmcs.h"

/*
 * Each area gets half of the page; an entry is the kernel's struct
 * vmx_msr_entry (<asm/vmx.h>: index, reserved, value; 24.7.2).
 */
#define VMX_PERF_MAX_MSRS	(PAGE_SIZE / 2 / sizeof(struct vmx_msr_entry))

int vmx_perf_alloc(struct hvk_vcpu *vcpu)
{
	struct page *page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);

	if (!page)
		return -ENOMEM;
	vcpu->arch.msr_autoload = page_address(page);
	return 0;
}

void vmx_perf_free(struct hvk_vcpu *vcpu)
{
	free_page((unsigned long)vcpu->arch.msr_autoload);
	vcpu->arch.msr_autoload = NULL;
}

/* The area addresses of a new VMCS; the counts start at 0. */
void vmx_perf_setup(struct hvk_vcpu *vcpu)
{
	phys_addr_t pa = virt_to_phys(vcpu->arch.msr_autoload);

	vmcs_write64(VM_ENTRY_MSR_LOAD_ADDR, pa);
	vmcs_write64(VM_EXIT_MSR_LOAD_ADDR, pa + PAGE_SIZE / 2);
	vmcs_write32(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_LOAD_COUNT, 0);
	vcpu->arch.nr_autoload = 0;
}

/**
 * vmx_perf_switch() - the MSRs perf wants switched, for the next entry
 * @vcpu: the vCPU, its VMCS current; IRQs off, right before the entry
 */
void vmx_perf_switch(struct hvk_vcpu *vcpu)
{
	struct vmx_msr_entry *guest, *host;
	struct perf_guest_switch_msr *msrs;
	unsigned int n = 0;
	int i, nr = 0;

	msrs = perf_guest_get_msrs(&nr, NULL);
	/* No PMU driver, or nothing armed: nothing to do, the common case. */
	if (likely(!msrs || nr <= 0) && !vcpu->arch.nr_autoload)
		return;
	guest = vcpu->arch.msr_autoload;
	host = guest + VMX_PERF_MAX_MSRS;
	for (i = 0; msrs && i < nr && n < VMX_PERF_MAX_MSRS; i++) {
		if (msrs[i].host == msrs[i].guest)
			continue;
		guest[n] = (struct vmx_msr_entry) {
			.index = msrs[i].msr, .value = msrs[i].guest };
		host[n] = (struct vmx_msr_entry) {
			.index = msrs[i].msr, .value = msrs[i].host };
		n++;
	}
	if (n != vcpu->arch.nr_autoload) {
		vmcs_write32(VM_ENTRY_MSR_LOAD_COUNT, n);
		vmcs_write32(VM_EXIT_MSR_LOAD_COUNT, n);
		vcpu->arch.nr_autoload = n;
	}
}
