// SPDX-License-Identifier: GPL-2.0
/*
 * The guest as software sees it from outside: its execution mode, and
 * its linear addresses translated through its own page tables, for the
 * few exits that must touch guest memory (the instruction behind an MMIO
 * access, the buffer of a string I/O instruction).
 *
 * Vol. 3A 4 "Paging": no paging (CR0.PG = 0), 32-bit paging (CR4.PAE =
 * 0), PAE paging, and 4-level paging (IA32_EFER.LMA = 1). 5-level paging
 * is never enabled (CR4.LA57 is hvk's and stays 0).
 */
#include <linux/kvm.h>
#include <linux/mm.h>
#include <asm/vmx.h>

#include "run.h"
#include "vmcs.h"

#define PTE_P		BIT_ULL(0)
#define PTE_W		BIT_ULL(1)
#define PTE_U		BIT_ULL(2)
#define PTE_PS		BIT_ULL(7)
#define PTE_ADDR_MASK	0x000ffffffffff000ULL

/**
 * vmx_gpr() - a guest GPR, by number, for reading or writing
 * @vcpu: the vCPU, its VMCS current
 * @n: 0-15, RAX ... R15
 *
 * RSP lives in the VMCS (the world switch leaves its slot in the array
 * alone): it is copied in here, and back by vmx_gpr_written().
 *
 * Return: the register's slot in vcpu->arch.regs.gpr.
 */
u64 *vmx_gpr(struct hvk_vcpu *vcpu, unsigned int n)
{
	if (n == VMX_RSP)
		vcpu->arch.regs.gpr[VMX_RSP] = vmcs_readl(GUEST_RSP);
	return &vcpu->arch.regs.gpr[n];
}

/* After writing through vmx_gpr(): RSP goes back to the VMCS. */
void vmx_gpr_written(struct hvk_vcpu *vcpu, unsigned int n)
{
	if (n == VMX_RSP)
		vmcs_writel(GUEST_RSP, vcpu->arch.regs.gpr[VMX_RSP]);
}

/**
 * vmx_cpu_mode() - the guest's execution mode, for decoding
 * @vcpu: the vCPU, its VMCS current
 *
 * Return: an enum x86_cpu_mode.
 */
int vmx_cpu_mode(struct hvk_vcpu *vcpu)
{
	u32 cs_ar;

	if (!(vmcs_readl(GUEST_CR0) & X86_CR0_PE) ||
	    (vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_VM))
		return X86_MODE_REAL;
	cs_ar = vmcs_read32(GUEST_CS_AR_BYTES);
	if ((vmcs_read64(GUEST_IA32_EFER) & EFER_LMA) && (cs_ar & VMX_AR_L_MASK))
		return X86_MODE_LONG64;
	return cs_ar & VMX_AR_DB_MASK ? X86_MODE_PROT32 : X86_MODE_PROT16;
}

/*
 * A paging-structure entry the walk cannot read: outside every memslot
 * (-ENOENT). The CPU's own walk would read whatever is there; kvm_intel's
 * walk (mmu/paging_tmpl.h walk_addr_generic()) takes it as not present
 * and the access faults (#PF) in the guest. So does this one: -EFAULT.
 */
static int vmx_read_pte(struct hvk_vcpu *vcpu, u64 gpa, void *pte,
			unsigned int len)
{
	int r = hvk_guest_read(vcpu->vm, gpa, pte, len);

	return r == -ENOENT ? -EFAULT : r;
}

/*
 * Translate one linear address. Checks presence, and for a CPL 3 access
 * the U/S bits and for a write the R/W bits (with CR0.WP for CPL 0), so
 * that an exit cannot be used to reach guest memory the guest itself
 * forbids. Does not set accessed/dirty bits.
 */
static int vmx_gva_to_gpa(struct hvk_vcpu *vcpu, u64 gva, bool write,
			  u64 *gpa)
{
	unsigned long cr0 = vmcs_readl(GUEST_CR0);
	unsigned long cr4 = vmcs_readl(GUEST_CR4);
	u64 efer = vmcs_read64(GUEST_IA32_EFER);
	bool user = VMX_AR_DPL(vmcs_read32(GUEST_SS_AR_BYTES)) == 3;
	bool wp = cr0 & X86_CR0_WP;
	u64 table = vmcs_readl(GUEST_CR3), entry = 0;
	int level, levels, r;

	if (!(cr0 & X86_CR0_PG)) {
		*gpa = (u32)gva;
		return 0;
	}

	if (!(cr4 & X86_CR4_PAE)) {
		/* 32-bit paging: two levels of 4-byte entries. */
		u32 e;

		gva = (u32)gva;
		table &= 0xfffff000;
		for (level = 1; level >= 0; level--) {
			unsigned int idx = (gva >> (12 + 10 * level)) & 0x3ff;

			r = vmx_read_pte(vcpu, table + idx * 4, &e, 4);
			if (r)
				return r;
			if (!(e & PTE_P) || (user && !(e & PTE_U)) ||
			    (write && !(e & PTE_W) && (user || wp)))
				return -EFAULT;
			if (level == 1 && (e & PTE_PS) && (cr4 & X86_CR4_PSE)) {
				*gpa = (e & 0xffc00000) | (gva & 0x3fffff);
				return 0;
			}
			table = e & 0xfffff000;
		}
		*gpa = table | (gva & 0xfff);
		return 0;
	}

	if (efer & EFER_LMA) {
		levels = 4;
		table &= PTE_ADDR_MASK;
	} else {
		/* PAE: the 4 PDPTEs at CR3[31:5] (4.4.1). */
		unsigned int idx = (gva >> 30) & 3;

		gva = (u32)gva;
		r = vmx_read_pte(vcpu, (table & 0xffffffe0) + idx * 8,
				 &entry, 8);
		if (r)
			return r;
		if (!(entry & PTE_P))
			return -EFAULT;
		table = entry & PTE_ADDR_MASK;
		levels = 2;
	}

	for (level = levels - 1; level >= 0; level--) {
		unsigned int shift = 12 + 9 * level;
		unsigned int idx = (gva >> shift) & 0x1ff;

		r = vmx_read_pte(vcpu, table + idx * 8, &entry, 8);
		if (r)
			return r;
		if (!(entry & PTE_P) || (user && !(entry & PTE_U)) ||
		    (write && !(entry & PTE_W) && (user || wp)))
			return -EFAULT;
		if (level > 0 && level < 3 && (entry & PTE_PS)) {
			u64 mask = (1ULL << shift) - 1;

			*gpa = (entry & PTE_ADDR_MASK & ~mask) | (gva & mask);
			return 0;
		}
		table = entry & PTE_ADDR_MASK;
	}
	*gpa = table | (gva & 0xfff);
	return 0;
}

/**
 * vmx_load_pdptrs() - the PAE PDPTEs for the VMCS
 * @vcpu: the vCPU, its VMCS current
 *
 * With EPT, VM entry takes the four PDPTEs of PAE paging from the VMCS
 * (26.3.2.4 "Loading Page-Directory-Pointer-Table Entries"), which the
 * CPU itself fills only when the guest loads CR3 or toggles paging. When
 * hvk sets up PAE paging itself (KVM_SET_SREGS, an emulated MOV to CR0
 * or CR4) it must read them from guest memory.
 *
 * Return: 0, or -EFAULT if the table is not in guest RAM.
 */
int vmx_load_pdptrs(struct hvk_vcpu *vcpu)
{
	unsigned long cr0 = vmcs_readl(GUEST_CR0);
	unsigned long cr4 = vmcs_readl(GUEST_CR4);
	u64 pdpte[4];
	int i;

	if (!(cr0 & X86_CR0_PG) || !(cr4 & X86_CR4_PAE) ||
	    (vmcs_read64(GUEST_IA32_EFER) & EFER_LMA))
		return 0;
	if (hvk_guest_read(vcpu->vm, vmcs_readl(GUEST_CR3) & 0xffffffe0,
			   pdpte, sizeof(pdpte)))
		return -EFAULT;
	for (i = 0; i < 4; i++)
		__vmcs_write(GUEST_PDPTR0 + 2 * i, pdpte[i]);
	return 0;
}

static int vmx_guest_virt_copy(struct hvk_vcpu *vcpu, u64 gva, void *buf,
			       unsigned int len, bool write)
{
	while (len) {
		unsigned int n = min_t(unsigned int, len,
				       PAGE_SIZE - offset_in_page(gva));
		u64 gpa;
		int r;

		r = vmx_gva_to_gpa(vcpu, gva, write, &gpa);
		if (!r)
			r = write ? hvk_guest_write(vcpu->vm, gpa, buf, n) :
				    hvk_guest_read(vcpu->vm, gpa, buf, n);
		if (r)
			return r;
		gva += n;
		buf += n;
		len -= n;
	}
	return 0;
}

/**
 * vmx_read_guest_virt() - read guest memory at a linear address
 * @vcpu: the vCPU, its VMCS current
 * @gva: linear address (segment base already added)
 * @buf: destination
 * @len: bytes
 * @fetch: an instruction fetch (for the record; checked as a read)
 *
 * Return: 0, -EFAULT for an address the guest's tables do not map for
 * this access (a table outside RAM included), -ENOENT for one outside
 * RAM.
 */
int vmx_read_guest_virt(struct hvk_vcpu *vcpu, u64 gva, void *buf,
			unsigned int len, bool fetch)
{
	return vmx_guest_virt_copy(vcpu, gva, buf, len, false);
}

/**
 * vmx_write_guest_virt() - write guest memory at a linear address
 * @vcpu: the vCPU, its VMCS current
 * @gva: linear address
 * @buf: source
 * @len: bytes
 *
 * Return: as vmx_read_guest_virt(), -EPERM for a read-only slot.
 */
int vmx_write_guest_virt(struct hvk_vcpu *vcpu, u64 gva, const void *buf,
			 unsigned int len)
{
	return vmx_guest_virt_copy(vcpu, gva, (void *)buf, len, true);
}
