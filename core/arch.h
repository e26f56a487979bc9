/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The arch contract: everything core/ asks of an architecture backend.
 *
 * core/ holds the device, the VM and vCPU lifetimes and the memslots; it
 * knows nothing of VMX or EL2. Each backend (vmx/ on x86-64, arm64/ on
 * arm64) implements every function below. Kbuild links exactly one
 * backend into hvk.ko, so these are direct calls bound at link time:
 * there is no ops table and no indirect call on the exit path.
 *
 * Unless said otherwise, functions are called in process context, may
 * sleep, and return 0 or a negative errno that reaches userspace as is.
 *
 * The layers, and which way they depend:
 *
 *	vmx/, arm64/  ->  irq/  ->  mmu/  ->  core/
 *
 * A layer includes the headers of, and calls, only the layers to its
 * right. core/ reaches up only through the hooks declared in this file,
 * bound at link time: hvk_arch_* for the backend, which in turn drives
 * mmu/ (it creates and frees vm->mmu and forwards memslot removals with
 * hvk_arch_memslot_unmap()) and the irqchips in irq/. mmu/ reaches the
 * backend through hvk_arch_mmu_*, and the memslots (core/memslot.h)
 * directly. core/irq.c reaches the irqchips through hvk_arch_irq_*. The
 * one exception is storage: struct hvk_vm and struct hvk_vcpu embed the
 * backend's per-VM and per-vCPU state (hvk_arch.h, chosen by Kbuild's
 * -I), which may embed types of mmu/ and irq/; core/ never looks inside
 * it. vm->mmu and vm->irqchip are opaque pointers to core/.
 */
#ifndef HVK_CORE_ARCH_H
#define HVK_CORE_ARCH_H

#include <linux/types.h>

struct hvk_vm;
struct hvk_vcpu;

/**
 * enum hvk_exit_action - what an arch exit handler tells its run loop
 * @HVK_EXIT_TO_USER: kvm_run->exit_reason is filled in: KVM_RUN returns
 * @HVK_RESUME_GUEST: handled in the kernel: enter the guest again
 *
 * One return rule for every exit handler of every backend. Besides
 * these, a handler may return a negative errno, which ends KVM_RUN and
 * reaches userspace as is.
 */
enum hvk_exit_action {
	HVK_EXIT_TO_USER = 0,
	HVK_RESUME_GUEST = 1,
};
struct kvm_userspace_memory_region;

/**
 * hvk_arch_init() - probe the hardware and take it on every CPU
 *
 * Called once from module init, before /dev/hvk exists. Checks that the
 * CPU can do what hvk needs and that no other hypervisor owns it, logs
 * what it found, and enables virtualization on every online CPU (and on
 * CPUs that come online later) until hvk_arch_exit().
 *
 * Return: 0, or a negative errno with a message saying what is missing
 * (-EOPNOTSUPP: the hardware lacks a feature; -EBUSY: another hypervisor
 * owns it).
 */
int hvk_arch_init(void);

/**
 * hvk_arch_exit() - give the hardware back on every CPU
 *
 * Called once from module exit (and only after hvk_arch_init() returned
 * 0), when no VM exists any more.
 */
void hvk_arch_exit(void);

/**
 * hvk_arch_check_extension() - arch answer to KVM_CHECK_EXTENSION
 * @vm: the VM asked through, or NULL when asked on the system fd
 * @ext: the KVM_CAP_* number
 *
 * Called for capabilities core/ does not answer itself. Reports only what
 * works now: an unknown or unimplemented capability is 0.
 *
 * Return: the capability's value (>= 0).
 */
long hvk_arch_check_extension(struct hvk_vm *vm, long ext);

/**
 * hvk_arch_dev_ioctl() - an ioctl on /dev/hvk that core/ does not know
 * @ioctl: the ioctl number
 * @arg: its argument
 *
 * Return: the result, or the errno the in-tree KVM gives for an unknown
 * system ioctl on this arch.
 */
long hvk_arch_dev_ioctl(unsigned int ioctl, unsigned long arg);

/**
 * hvk_arch_vm_init() - arch part of KVM_CREATE_VM
 * @vm: the new VM, zeroed except for the core fields
 * @type: the type argument of KVM_CREATE_VM
 *
 * Validates @type as the in-tree KVM does on this arch, sets up what the
 * arch keeps per VM and, last, the VM's guest-physical table in its
 * format (EPT, stage 2) with hvk_mmu_init() (mmu/mmu.h): the arch owns
 * vm->mmu, since mmu/ sits above core/. On failure nothing is left to
 * undo.
 *
 * Return: 0, -EINVAL for a type this arch does not accept, -ENOMEM.
 */
int hvk_arch_vm_init(struct hvk_vm *vm, unsigned long type);

/**
 * hvk_arch_vm_destroy() - undo hvk_arch_vm_init()
 * @vm: the VM; all its vCPUs are already destroyed
 *
 * Frees the guest-physical table first (hvk_mmu_destroy(): its last
 * flush still needs the arch's EPTP or VMID), then the rest. Also called
 * on KVM_CREATE_VM's error path after hvk_arch_vm_init() succeeded.
 */
void hvk_arch_vm_destroy(struct hvk_vm *vm);

/**
 * hvk_arch_memslot_unmap() - a memslot's old range leaves the guest
 * @vm: the VM
 * @gpa: start of the range, page aligned
 * @size: its length, page aligned, not 0
 *
 * A slot was deleted, moved or had its flags changed. Called with
 * vm->lock held, after the new memslot table is published and no reader
 * sees the old one: the arch drops every translation of the range and
 * what it pinned for them (hvk_mmu_unmap_range()) before returning, so
 * KVM_SET_USER_MEMORY_REGION returns only once the guest cannot reach
 * the old memory.
 */
void hvk_arch_memslot_unmap(struct hvk_vm *vm, u64 gpa, u64 size);

/**
 * hvk_arch_vm_ioctl() - a VM ioctl that core/ does not know
 * @vm: the VM
 * @ioctl: the ioctl number
 * @arg: its argument
 *
 * Return: the result, or the errno the in-tree KVM gives for an unknown
 * VM ioctl on this arch.
 */
long hvk_arch_vm_ioctl(struct hvk_vm *vm, unsigned int ioctl,
		       unsigned long arg);

/**
 * hvk_arch_memslot_check() - arch limits on a new or moved memslot
 * @vm: the VM
 * @mem: the region as userspace passed it (already checked by core/ for
 *       alignment, range and flags)
 *
 * Return: 0, or the errno the in-tree KVM gives (e.g. -EFAULT on arm64
 * for a region beyond the VM's IPA size).
 */
int hvk_arch_memslot_check(struct hvk_vm *vm,
			   const struct kvm_userspace_memory_region *mem);

/**
 * hvk_arch_vcpu_create() - arch part of KVM_CREATE_VCPU
 * @vcpu: the new vCPU, its core fields set (vm, id, run page)
 *
 * Return: 0 or a negative errno; on failure nothing is left to undo.
 */
int hvk_arch_vcpu_create(struct hvk_vcpu *vcpu);

/**
 * hvk_arch_vcpu_destroy() - undo hvk_arch_vcpu_create()
 * @vcpu: the vCPU, which no thread is running any more
 */
void hvk_arch_vcpu_destroy(struct hvk_vcpu *vcpu);

/**
 * hvk_arch_vcpu_run() - KVM_RUN: run the guest until userspace is needed
 * @vcpu: the vCPU, whose mutex the caller holds
 *
 * Enters the guest, handles exits in the kernel where it can and returns
 * when kvm_run holds an exit userspace must see, or when a signal is
 * pending (-EINTR with KVM_EXIT_INTR).
 *
 * Requests and kicks (core/request.h) rely on the loop doing, for every
 * entry, with preemption and interrupts off (host interrupts pending
 * from then on must make the guest exit at once):
 *	if (hvk_vcpu_enter_guest_mode(vcpu) && !signal_pending(current) &&
 *	    !need_resched())
 *		enter the guest;
 *	hvk_vcpu_exit_guest_mode(vcpu);
 * and, outside that window, consuming every request bit it defines
 * (hvk_vcpu_check_request()): a bit left pending makes every later
 * hvk_vcpu_enter_guest_mode() refuse. A vCPU that halts sleeps in
 * hvk_vcpu_block() with a condition that includes the requests that
 * should wake it.
 *
 * Return: 0 with vcpu->run->exit_reason set, or a negative errno.
 */
int hvk_arch_vcpu_run(struct hvk_vcpu *vcpu);

/**
 * hvk_arch_vcpu_ioctl() - a vCPU ioctl that core/ does not know
 * @vcpu: the vCPU, whose mutex the caller holds
 * @ioctl: the ioctl number
 * @arg: its argument
 *
 * Register access (KVM_GET/SET_REGS, KVM_GET/SET_ONE_REG, ...) lands here.
 *
 * Return: the result, or the errno the in-tree KVM gives for an unknown
 * vCPU ioctl on this arch.
 */
long hvk_arch_vcpu_ioctl(struct hvk_vcpu *vcpu, unsigned int ioctl,
			 unsigned long arg);

/**
 * hvk_arch_mmu_leaf_attrs() - leaf attributes for guest RAM
 * @vm: the VM
 * @prot: HVK_PGT_PROT_R/W/X the leaf grants
 * @level: 3 for a 4 KiB page, 2 for a 2 MiB block
 *
 * Encodes the format's own bits (permissions, memory type, AF, ...) for
 * mmu/mmu.c, which keeps no knowledge of EPT or stage-2 formats.
 *
 * Return: the attribute bits, without address or type bits.
 */
u64 hvk_arch_mmu_leaf_attrs(struct hvk_vm *vm, unsigned int prot, int level);

/**
 * hvk_arch_mmu_sync_page() - make a page safe to map into a guest
 * @phys: host-physical address of the page or block
 * @size: its size
 * @prot: HVK_PGT_PROT_R/W/X the guest will have
 *
 * Called before the leaf is installed: cache maintenance the guest's view
 * needs (arm64: clean to the point of coherency and invalidate the
 * I-cache as the stage-2 attributes and CTR_EL0 require). Nothing on x86.
 */
void hvk_arch_mmu_sync_page(phys_addr_t phys, u64 size, unsigned int prot);

/**
 * hvk_arch_mmu_flush() - drop every cached guest-physical translation
 * @vm: the VM
 *
 * Called after entries of @vm's table were removed or changed, and before
 * the pages they mapped are unpinned: on return no CPU may use a stale
 * translation of @vm (INVEPT on every CPU; TLBI VMALLS12E1IS with the VM's
 * VMID). Process context, may sleep, called with vm->mmu.lock held.
 */
void hvk_arch_mmu_flush(struct hvk_vm *vm);

/**
 * hvk_arch_run_pages() - pages of the vCPU mmap area
 *
 * The first page holds struct kvm_run; an arch may want more (x86 places
 * string-I/O data after it). KVM_GET_VCPU_MMAP_SIZE reports this many
 * pages.
 *
 * Return: the number of pages, at least 1.
 */
unsigned int hvk_arch_run_pages(void);

struct hvk_irq_route;

/**
 * hvk_arch_irqchip_ready() - does the VM have an in-kernel irqchip?
 * @vm: the VM
 *
 * KVM's irqchip_in_kernel(): x86 after KVM_CREATE_IRQCHIP; arm64 once a
 * vGIC was created. KVM_SIGNAL_MSI is -EINVAL until then. Any context.
 */
bool hvk_arch_irqchip_ready(struct hvk_vm *vm);

/**
 * hvk_arch_irqfd_allowed() - may KVM_IRQFD assign an irqfd now?
 * @vm: the VM
 * @resample: the irqfd has KVM_IRQFD_FLAG_RESAMPLE
 *
 * Checked first, before the fds, as KVM does (kvm_arch_intc_initialized()
 * then kvm_arch_irqfd_allowed()). Deassigning is always allowed.
 *
 * Return: 0, or KVM's errno: x86 -EINVAL without an in-kernel irqchip
 * (a resample irqfd also needs the PIC and IOAPIC in the kernel); arm64
 * -EAGAIN until the vGIC is initialized.
 */
int hvk_arch_irqfd_allowed(struct hvk_vm *vm, bool resample);

/**
 * hvk_arch_irq_routing_allowed() - may KVM_SET_GSI_ROUTING be used now?
 * @vm: the VM
 *
 * x86 KVM wants an in-kernel irqchip first; arm64 KVM does not.
 */
bool hvk_arch_irq_routing_allowed(struct hvk_vm *vm);

/**
 * hvk_arch_irq_route_check() - validate one routing entry for this arch
 * @vm: the VM
 * @r: the entry, converted by core/irq.c; the arch may adjust it (x86
 *     numbers the slave PIC's pins 8-15, as hvk_irq_ack() then gets them)
 *
 * Called for each entry after core's own checks (GSI range, flags, type,
 * duplicates: core/irqroute.h). Process context.
 *
 * Return: 0, or -EINVAL for an irqchip or pin this arch does not have (or
 * an MSI it cannot take), with KVM's rules.
 */
int hvk_arch_irq_route_check(struct hvk_vm *vm, struct hvk_irq_route *r);

/**
 * hvk_arch_irq_deliver() - raise or lower one route
 * @vm: the VM
 * @r: the route (an irqchip pin or an MSI)
 * @src: enum hvk_irq_source (core/irq.h): whose level this is
 * @level: 1 or 0
 * @line_status: as in hvk_irq_set()
 *
 * Any context, interrupts off included: must not sleep (irqchip state is
 * under spinlocks; target vCPUs are woken with hvk_vcpu_kick()).
 *
 * Return: as hvk_irq_set(): < 0 masked or not taken, 0 coalesced,
 * > 0 delivered to that many CPUs.
 */
int hvk_arch_irq_deliver(struct hvk_vm *vm, const struct hvk_irq_route *r,
			 int src, int level, bool line_status);

/**
 * hvk_arch_io_read() - a read of an arch device on the in-kernel I/O bus
 * @vcpu: the vCPU that reads
 * @dev: the device, as the arch registered it (kind HVK_IO_ARCH,
 *       core/iobus.h); the arch tells its device models apart itself
 * @addr: the gpa or port
 * @len: 1 to 8 bytes
 * @val: the data, little-endian
 *
 * Called by core/iobus.c inside the VM's SRCU read section, from the
 * vCPU's thread (may sleep only if the device model allows it).
 *
 * Return: 0 if the device took the access, -EOPNOTSUPP to pass it on
 * (to another device covering the address, then to the VMM).
 */
int hvk_arch_io_read(struct hvk_vcpu *vcpu, void *dev, u64 addr, u32 len,
		     void *val);

/* hvk_arch_io_write() - the same for a write. */
int hvk_arch_io_write(struct hvk_vcpu *vcpu, void *dev, u64 addr, u32 len,
		      const void *val);

#endif /* HVK_CORE_ARCH_H */
