// SPDX-License-Identifier: GPL-2.0
/*
 * Model-specific registers: the ones hvk virtualizes, for guest RDMSR and
 * WRMSR (which always exit: there is no MSR bitmap) and for
 * KVM_GET/SET_MSRS. Any other index is #GP for the guest and a stop for
 * KVM_GET/SET_MSRS, as KVM does with ignore_msrs off.
 *
 * Where each value lives:
 *   - the VMCS: EFER, FS/GS base, SYSENTER_CS/ESP/EIP (loaded and saved
 *     by the CPU on entry and exit, 24.4.1 "Guest Register State");
 *   - the CPU itself while the vCPU thread runs KVM_RUN: the SYSCALL
 *     MSRs and KERNEL_GS_BASE, which SWAPGS and SYSCALL use directly in
 *     the guest and the VMCS does not switch; run.c's preempt notifier
 *     swaps them with the host's;
 *   - software only: PAT (EPT leaves ignore the guest PAT, so its value
 *     has no effect yet), MISC_ENABLE, APIC_BASE, TSC as an offset.
 */
#include <linux/kvm.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/segment.h>
#include <asm/vmx.h>

#include "apic.h"
#include "run.h"
#include "vmcs.h"

static const u32 vmx_swapped_msr_index[VMX_NR_SWAPPED_MSRS] = {
	[VMX_MSR_STAR]		 = MSR_STAR,
	[VMX_MSR_LSTAR]		 = MSR_LSTAR,
	[VMX_MSR_CSTAR]		 = MSR_CSTAR,
	[VMX_MSR_SFMASK]	 = MSR_SYSCALL_MASK,
	[VMX_MSR_KERNEL_GS_BASE] = MSR_KERNEL_GS_BASE,
};

const u32 vmx_msr_index_list[] = {
	MSR_EFER, MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK,
	MSR_KERNEL_GS_BASE, MSR_FS_BASE, MSR_GS_BASE, MSR_IA32_SYSENTER_CS,
	MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP, MSR_IA32_CR_PAT,
	MSR_IA32_TSC, MSR_IA32_MISC_ENABLE, MSR_IA32_APICBASE,
	MSR_IA32_UCODE_REV,
};
const unsigned int vmx_msr_index_count = ARRAY_SIZE(vmx_msr_index_list);

/* 48-bit linear addresses: bits 63:47 all equal (Vol. 1 3.3.7.1). */
static bool vmx_canonical(u64 addr)
{
	return (u64)((s64)(addr << 16) >> 16) == addr;
}

void vmx_load_guest_msrs(struct hvk_vcpu *vcpu)
{
	struct hvk_arch_vcpu *a = &vcpu->arch;
	int i;

	/*
	 * A VM exit loads null DS/ES/FS/GS selectors and an unusable LDTR
	 * (27.5.2 "Loading Host Segment and Descriptor-Table Registers"):
	 * note the task's, to put them back before it leaves the kernel.
	 */
	store_ldt(a->host_ldt);
	savesegment(ds, a->host_ds);
	savesegment(es, a->host_es);
	savesegment(fs, a->host_fs);
	savesegment(gs, a->host_gs);
	rdmsrl(MSR_FS_BASE, a->host_fs_base);
	/* Per task (perf LBR/BTF), so read here, not at every entry. */
	rdmsrl(MSR_IA32_DEBUGCTLMSR, a->host_debugctl);

	for (i = 0; i < VMX_NR_SWAPPED_MSRS; i++) {
		rdmsrl(vmx_swapped_msr_index[i], a->host_msrs[i]);
		if (a->guest_msrs[i] != a->host_msrs[i])
			wrmsrl(vmx_swapped_msr_index[i], a->guest_msrs[i]);
	}
}

/*
 * Before the thread leaves the CPU or returns to userspace: the host's
 * MSRs, and the GDT and TSS limits that a VM exit cuts to 0xffff and
 * 0x67 (27.5.2 "Loading Host Segment and Descriptor-Table Registers").
 */
void vmx_load_host_msrs(struct hvk_vcpu *vcpu)
{
	struct hvk_arch_vcpu *a = &vcpu->arch;
	int i;

	/* Selectors first: loading GS swaps in a base the MSRs then fix. */
	if (a->host_ldt)
		asm volatile("lldt %0" : : "rm" (a->host_ldt));
	loadsegment(ds, a->host_ds);
	loadsegment(es, a->host_es);
	if (a->host_fs) {
		loadsegment(fs, a->host_fs);
		wrmsrl(MSR_FS_BASE, a->host_fs_base);
	}
	for (i = 0; i < VMX_NR_SWAPPED_MSRS; i++)
		rdmsrl(vmx_swapped_msr_index[i], a->guest_msrs[i]);
	if (a->host_gs)
		load_gs_index(a->host_gs);
	for (i = 0; i < VMX_NR_SWAPPED_MSRS; i++)
		wrmsrl(vmx_swapped_msr_index[i], a->host_msrs[i]);
	load_fixmap_gdt(smp_processor_id());
	invalidate_tss_limit();
}

static int vmx_swapped_slot(u32 index)
{
	int i;

	for (i = 0; i < VMX_NR_SWAPPED_MSRS; i++)
		if (vmx_swapped_msr_index[i] == index)
			return i;
	return -1;
}

/**
 * vmx_get_msr() - read a virtualized MSR
 * @vcpu: the vCPU, its VMCS current
 * @index: the MSR
 * @data: its value
 *
 * Return: 0, or -ENOENT for an MSR hvk does not virtualize.
 */
int vmx_get_msr(struct hvk_vcpu *vcpu, u32 index, u64 *data)
{
	struct hvk_arch_vcpu *a = &vcpu->arch;
	int slot = vmx_swapped_slot(index);

	if (slot >= 0) {
		preempt_disable();
		if (a->in_run)
			rdmsrl(index, a->guest_msrs[slot]);
		*data = a->guest_msrs[slot];
		preempt_enable();
		return 0;
	}
	switch (index) {
	case MSR_EFER:
		*data = vmcs_read64(GUEST_IA32_EFER);
		break;
	case MSR_FS_BASE:
		*data = vmcs_readl(GUEST_FS_BASE);
		break;
	case MSR_GS_BASE:
		*data = vmcs_readl(GUEST_GS_BASE);
		break;
	case MSR_IA32_SYSENTER_CS:
		*data = vmcs_read32(GUEST_SYSENTER_CS);
		break;
	case MSR_IA32_SYSENTER_ESP:
		*data = vmcs_readl(GUEST_SYSENTER_ESP);
		break;
	case MSR_IA32_SYSENTER_EIP:
		*data = vmcs_readl(GUEST_SYSENTER_EIP);
		break;
	case MSR_IA32_CR_PAT:
		*data = a->pat;
		break;
	case MSR_IA32_TSC:
		*data = rdtsc() + a->tsc_offset;
		break;
	case MSR_IA32_MISC_ENABLE:
		*data = a->misc_enable;
		break;
	case MSR_IA32_UCODE_REV:
		*data = 0x100000000ULL;
		break;
	default:
		return vmx_apic_get_msr(vcpu, index, data);
	}
	return 0;
}

static bool vmx_pat_valid(u64 pat)
{
	int i;

	/* 11.12.2: types 2 and 3 are reserved, and nothing above 7. */
	for (i = 0; i < 8; i++) {
		u8 t = pat >> (8 * i);

		if (t > 7 || t == 2 || t == 3)
			return false;
	}
	return true;
}

/**
 * vmx_set_msr() - write a virtualized MSR
 * @vcpu: the vCPU, its VMCS current
 * @index: the MSR
 * @data: the value
 * @host: from KVM_SET_MSRS rather than a guest WRMSR
 *
 * Return: 0, -ENOENT for an MSR hvk does not virtualize, -EINVAL for a
 * value the CPU would refuse with #GP.
 */
int vmx_set_msr(struct hvk_vcpu *vcpu, u32 index, u64 data, bool host)
{
	struct hvk_arch_vcpu *a = &vcpu->arch;
	int slot = vmx_swapped_slot(index);

	if (slot >= 0) {
		if (index != MSR_STAR && index != MSR_SYSCALL_MASK &&
		    !vmx_canonical(data))
			return -EINVAL;
		if (index == MSR_SYSCALL_MASK && data >> 32)
			return -EINVAL;
		preempt_disable();
		a->guest_msrs[slot] = data;
		if (a->in_run)
			wrmsrl(index, data);
		preempt_enable();
		return 0;
	}
	switch (index) {
	case MSR_EFER:
		return vmx_set_efer(vcpu, data, host);
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
		if (!vmx_canonical(data))
			return -EINVAL;
		if (index == MSR_FS_BASE)
			vmcs_writel(GUEST_FS_BASE, data);
		else if (index == MSR_GS_BASE)
			vmcs_writel(GUEST_GS_BASE, data);
		else if (index == MSR_IA32_SYSENTER_ESP)
			vmcs_writel(GUEST_SYSENTER_ESP, data);
		else
			vmcs_writel(GUEST_SYSENTER_EIP, data);
		return 0;
	case MSR_IA32_SYSENTER_CS:
		vmcs_write32(GUEST_SYSENTER_CS, data);
		return 0;
	case MSR_IA32_CR_PAT:
		if (!vmx_pat_valid(data))
			return -EINVAL;
		a->pat = data;
		return 0;
	case MSR_IA32_TSC:
		a->tsc_offset = data - rdtsc();
		vmcs_write64(TSC_OFFSET, a->tsc_offset);
		return 0;
	case MSR_IA32_MISC_ENABLE:
		a->misc_enable = data;
		return 0;
	case MSR_IA32_UCODE_REV:
		/* Writes load a microcode update: nothing to load here. */
		return 0;
	default:
		/* IA32_APIC_BASE, the x2APIC MSRs, IA32_TSC_DEADLINE */
		return vmx_apic_set_msr(vcpu, index, data, host);
	}
}

int vmx_handle_rdmsr(struct hvk_vcpu *vcpu)
{
	u64 *gpr = vcpu->arch.regs.gpr, data;

	if (vmx_get_msr(vcpu, (u32)gpr[VMX_RCX], &data)) {
		vmx_inject_exception(vcpu, GP_VECTOR, true, 0);
		return HVK_RESUME_GUEST;
	}
	gpr[VMX_RAX] = (u32)data;
	gpr[VMX_RDX] = data >> 32;
	vmx_skip_instruction(vcpu);
	return HVK_RESUME_GUEST;
}

int vmx_handle_wrmsr(struct hvk_vcpu *vcpu)
{
	u64 *gpr = vcpu->arch.regs.gpr;
	u64 data = (u32)gpr[VMX_RAX] | ((u64)(u32)gpr[VMX_RDX] << 32);

	if (vmx_set_msr(vcpu, (u32)gpr[VMX_RCX], data, false)) {
		vmx_inject_exception(vcpu, GP_VECTOR, true, 0);
		return HVK_RESUME_GUEST;
	}
	vmx_skip_instruction(vcpu);
	return HVK_RESUME_GUEST;
}
