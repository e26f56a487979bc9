// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID: what hvk can virtualize (KVM_GET_SUPPORTED_CPUID), the table
 * the VMM gives each vCPU (KVM_SET_CPUID2), and the guest's CPUID, which
 * always exits (25.1.2 "Instructions That Cause VM Exits
 * Unconditionally") and is answered from that table.
 *
 * The supported set is the host's, masked to features that work in a
 * guest as hvk runs it: no VMX (no nesting), no XSAVE/AVX (XCR0 is not
 * switched), no PCID/INVPCID/RDTSCP (the VMCS does not enable them), no
 * local APIC, x2APIC, MTRRs or performance counters (not emulated).
 */
#include <linux/kvm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/msr-index.h>
#include <asm/processor.h>

#include "apic.h"
#include "run.h"
#include "vmcs.h"

/* Most entries a table may have, as KVM's KVM_MAX_CPUID_ENTRIES. */
#define VMX_MAX_CPUID_ENTRIES	256

/* CPUID.1:ECX and EDX bits a guest may see (Vol. 2A, CPUID, Table 3-10/11). */
#define CPUID1_ECX_OK	(BIT(0) | BIT(1) | BIT(9) | BIT(13) | BIT(19) | \
			 BIT(20) | BIT(22) | BIT(23) | BIT(25) | BIT(30) | \
			 CPUID1_ECX_EMULATED)
/*
 * x2APIC is offered whatever the host has, as KVM does (the in-kernel
 * LAPIC's). The TSC-deadline timer works too but, as in KVM, is not in
 * the supported table: a VMM that sees KVM_CAP_TSC_DEADLINE_TIMER sets
 * CPUID.1:ECX[24] itself.
 */
#define CPUID1_ECX_EMULATED	BIT(21)
#define CPUID1_ECX_HYPERVISOR	BIT(31)
#define CPUID1_ECX_OSXSAVE	BIT(27)
#define CPUID1_EDX_APIC		BIT(9)
#define CPUID1_EDX_OK	(BIT(0) | BIT(1) | BIT(2) | BIT(3) | BIT(4) | \
			 BIT(5) | BIT(6) | BIT(8) | BIT(11) | BIT(13) | \
			 BIT(15) | BIT(16) | BIT(17) | BIT(19) | BIT(23) | \
			 BIT(24) | BIT(25) | BIT(26))
/* CPUID.7.0:EBX: FSGSBASE BMI1 SMEP BMI2 ERMS RDSEED ADX SMAP CLFLUSHOPT */
#define CPUID7_EBX_OK	(BIT(0) | BIT(3) | BIT(7) | BIT(8) | BIT(9) | \
			 BIT(18) | BIT(19) | BIT(20) | BIT(23))
/* CPUID.80000001H:ECX LAHF LZCNT PREFETCHW; EDX SYSCALL NX 1G-pages LM */
#define CPUID81_ECX_OK	(BIT(0) | BIT(5) | BIT(8))
#define CPUID81_EDX_OK	(BIT(11) | BIT(20) | BIT(26) | BIT(29))

static void vmx_cpuid_entry(struct kvm_cpuid_entry2 *e, u32 fn, u32 idx)
{
	memset(e, 0, sizeof(*e));
	e->function = fn;
	e->index = idx;
	cpuid_count(fn, idx, &e->eax, &e->ebx, &e->ecx, &e->edx);
}

/* Fill @out (room for VMX_MAX_CPUID_ENTRIES); return the count. */
static int vmx_supported_cpuid(struct kvm_cpuid_entry2 *out)
{
	u32 max_basic = min_t(u32, cpuid_eax(0), 7);
	u32 max_ext = min_t(u32, cpuid_eax(0x80000000), 0x80000008);
	struct kvm_cpuid_entry2 *e = out;
	u32 fn;

	vmx_cpuid_entry(e, 0, 0);
	e->eax = max_basic;
	e++;

	vmx_cpuid_entry(e, 1, 0);
	e->ecx = (e->ecx & CPUID1_ECX_OK) | CPUID1_ECX_HYPERVISOR |
		 CPUID1_ECX_EMULATED;
	e->edx &= CPUID1_EDX_OK;
	e->ebx &= 0x0000ffff;	/* APIC id and logical count: the VMM's */
	e++;

	if (max_basic >= 7) {
		vmx_cpuid_entry(e, 7, 0);
		e->flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
		e->eax = 0;
		e->ebx &= CPUID7_EBX_OK;
		e->ecx = 0;
		e->edx = 0;
		e++;
	}

	vmx_cpuid_entry(e, 0x80000000, 0);
	e->eax = max_ext;
	e++;
	for (fn = 0x80000001; fn <= max_ext; fn++) {
		vmx_cpuid_entry(e, fn, 0);
		switch (fn) {
		case 0x80000001:
			e->ecx &= CPUID81_ECX_OK;
			e->edx &= CPUID81_EDX_OK;
			break;
		case 0x80000002 ... 0x80000004:	/* brand string */
			break;
		case 0x80000008:		/* address sizes */
			e->eax &= 0xffff;
			e->ebx = 0;
			e->ecx = 0;
			break;
		default:
			continue;	/* not offered: overwrite */
		}
		e++;
	}
	return e - out;
}

long vmx_get_supported_cpuid(void __user *argp)
{
	struct kvm_cpuid2 __user *ucpuid = argp;
	struct kvm_cpuid_entry2 *entries;
	struct kvm_cpuid2 cpuid;
	long r;
	int n;

	if (copy_from_user(&cpuid, ucpuid, sizeof(cpuid)))
		return -EFAULT;
	if (cpuid.nent < 1)
		return -E2BIG;
	entries = kcalloc(VMX_MAX_CPUID_ENTRIES, sizeof(*entries),
			  GFP_KERNEL_ACCOUNT);
	if (!entries)
		return -ENOMEM;
	n = vmx_supported_cpuid(entries);
	r = -E2BIG;
	if (cpuid.nent < n)
		goto out;
	r = -EFAULT;
	if (copy_to_user(ucpuid->entries, entries, n * sizeof(*entries)) ||
	    put_user(n, &ucpuid->nent))
		goto out;
	r = 0;
out:
	kfree(entries);
	return r;
}

long vmx_set_cpuid2(struct hvk_vcpu *vcpu, void __user *argp)
{
	struct kvm_cpuid2 __user *ucpuid = argp;
	struct kvm_cpuid_entry2 *entries = NULL;
	struct kvm_cpuid2 cpuid;

	if (copy_from_user(&cpuid, ucpuid, sizeof(cpuid)))
		return -EFAULT;
	if (cpuid.nent > VMX_MAX_CPUID_ENTRIES)
		return -E2BIG;
	if (cpuid.nent) {
		entries = memdup_user(ucpuid->entries,
				      array_size(cpuid.nent, sizeof(*entries)));
		if (IS_ERR(entries))
			return PTR_ERR(entries);
	}
	/*
	 * Once the guest has run it may have acted on what it saw: KVM 6.1
	 * then takes only the table it already has.
	 */
	if (vcpu->arch.ran) {
		bool same = cpuid.nent == vcpu->arch.cpuid_nent &&
			    (!cpuid.nent ||
			     !memcmp(entries, vcpu->arch.cpuid,
				     cpuid.nent * sizeof(*entries)));

		kfree(entries);
		return same ? 0 : -EINVAL;
	}
	kfree(vcpu->arch.cpuid);
	vcpu->arch.cpuid = entries;
	vcpu->arch.cpuid_nent = cpuid.nent;
	vmx_apic_cpuid_changed(vcpu);
	return 0;
}

long vmx_get_cpuid2(struct hvk_vcpu *vcpu, void __user *argp)
{
	struct kvm_cpuid2 __user *ucpuid = argp;
	struct kvm_cpuid2 cpuid;
	u32 n = vcpu->arch.cpuid_nent;

	if (copy_from_user(&cpuid, ucpuid, sizeof(cpuid)))
		return -EFAULT;
	if (cpuid.nent < n)
		return -E2BIG;
	if (copy_to_user(ucpuid->entries, vcpu->arch.cpuid,
			 n * sizeof(*vcpu->arch.cpuid)) ||
	    put_user(n, &ucpuid->nent))
		return -EFAULT;
	return 0;
}

/* The guest's CPUID: from the vCPU's table; a leaf not in it reads 0. */
int vmx_handle_cpuid(struct hvk_vcpu *vcpu)
{
	u64 *gpr = vcpu->arch.regs.gpr;
	u32 fn = gpr[VMX_RAX], idx = gpr[VMX_RCX], i;
	const struct kvm_cpuid_entry2 *e, *found = NULL;

	for (i = 0; i < vcpu->arch.cpuid_nent; i++) {
		e = &vcpu->arch.cpuid[i];
		if (e->function == fn &&
		    (!(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) ||
		     e->index == idx)) {
			found = e;
			break;
		}
	}
	gpr[VMX_RAX] = found ? found->eax : 0;
	gpr[VMX_RBX] = found ? found->ebx : 0;
	gpr[VMX_RCX] = found ? found->ecx : 0;
	gpr[VMX_RDX] = found ? found->edx : 0;
	if (found && fn == 1) {
		/*
		 * Two leaf 1 bits are live state rather than features, as
		 * on hardware and in KVM: OSXSAVE mirrors CR4.OSXSAVE, APIC
		 * the enable bit of IA32_APIC_BASE.
		 */
		gpr[VMX_RCX] &= ~(u64)CPUID1_ECX_OSXSAVE;
		if (vmcs_readl(CR4_READ_SHADOW) & X86_CR4_OSXSAVE)
			gpr[VMX_RCX] |= CPUID1_ECX_OSXSAVE;
		gpr[VMX_RDX] &= ~(u64)CPUID1_EDX_APIC;
		if (vcpu->arch.apic_base & MSR_IA32_APICBASE_ENABLE)
			gpr[VMX_RDX] |= CPUID1_EDX_APIC;
	}
	vmx_skip_instruction(vcpu);
	return HVK_RESUME_GUEST;
}
