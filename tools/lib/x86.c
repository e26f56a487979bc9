// SPDX-License-Identifier: GPL-2.0
/*
 * libhvk, x86: what a guest needs to start in real mode, 32-bit
 * protected mode or 64-bit long mode through KVM_SET_SREGS: a flat GDT,
 * identity page tables, IDT/IVT gates and the segment registers (SDM
 * Vol. 3A, 3.4.5 segment descriptors, 4.5 4-level paging, 6.14.1 64-bit
 * IDT gates).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "libhvk.h"
#include "internal.h"

#define CR0_PE		(1ULL << 0)
#define CR0_ET		(1ULL << 4)
#define CR0_PG		(1ULL << 31)
#define CR4_PAE		(1ULL << 5)
#define CR4_OSFXSR	(1ULL << 9)
#define CR4_OSXMMEXCPT	(1ULL << 10)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)

#define PTE_P		0x01ULL
#define PTE_RW		0x02ULL
#define PTE_A		0x20ULL
#define PTE_D		0x40ULL
#define PTE_PS		0x80ULL

#define MAX_CPUID	128

const char *hvk_x86_mode_name(enum hvk_x86_mode m)
{
	return m == HVK_X86_REAL ? "real mode" :
	       m == HVK_X86_PROT32 ? "32-bit protected mode" :
	       "64-bit long mode";
}

void hvk_x86_write_gdt(void *gdt)
{
	uint64_t *g = gdt;

	g[0] = 0;
	g[HVK_X86_SEL_CODE32 / 8] = 0x00cf9b000000ffffULL;	/* code, D, G */
	g[HVK_X86_SEL_DATA / 8] = 0x00cf93000000ffffULL;	/* data rw, B, G */
	g[HVK_X86_SEL_CODE64 / 8] = 0x00af9b000000ffffULL;	/* code, L, G */
}

void hvk_x86_write_page_tables(void *hva, uint64_t gpa, int preset_ad)
{
	uint64_t *pml4 = hva;
	uint64_t *pdpt = pml4 + 512;
	uint64_t *pd = pdpt + 512;
	uint64_t f = PTE_P | PTE_RW | (preset_ad ? PTE_A : 0);
	int i;

	pml4[0] = (gpa + 0x1000) | f;
	for (i = 0; i < 4; i++)
		pdpt[i] = (gpa + 0x2000 + i * 0x1000ULL) | f;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = ((uint64_t)i << 21) | f | PTE_PS |
			(preset_ad ? PTE_D : 0);
}

void hvk_x86_set_gate(void *table, enum hvk_x86_mode mode, int vec,
		      uint64_t handler, uint64_t handler_cs_base)
{
	uint32_t *e;

	switch (mode) {
	case HVK_X86_REAL:
		e = (uint32_t *)table + vec;
		e[0] = (uint32_t)(handler - handler_cs_base) |
		       (uint32_t)(handler_cs_base >> 4) << 16;
		break;
	case HVK_X86_PROT32:
		e = (uint32_t *)table + vec * 2;
		e[0] = (handler & 0xffff) | HVK_X86_SEL_CODE32 << 16;
		e[1] = (handler & 0xffff0000) | 0x8e00;	/* P, int gate */
		break;
	case HVK_X86_LONG64:
		e = (uint32_t *)table + vec * 4;
		e[0] = (handler & 0xffff) | HVK_X86_SEL_CODE64 << 16;
		e[1] = (handler & 0xffff0000) | 0x8e00;
		e[2] = handler >> 32;
		e[3] = 0;
		break;
	}
}

void hvk_x86_seg(struct kvm_segment *s, uint16_t sel, uint64_t base,
		 uint32_t limit, uint8_t type, int db, int l, int gran)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->base = base;
	s->limit = limit;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->db = db;
	s->l = l;
	s->g = gran;
}

void hvk_x86_mode_sregs(struct kvm_sregs *sr, enum hvk_x86_mode mode,
			const struct hvk_x86_layout *l)
{
	switch (mode) {
	case HVK_X86_REAL:
		hvk_x86_seg(&sr->cs, l->code >> 4, l->code, 0xffff, 11, 0, 0, 0);
		hvk_x86_seg(&sr->ds, l->data >> 4, l->data, 0xffff, 3, 0, 0, 0);
		sr->es = sr->ss = sr->ds;
		hvk_x86_seg(&sr->fs, l->fs >> 4, l->fs, 0xffff, 3, 0, 0, 0);
		hvk_x86_seg(&sr->gs, l->gs >> 4, l->gs, 0xffff, 3, 0, 0, 0);
		sr->cr0 &= ~(CR0_PE | CR0_PG);
		sr->cr4 = 0;
		sr->efer = 0;
		sr->idt.base = l->ivt;
		sr->idt.limit = 0x3ff;
		break;
	case HVK_X86_PROT32:
	case HVK_X86_LONG64:
		if (mode == HVK_X86_PROT32)
			hvk_x86_seg(&sr->cs, HVK_X86_SEL_CODE32, 0, 0xffffffff,
				    11, 1, 0, 1);
		else
			hvk_x86_seg(&sr->cs, HVK_X86_SEL_CODE64, 0, 0xffffffff,
				    11, 0, 1, 1);
		hvk_x86_seg(&sr->ds, HVK_X86_SEL_DATA, 0, 0xffffffff, 3, 1, 0, 1);
		sr->es = sr->ss = sr->ds;
		hvk_x86_seg(&sr->fs, HVK_X86_SEL_DATA, l->fs, 0xffffffff, 3,
			    1, 0, 1);
		hvk_x86_seg(&sr->gs, HVK_X86_SEL_DATA, l->gs, 0xffffffff, 3,
			    1, 0, 1);
		sr->cr0 = CR0_PE | CR0_ET;
		sr->cr4 = CR4_OSFXSR | CR4_OSXMMEXCPT;
		sr->efer = 0;
		sr->idt.base = l->idt;
		sr->idt.limit = mode == HVK_X86_PROT32 ? 256 * 8 - 1 :
			       256 * 16 - 1;
		if (mode == HVK_X86_LONG64) {
			sr->cr0 |= CR0_PG;
			sr->cr3 = l->pml4;
			sr->cr4 |= CR4_PAE;
			sr->efer = EFER_LME | EFER_LMA;
		}
		break;
	}
	sr->gdt.base = l->gdt;
	sr->gdt.limit = HVK_X86_GDT_ENTRIES * 8 - 1;
}

struct kvm_cpuid2 *hvk_x86_supported_cpuid(int sys)
{
	struct kvm_cpuid2 *c;

	c = calloc(1, sizeof(*c) + MAX_CPUID * sizeof(struct kvm_cpuid_entry2));
	if (!c) {
		hvk_fail("calloc");
		return NULL;
	}
	c->nent = MAX_CPUID;
	if (ioctl(sys, KVM_GET_SUPPORTED_CPUID, c)) {
		int err = errno;

		free(c);
		errno = err;
		hvk_fail("KVM_GET_SUPPORTED_CPUID");
		return NULL;
	}
	return c;
}

struct kvm_cpuid_entry2 *hvk_x86_cpuid_entry(struct kvm_cpuid2 *c,
					     uint32_t fn, uint32_t idx)
{
	uint32_t i;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn &&
		    (!(c->entries[i].flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) ||
		     c->entries[i].index == idx))
			return &c->entries[i];
	return NULL;
}
