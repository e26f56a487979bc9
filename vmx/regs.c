// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU state ioctls on x86: KVM_GET/SET_REGS, _SREGS, _FPU, _MSRS,
 * _CPUID2 and _MP_STATE, with KVM's structures and KVM's checks.
 *
 * Guest state lives in the VMCS, which must be current on this CPU to be
 * read or written: each ioctl copies from userspace first, then touches
 * the VMCS with preemption off (vmx_vcpu_get()/vmx_vcpu_release()), then
 * copies back.
 */
#include <linux/kvm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>
#include <asm/fpu/xcr.h>

#include "apic.h"
#include "run.h"
#include "vmcs.h"
#include "vmx.h"

/* As KVM's MAX_IO_MSRS: entries per KVM_GET/SET_MSRS call. */
#define VMX_MAX_IO_MSRS		256

/* Make the VMCS current here; -EIO if this CPU has no VMX any more. */
int vmx_vcpu_get(struct hvk_vcpu *vcpu)
{
	preempt_disable();
	if (!vmx_cpu_is_on()) {
		preempt_enable();
		return -EIO;
	}
	if (vmx_vcpu_load(vcpu, smp_processor_id())) {
		preempt_enable();
		return -EIO;
	}
	return 0;
}

void vmx_vcpu_release(struct hvk_vcpu *vcpu)
{
	preempt_enable();
}

static void vmx_get_regs(struct hvk_vcpu *vcpu, struct kvm_regs *r)
{
	const u64 *g = vcpu->arch.regs.gpr;

	*r = (struct kvm_regs) {
		.rax = g[VMX_RAX], .rbx = g[VMX_RBX], .rcx = g[VMX_RCX],
		.rdx = g[VMX_RDX], .rsi = g[VMX_RSI], .rdi = g[VMX_RDI],
		.rbp = g[VMX_RBP], .r8 = g[VMX_R8], .r9 = g[VMX_R9],
		.r10 = g[VMX_R10], .r11 = g[VMX_R11], .r12 = g[VMX_R12],
		.r13 = g[VMX_R13], .r14 = g[VMX_R14], .r15 = g[VMX_R15],
	};
	r->rsp = vmcs_readl(GUEST_RSP);
	r->rip = vmcs_readl(GUEST_RIP);
	r->rflags = vmcs_readl(GUEST_RFLAGS);
}

static void vmx_set_regs(struct hvk_vcpu *vcpu, const struct kvm_regs *r)
{
	u64 *g = vcpu->arch.regs.gpr;

	g[VMX_RAX] = r->rax; g[VMX_RBX] = r->rbx; g[VMX_RCX] = r->rcx;
	g[VMX_RDX] = r->rdx; g[VMX_RSI] = r->rsi; g[VMX_RDI] = r->rdi;
	g[VMX_RBP] = r->rbp; g[VMX_R8] = r->r8; g[VMX_R9] = r->r9;
	g[VMX_R10] = r->r10; g[VMX_R11] = r->r11; g[VMX_R12] = r->r12;
	g[VMX_R13] = r->r13; g[VMX_R14] = r->r14; g[VMX_R15] = r->r15;
	vmcs_writel(GUEST_RSP, r->rsp);
	vmcs_writel(GUEST_RIP, r->rip);
	/* Bit 1 always reads 1; KVM forces it too. */
	vmcs_writel(GUEST_RFLAGS, r->rflags | X86_EFLAGS_FIXED);
}

/* Segments as in 24.4.1 "Guest Register State", order ES CS SS DS FS GS LDTR TR. */
enum { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR };

static void vmx_get_segment(int i, struct kvm_segment *s)
{
	u32 ar = __vmcs_read(GUEST_ES_AR_BYTES + 2 * i);

	s->base = __vmcs_read(GUEST_ES_BASE + 2 * i);
	s->limit = __vmcs_read(GUEST_ES_LIMIT + 2 * i);
	s->selector = __vmcs_read(GUEST_ES_SELECTOR + 2 * i);
	s->unusable = !!(ar & VMX_AR_UNUSABLE_MASK);
	s->type = ar & VMX_AR_TYPE_MASK;
	s->s = !!(ar & VMX_AR_S_MASK);
	s->dpl = VMX_AR_DPL(ar);
	s->present = !s->unusable;
	s->avl = (ar >> 12) & 1;
	s->l = !!(ar & VMX_AR_L_MASK);
	s->db = !!(ar & VMX_AR_DB_MASK);
	s->g = !!(ar & VMX_AR_G_MASK);
	s->padding = 0;
}

static void vmx_set_segment(int i, const struct kvm_segment *s)
{
	u32 ar;

	if (s->unusable || !s->present) {
		ar = VMX_AR_UNUSABLE_MASK;
	} else {
		u32 type = s->type;

		/*
		 * VM entry wants the accessed bit in every usable code and
		 * data segment (26.3.1.2); the CPU would set it on the
		 * first load anyway, and KVM sets it too.
		 */
		if (i != SEG_LDTR && i != SEG_TR)
			type |= VMX_AR_TYPE_ACCESSES_MASK;
		ar = (type & 15) | (s->s << 4) | ((s->dpl & 3) << 5) |
		     (s->present << 7) | (s->avl << 12) | (s->l << 13) |
		     (s->db << 14) | (s->g << 15);
	}
	__vmcs_write(GUEST_ES_BASE + 2 * i, s->base);
	__vmcs_write(GUEST_ES_LIMIT + 2 * i, s->limit);
	__vmcs_write(GUEST_ES_SELECTOR + 2 * i, s->selector);
	__vmcs_write(GUEST_ES_AR_BYTES + 2 * i, ar);
}

static void vmx_get_sregs(struct hvk_vcpu *vcpu, struct kvm_sregs *s)
{
	memset(s, 0, sizeof(*s));
	vmx_get_segment(SEG_CS, &s->cs);
	vmx_get_segment(SEG_DS, &s->ds);
	vmx_get_segment(SEG_ES, &s->es);
	vmx_get_segment(SEG_FS, &s->fs);
	vmx_get_segment(SEG_GS, &s->gs);
	vmx_get_segment(SEG_SS, &s->ss);
	vmx_get_segment(SEG_TR, &s->tr);
	vmx_get_segment(SEG_LDTR, &s->ldt);
	s->gdt.base = vmcs_readl(GUEST_GDTR_BASE);
	s->gdt.limit = vmcs_read32(GUEST_GDTR_LIMIT);
	s->idt.base = vmcs_readl(GUEST_IDTR_BASE);
	s->idt.limit = vmcs_read32(GUEST_IDTR_LIMIT);
	/*
	 * The guest's view (24.6.6 "Guest/Host Masks and Read Shadows"):
	 * the bits it owns as it last set them, without an exit, in the
	 * register; the bits hvk owns from the read shadow.
	 */
	s->cr0 = (vmcs_readl(GUEST_CR0) & ~VMX_CR0_HOST_OWNED) |
		 (vmcs_readl(CR0_READ_SHADOW) & VMX_CR0_HOST_OWNED);
	s->cr2 = vcpu->arch.regs.cr2;
	s->cr3 = vmcs_readl(GUEST_CR3);
	s->cr4 = (vmcs_readl(GUEST_CR4) & VMX_CR4_GUEST_OWNED) |
		 (vmcs_readl(CR4_READ_SHADOW) & ~VMX_CR4_GUEST_OWNED);
	s->cr8 = vmx_get_cr8(vcpu);
	s->efer = vmcs_read64(GUEST_IA32_EFER);
	s->apic_base = vcpu->arch.apic_base;
}

/*
 * What KVM refuses in KVM_SET_SREGS (kvm_is_valid_sregs() and the CR
 * checks): 64-bit mode needs CR4.PAE and EFER.LMA, and outside it
 * neither EFER.LMA nor a 64-bit CS; CR0 and CR4 as MOV would take them;
 * CR3 within MAXPHYADDR in long mode.
 */
static int vmx_check_sregs(const struct kvm_sregs *s)
{
	if ((s->efer & EFER_LME) && (s->cr0 & X86_CR0_PG)) {
		if (!(s->cr4 & X86_CR4_PAE) || !(s->efer & EFER_LMA))
			return -EINVAL;
		if (s->cr3 >> boot_cpu_data.x86_phys_bits)
			return -EINVAL;
	} else if ((s->efer & EFER_LMA) || s->cs.l) {
		return -EINVAL;
	}
	if (s->cr0 >> 32 ||
	    ((s->cr0 & X86_CR0_PG) && !(s->cr0 & X86_CR0_PE)) ||
	    ((s->cr0 & X86_CR0_NW) && !(s->cr0 & X86_CR0_CD)))
		return -EINVAL;
	if (s->efer & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX))
		return -EINVAL;
	if (s->cr8 > 15)
		return -EINVAL;
	/*
	 * IA32_APIC_BASE as KVM checks it: no reserved bits (11:0 but BSP
	 * and enable, above MAXPHYADDR) and no x2APIC mode, which hvk's CPUID
	 * does not offer.
	 */
	if (s->apic_base & ~(MSR_IA32_APICBASE_BASE & PHYSICAL_PAGE_MASK &
			     ((1ULL << boot_cpu_data.x86_phys_bits) - 1)) &
	    ~(u64)(MSR_IA32_APICBASE_BSP | MSR_IA32_APICBASE_ENABLE |
		   X2APIC_ENABLE))
		return -EINVAL;
	return 0;
}

static int vmx_set_sregs(struct hvk_vcpu *vcpu, const struct kvm_sregs *s)
{
	int r;

	r = vmx_check_sregs(s);
	if (r)
		return r;
	if (!vmx_cr4_valid(s->cr4))
		return -EINVAL;
	r = vmx_set_efer(vcpu, s->efer, true);
	if (r)
		return r;
	vmcs_writel(CR4_READ_SHADOW, s->cr4);
	vmcs_writel(GUEST_CR4, vmx_cr4_guest_value(s->cr4));
	vmcs_writel(CR0_READ_SHADOW, s->cr0 | X86_CR0_ET);
	vmcs_writel(GUEST_CR0, vmx_cr0_guest_value((s->cr0 | X86_CR0_ET) &
					 ~(X86_CR0_CD | X86_CR0_NW)));
	vmcs_writel(GUEST_CR3, s->cr3);
	vcpu->arch.regs.cr2 = s->cr2;
	vmx_set_cr8(vcpu, s->cr8);
	if (vcpu->irqchip && vcpu->arch.apic_base != s->apic_base &&
	    vmx_apic_set_msr(vcpu, MSR_IA32_APICBASE, s->apic_base, true))
		return -EINVAL;
	vcpu->arch.apic_base = s->apic_base;

	vmx_set_segment(SEG_CS, &s->cs);
	vmx_set_segment(SEG_DS, &s->ds);
	vmx_set_segment(SEG_ES, &s->es);
	vmx_set_segment(SEG_FS, &s->fs);
	vmx_set_segment(SEG_GS, &s->gs);
	vmx_set_segment(SEG_SS, &s->ss);
	vmx_set_segment(SEG_TR, &s->tr);
	vmx_set_segment(SEG_LDTR, &s->ldt);
	vmcs_writel(GUEST_GDTR_BASE, s->gdt.base);
	vmcs_write32(GUEST_GDTR_LIMIT, s->gdt.limit);
	vmcs_writel(GUEST_IDTR_BASE, s->idt.base);
	vmcs_write32(GUEST_IDTR_LIMIT, s->idt.limit);
	/* PAE paging set up from outside: its PDPTEs, as KVM loads them. */
	return vmx_load_pdptrs(vcpu) ? -EINVAL : 0;
}

/* The host's XCR0, which the guest FPU buffer is laid out for. */
static u64 vmx_host_xcr0(void)
{
	if (boot_cpu_has(X86_FEATURE_OSXSAVE))
		return xgetbv(XCR_XFEATURE_ENABLED_MASK);
	return XFEATURE_MASK_FPSSE;
}

/*
 * KVM_GET/SET_FPU speak the legacy FXSAVE image (Vol. 1 10.5.1
 * "FXSAVE Area"), which is the first 512 bytes of the XSAVE buffer the
 * kernel keeps for the guest.
 */
static long vmx_fpu_ioctl(struct hvk_vcpu *vcpu, bool set, void __user *argp)
{
	unsigned int size = vcpu->arch.fpu.uabi_size;
	struct fxregs_state *fx;
	struct kvm_fpu f;
	void *buf;
	u32 pkru = 0;
	long r = 0;

	if (set && copy_from_user(&f, argp, sizeof(f)))
		return -EFAULT;
	buf = kzalloc(max_t(unsigned int, size, 4096), GFP_KERNEL_ACCOUNT);
	if (!buf)
		return -ENOMEM;
	fx = buf;
	fpu_copy_guest_fpstate_to_uabi(&vcpu->arch.fpu, buf, size,
				       vmx_host_xcr0(), 0);
	if (!set) {
		memset(&f, 0, sizeof(f));
		memcpy(f.fpr, fx->st_space, sizeof(f.fpr));
		f.fcw = fx->cwd;
		f.fsw = fx->swd;
		f.ftwx = fx->twd;
		f.last_opcode = fx->fop;
		f.last_ip = fx->rip;
		f.last_dp = fx->rdp;
		memcpy(f.xmm, fx->xmm_space, sizeof(f.xmm));
		f.mxcsr = fx->mxcsr;
		if (copy_to_user(argp, &f, sizeof(f)))
			r = -EFAULT;
		goto out;
	}
	memcpy(fx->st_space, f.fpr, sizeof(f.fpr));
	fx->cwd = f.fcw;
	fx->swd = f.fsw;
	fx->twd = f.ftwx;
	fx->fop = f.last_opcode;
	fx->rip = f.last_ip;
	fx->rdp = f.last_dp;
	memcpy(fx->xmm_space, f.xmm, sizeof(f.xmm));
	fx->mxcsr = f.mxcsr;
	/* The x87 and SSE state are now what userspace gave. */
	if (size > sizeof(*fx))
		((struct xregs_state *)buf)->header.xfeatures |=
			XFEATURE_MASK_FPSSE;
	r = fpu_copy_uabi_to_guest_fpstate(&vcpu->arch.fpu, buf,
					   vmx_host_xcr0(), &pkru);
out:
	kfree(buf);
	return r;
}

/* KVM_GET/SET_MSRS: stop at the first MSR that fails; return the count. */
static long vmx_msrs_ioctl(struct hvk_vcpu *vcpu, bool set,
			   void __user *argp)
{
	struct kvm_msrs __user *umsrs = argp;
	struct kvm_msr_entry *e;
	struct kvm_msrs msrs;
	u32 i, n;
	long r;

	if (copy_from_user(&msrs, umsrs, sizeof(msrs)))
		return -EFAULT;
	if (msrs.nmsrs >= VMX_MAX_IO_MSRS)
		return -E2BIG;
	e = memdup_user(umsrs->entries, array_size(msrs.nmsrs, sizeof(*e)));
	if (IS_ERR(e))
		return PTR_ERR(e);

	r = vmx_vcpu_get(vcpu);
	if (r) {
		kfree(e);
		return r;
	}
	for (n = 0; n < msrs.nmsrs; n++) {
		if (set ? vmx_set_msr(vcpu, e[n].index, e[n].data, true) :
			  vmx_get_msr(vcpu, e[n].index, &e[n].data))
			break;
	}
	vmx_vcpu_release(vcpu);

	r = n;
	if (!set) {
		for (i = 0; i < n; i++)
			if (put_user(e[i].data, &umsrs->entries[i].data)) {
				r = -EFAULT;
				break;
			}
	}
	kfree(e);
	return r;
}

/**
 * vmx_vcpu_regs_ioctl() - the vCPU state ioctls
 * @vcpu: the vCPU, its mutex held
 * @ioctl: the ioctl
 * @argp: its argument
 *
 * Return: the result, or -EINVAL for an ioctl that is not one of these
 * (KVM's answer to an unknown vCPU ioctl on x86).
 */
long vmx_vcpu_regs_ioctl(struct hvk_vcpu *vcpu, unsigned int ioctl,
			 void __user *argp)
{
	union {
		struct kvm_regs regs;
		struct kvm_sregs sregs;
	} u;
	long r = 0;

	switch (ioctl) {
	case KVM_GET_REGS:
		if (vmx_vcpu_get(vcpu))
			return -EIO;
		vmx_get_regs(vcpu, &u.regs);
		vmx_vcpu_release(vcpu);
		return copy_to_user(argp, &u.regs, sizeof(u.regs)) ?
		       -EFAULT : 0;
	case KVM_SET_REGS:
		if (copy_from_user(&u.regs, argp, sizeof(u.regs)))
			return -EFAULT;
		if (vmx_vcpu_get(vcpu))
			return -EIO;
		vmx_set_regs(vcpu, &u.regs);
		vmx_vcpu_release(vcpu);
		return 0;
	case KVM_GET_SREGS:
		if (vmx_vcpu_get(vcpu))
			return -EIO;
		vmx_get_sregs(vcpu, &u.sregs);
		vmx_vcpu_release(vcpu);
		return copy_to_user(argp, &u.sregs, sizeof(u.sregs)) ?
		       -EFAULT : 0;
	case KVM_SET_SREGS:
		if (copy_from_user(&u.sregs, argp, sizeof(u.sregs)))
			return -EFAULT;
		if (vmx_vcpu_get(vcpu))
			return -EIO;
		r = vmx_set_sregs(vcpu, &u.sregs);
		vmx_vcpu_release(vcpu);
		return r;
	case KVM_GET_FPU:
		return vmx_fpu_ioctl(vcpu, false, argp);
	case KVM_SET_FPU:
		return vmx_fpu_ioctl(vcpu, true, argp);
	case KVM_GET_MSRS:
		return vmx_msrs_ioctl(vcpu, false, argp);
	case KVM_SET_MSRS:
		return vmx_msrs_ioctl(vcpu, true, argp);
	case KVM_SET_CPUID2:
		return vmx_set_cpuid2(vcpu, argp);
	case KVM_GET_CPUID2:
		return vmx_get_cpuid2(vcpu, argp);
	default:
		return -EINVAL;
	}
}
