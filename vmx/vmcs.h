/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMCS: typed accessors and the per-vCPU VMCS life cycle.
 *
 * Field encodings and control bits are the kernel's (<asm/vmx.h>, named
 * as in the SDM's Appendix B "Field Encoding in VMCS"); the width is part
 * of each encoding (bits 14:13: 16-bit, 64-bit, 32-bit, natural width),
 * and each accessor below is for one width, so that a wrong pairing is
 * caught at build time by vmcs_check_width().
 *
 * VMREAD and VMWRITE report failure through RFLAGS (Vol. 3C 30.2
 * Conventions). A failure here is a hvk bug (a field the CPU does not
 * have, no current VMCS): it is logged (rate-limited) with the
 * VM-instruction error, never ignored, and the read returns 0.
 */
#ifndef HVK_VMX_VMCS_H
#define HVK_VMX_VMCS_H

#include <linux/build_bug.h>
#include <linux/types.h>
#include <asm/asm.h>
#include <asm/vmx.h>

#include "insn.h"

struct hvk_vcpu;

/* DR7 bit 10 reads as 1 (Vol. 3B 17.2.4 "Debug Control Register"). */
#define HVK_DR7_FIXED_1	0x400UL
/* DR7 L0, G0 .. L3, G3: the breakpoint enables. */
#define HVK_DR7_ENABLES	0xffUL

void vmcs_report_error(const char *insn, unsigned long field,
		       unsigned long value);
void vmcs_report_fault(const char *insn, unsigned long field);

/* Appendix B: bits 14:13 of an encoding give the field's width. */
#define VMCS_WIDTH(field)	(((field) >> 13) & 3)
#define VMCS_WIDTH_16		0
#define VMCS_WIDTH_64		1
#define VMCS_WIDTH_32		2
#define VMCS_WIDTH_NATURAL	3

#define vmcs_check_width(field, width)					\
	BUILD_BUG_ON_MSG(__builtin_constant_p(field) &&			\
			 VMCS_WIDTH(field) != (width),			\
			 "VMCS field accessed with the wrong width")

/*
 * Both accessors also catch the #UD of a VMREAD/VMWRITE outside VMX
 * operation, through the exception table: a reboot or a failed resume
 * can turn VMX off under a vCPU thread that is between two VMCS
 * accesses of an exit handler (vmx_vcpu_run() then stops it).
 */
static __always_inline unsigned long __vmcs_read(unsigned long field)
{
	unsigned long value;

	asm goto("1: vmread %[field], %[value]\n\t"
		 "jna %l[fail]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : [value] "=r" (value)
		 : [field] "r" (field)
		 : "cc"
		 : fail, fault);
	return value;
fail:
	vmcs_report_error("VMREAD", field, 0);
	return 0;
fault:
	vmcs_report_fault("VMREAD", field);
	return 0;
}

static __always_inline void __vmcs_write(unsigned long field,
					 unsigned long value)
{
	asm goto("1: vmwrite %[value], %[field]\n\t"
		 "jna %l[fail]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : [field] "r" (field), [value] "rm" (value)
		 : "cc", "memory"
		 : fail, fault);
	return;
fail:
	vmcs_report_error("VMWRITE", field, value);
	return;
fault:
	vmcs_report_fault("VMWRITE", field);
}

#define vmcs_read16(f)	({ vmcs_check_width(f, VMCS_WIDTH_16);		\
			   (u16)__vmcs_read(f); })
#define vmcs_read32(f)	({ vmcs_check_width(f, VMCS_WIDTH_32);		\
			   (u32)__vmcs_read(f); })
#define vmcs_read64(f)	({ vmcs_check_width(f, VMCS_WIDTH_64);		\
			   (u64)__vmcs_read(f); })
#define vmcs_readl(f)	({ vmcs_check_width(f, VMCS_WIDTH_NATURAL);	\
			   __vmcs_read(f); })

#define vmcs_write16(f, v) do { vmcs_check_width(f, VMCS_WIDTH_16);	\
			       __vmcs_write(f, (u16)(v)); } while (0)
#define vmcs_write32(f, v) do { vmcs_check_width(f, VMCS_WIDTH_32);	\
			       __vmcs_write(f, (u32)(v)); } while (0)
#define vmcs_write64(f, v) do { vmcs_check_width(f, VMCS_WIDTH_64);	\
			       __vmcs_write(f, (u64)(v)); } while (0)
#define vmcs_writel(f, v)  do { vmcs_check_width(f, VMCS_WIDTH_NATURAL); \
			       __vmcs_write(f, (unsigned long)(v)); } while (0)

/* Read-modify-write of 32-bit controls. */
static inline void vmcs_set_bits32(unsigned long field, u32 bits)
{
	__vmcs_write(field, (u32)__vmcs_read(field) | bits);
}

static inline void vmcs_clear_bits32(unsigned long field, u32 bits)
{
	__vmcs_write(field, (u32)__vmcs_read(field) & ~bits);
}

/* VMCLEAR (30.3 "VMCLEAR—Clear Virtual-Machine Control Structure"). */
static __always_inline enum vmx_insn_status vmx_vmclear(u64 vmcs_pa)
{
	vmx_insn_asm("vmclear %[pa]", [pa] "m" (vmcs_pa));
	VMX_INSN_RETURN_STATUS;
}

/* VMPTRLD (30.3 "VMPTRLD—Load Pointer to Virtual-Machine Control Structure"). */
static __always_inline enum vmx_insn_status vmx_vmptrld(u64 vmcs_pa)
{
	vmx_insn_asm("vmptrld %[pa]", [pa] "m" (vmcs_pa));
	VMX_INSN_RETURN_STATUS;
}

void vmx_vmcs_init(void);
int vmcs_alloc(struct hvk_vcpu *vcpu);
void vmcs_free(struct hvk_vcpu *vcpu);
void vmcs_setup(struct hvk_vcpu *vcpu);
void vmcs_reset_guest(struct hvk_vcpu *vcpu);
int vmx_vcpu_load(struct hvk_vcpu *vcpu, int cpu);
void vmx_vcpu_clear(struct hvk_vcpu *vcpu);
void vmx_clear_loaded_vmcss(void);
unsigned long vmx_cr0_guest_value(unsigned long cr0);
unsigned long vmx_cr4_guest_value(unsigned long cr4);

/* 16-bit: VPIDs 1.. are per vCPU; 0 is the host's (28.1 VPIDs). */
int vmx_vpid_alloc(void);
void vmx_vpid_free(int vpid);
void vmx_flush_vpid(u16 vpid);

#endif /* HVK_VMX_VMCS_H */
