/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The x86 run loop and exit handling, as the rest of vmx/ sees it.
 */
#ifndef HVK_VMX_RUN_H
#define HVK_VMX_RUN_H

#include <linux/types.h>
#include <asm/processor-flags.h>

#include "arch.h"	/* enum hvk_exit_action */
#include "hvk.h"
#include "mmu/ept.h"
#include "mmu/mmu.h"

struct vmx_guest_regs;

/* vmenter.S */
int vmx_vmenter(struct vmx_guest_regs *regs, bool launched);
void vmx_vmexit(void);

/*
 * CR4 bits the guest may change without an exit. The rest (VMXE, SMXE,
 * OSXSAVE, PKE, LA57, ...) are owned by hvk: a guest write to them exits
 * and is checked (cr.c). MCE is the guest's to set and clear, but only
 * in the read shadow: the hardware keeps CR4.MCE set while the guest
 * runs, since a host machine check with CR4.MCE clear shuts the CPU
 * down (Vol. 3A 15.5 "Machine-Check Initialization"; the #MC exits to
 * the host through the exception bitmap, run.c).
 */
#define VMX_CR4_GUEST_OWNED						\
	(X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | X86_CR4_DE |		\
	 X86_CR4_PSE | X86_CR4_PAE | X86_CR4_PGE |			\
	 X86_CR4_PCE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT |		\
	 X86_CR4_FSGSBASE)

/* The mask of an address of @addr_size bytes (2, 4 or 8). */
static inline u64 vmx_addr_mask(unsigned int addr_size)
{
	return addr_size == 8 ? ~0ULL : (1ULL << (addr_size * 8)) - 1;
}

/* CR0 bits hvk owns: NE (1 in VMX operation), CD and NW (EPT's job). */
#define VMX_CR0_HOST_OWNED	(X86_CR0_NE | X86_CR0_CD | X86_CR0_NW)

/* CR4 bits the guest may have, in its view (the read shadow). */
#define VMX_CR4_GUEST_VALID	(VMX_CR4_GUEST_OWNED | X86_CR4_MCE)

/* CR4 bits set in hardware whatever the guest's view (vmcs.c). */
#define VMX_CR4_HOST_FORCED	X86_CR4_MCE

/* The EPT pointer of the VM's table (hvk_arch_vm_init(), mmu/mmu.c). */
static inline u64 vmx_eptp(struct hvk_vm *vm)
{
	return ept_eptp(vm->mmu->pgt.root_phys, false);
}

/* exit.c */
int vmx_handle_exit(struct hvk_vcpu *vcpu);
void vmx_inject_exception(struct hvk_vcpu *vcpu, int vector, bool has_error,
			  u32 error);
void vmx_skip_instruction(struct hvk_vcpu *vcpu);
int vmx_internal_error(struct hvk_vcpu *vcpu, u32 suberror);

/* io.c */
int vmx_handle_io(struct hvk_vcpu *vcpu);
int vmx_complete_pending(struct hvk_vcpu *vcpu);

/* mmio.c */
int vmx_handle_ept_violation(struct hvk_vcpu *vcpu);
int vmx_complete_mmio_read(struct hvk_vcpu *vcpu, const u8 *data);

/* guest.c: guest memory and mode */
int vmx_read_guest_virt(struct hvk_vcpu *vcpu, u64 gva, void *buf,
			unsigned int len, bool fetch);
int vmx_write_guest_virt(struct hvk_vcpu *vcpu, u64 gva, const void *buf,
			 unsigned int len);
int vmx_cpu_mode(struct hvk_vcpu *vcpu);
u64 *vmx_gpr(struct hvk_vcpu *vcpu, unsigned int n);
void vmx_gpr_written(struct hvk_vcpu *vcpu, unsigned int n);
int vmx_load_pdptrs(struct hvk_vcpu *vcpu);

/* msr.c */
int vmx_handle_rdmsr(struct hvk_vcpu *vcpu);
int vmx_handle_wrmsr(struct hvk_vcpu *vcpu);
int vmx_get_msr(struct hvk_vcpu *vcpu, u32 index, u64 *data);
int vmx_set_msr(struct hvk_vcpu *vcpu, u32 index, u64 data, bool host);
extern const u32 vmx_msr_index_list[];
extern const unsigned int vmx_msr_index_count;
void vmx_load_guest_msrs(struct hvk_vcpu *vcpu);
void vmx_load_host_msrs(struct hvk_vcpu *vcpu);

/* cpuid.c */
int vmx_handle_cpuid(struct hvk_vcpu *vcpu);
long vmx_get_supported_cpuid(void __user *argp);
long vmx_set_cpuid2(struct hvk_vcpu *vcpu, void __user *argp);
long vmx_get_cpuid2(struct hvk_vcpu *vcpu, void __user *argp);

/* cr.c */
int vmx_handle_cr(struct hvk_vcpu *vcpu);
int vmx_handle_dr(struct hvk_vcpu *vcpu);
int vmx_set_cr0(struct hvk_vcpu *vcpu, unsigned long cr0);
int vmx_set_cr4(struct hvk_vcpu *vcpu, unsigned long cr4);
bool vmx_cr4_valid(unsigned long cr4);
int vmx_set_efer(struct hvk_vcpu *vcpu, u64 efer, bool host);

/* regs.c */
int vmx_vcpu_get(struct hvk_vcpu *vcpu);
void vmx_vcpu_release(struct hvk_vcpu *vcpu);
long vmx_vcpu_regs_ioctl(struct hvk_vcpu *vcpu, unsigned int ioctl,
			 void __user *argp);

#endif /* HVK_VMX_RUN_H */
