/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The in-kernel virtual GICv3 of an arm64 VM (KVM_DEV_TYPE_ARM_VGIC_V3).
 *
 *   irq/vgic-regs.c   pure interrupt state and register banks
 *   irq/vgic.c        the VM's vGIC: state under one lock, injection,
 *                     SGIs, the list-register flush and fold
 *   irq/vgic-init.c   CTRL_INIT and the first KVM_RUN's checks
 *   irq/vgic-mmio.c   distributor and redistributor MMIO (I/O bus)
 *   irq/vgic-dev.c    the device fd: KVM_{HAS,GET,SET}_DEVICE_ATTR
 *   irq/vgic-sysregs.c  its CPU_SYSREGS group (ICH_VMCR, APRs)
 *   arm64/vgic-hw.c   the ICH_*_EL2 registers around the world switch
 *
 * Locking: @lock (raw, irq-safe: hrtimers, irqfds and the world switch
 * with interrupts off take it) guards every struct vgic_irq and the
 * per-vCPU LR bookkeeping; @cfg (a mutex) guards the configuration
 * (addresses, NR_IRQS, INIT). Order: vcpu->mutex, vm->lock, @cfg, @lock.
 * Per-vCPU state (vcpu->irqchip) and @spis exist from CTRL_INIT on and
 * live as long as the VM; @initialized is set with release after them.
 */
#ifndef HVK_IRQ_VGIC_H
#define HVK_IRQ_VGIC_H

#include <linux/bitmap.h>
#include <linux/kvm.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "vgic-regs.h"

struct hvk_vm;
struct hvk_vcpu;

#define VGIC_ADDR_UNDEF		(~0ULL)
#define VGIC_MAX_RDREGS		16	/* redistributor regions */
#define VGIC_MAX_LRS		16
#define VGIC_MAX_APRS		4

/* What an I/O bus range of the vGIC is (hvk_arch_io_* get it as dev). */
struct vgic_io {
	struct hvk_irqchip *vgic;
	u8 kind;		/* VGIC_IO_DIST or VGIC_IO_RDREG */
	u8 index;		/* the redistributor region */
};
#define VGIC_IO_DIST		0
#define VGIC_IO_RDREG		1

struct vgic_rdreg {
	u64 base;
	u32 count;		/* 0: the legacy single region (REDIST) */
};

struct hvk_irqchip {
	struct hvk_vm *vm;
	struct mutex cfg;
	raw_spinlock_t lock;

	bool initialized;	/* CTRL_INIT done (release/acquire) */
	bool ready;		/* MMIO on the bus: a vCPU has run */
	u32 nr_irqs;		/* 0 until NR_IRQS or INIT sets it */
	u64 dist_base;
	struct vgic_rdreg rdreg[VGIC_MAX_RDREGS];
	u32 nr_rdregs;
	struct vgic_io dist_io;
	struct vgic_io rd_io[VGIC_MAX_RDREGS];

	u32 ctlr;		/* GICD_CTLR.EnableGrp1 (bit 1) */
	u32 vtimer_ppi;		/* KVM_ARM_VCPU_TIMER_IRQ_VTIMER: 27 */
	u32 ptimer_ppi;		/* KVM_ARM_VCPU_TIMER_IRQ_PTIMER: 30 */
	struct vgic_irq *spis;
	unsigned long *spi_live;	/* SPIs pending or active, @lock */
};

/*
 * One vCPU's part: its redistributor and the LRs it last ran with.
 * @vmcr, @ap0r, @ap1r and @lr_in are written by arm64/vgic-hw.c with
 * interrupts off on the vCPU's own thread.
 */
struct hvk_vcpu_irqchip {
	struct hvk_vcpu *vcpu;
	u32 idx;		/* index in vm->vcpus */
	u32 aff;		/* MPIDR Aff2.Aff1.Aff0, bits 23:0 */
	u64 rd_base;		/* its RD_base frame, once placed */
	bool rd_last;		/* GICR_TYPER.Last */
	struct vgic_irq priv[VGIC_NR_PRIVATE];

	u32 nr_lr;		/* LRs written at the last entry */
	u64 lr_in[VGIC_MAX_LRS];
	u64 lr_out[VGIC_MAX_LRS];
	u64 vmcr;		/* ICH_VMCR_EL2 */
	u32 ap0r[VGIC_MAX_APRS], ap1r[VGIC_MAX_APRS];
	u64 sre;		/* ICC_SRE_EL1 as userspace sees it */
};

/* ICH_VTR_EL2 of the host's CPUs (arm64/vgic-hw.c sets it at load) */
extern u64 hvk_vgic_vtr;

/* irq/vgic.c */
int hvk_vgic_create(struct hvk_vm *vm);
void hvk_vgic_destroy(struct hvk_vm *vm);
void hvk_vgic_vcpu_destroy(struct hvk_vcpu *vcpu);
int hvk_vgic_init_locked(struct hvk_irqchip *vgic);
int hvk_vgic_first_run(struct hvk_vcpu *vcpu);
bool hvk_vgic_initialized(struct hvk_vm *vm);
u32 hvk_vgic_vcpu_aff(u32 vcpu_id);
struct hvk_vcpu *hvk_vgic_vcpu_by_aff(struct hvk_vm *vm, u32 aff);
int hvk_vgic_inject(struct hvk_vm *vm, struct hvk_vcpu *vcpu, u32 intid,
		    int src, bool level, bool kernel);
int hvk_vgic_irq_line(struct hvk_vm *vm, const struct kvm_irq_level *l);
void hvk_vgic_sgi(struct hvk_vcpu *vcpu, u64 val, bool group1);
bool hvk_vgic_vcpu_pending(struct hvk_vcpu *vcpu);
u32 hvk_vgic_flush(struct hvk_vcpu *vcpu, u32 max_lr, bool *underflow);
void hvk_vgic_fold(struct hvk_vcpu *vcpu);
void hvk_vgic_changed(struct hvk_irqchip *vgic, struct hvk_vcpu *only);
void hvk_vgic_update_live(struct hvk_irqchip *vgic);
void hvk_vgic_spi_retarget(struct hvk_irqchip *vgic, struct vgic_irq *i);

/* irq/vgic-mmio.c */
int hvk_vgic_dist_access(struct hvk_irqchip *vgic, u32 off, u32 len,
			 u64 *val, bool write, bool uaccess);
int hvk_vgic_redist_access(struct hvk_irqchip *vgic,
			   struct hvk_vcpu_irqchip *c, u32 off, u32 len,
			   u64 *val, bool write, bool uaccess);
int hvk_vgic_io(struct hvk_vcpu *vcpu, struct vgic_io *io, u64 addr,
		u32 len, void *val, bool write);

/* irq/vgic-sysregs.c: an ICC_* register (op0..op2 encoding), -ENXIO if unknown */
int hvk_vgic_sysreg(struct hvk_vcpu_irqchip *c, u32 reg, u64 *val,
		    bool write);

/* irq/vgic-dev.c */
int hvk_vgic_device_fd(struct hvk_vm *vm);
int hvk_vgic_regs_attr(struct hvk_irqchip *vgic, const struct kvm_device_attr *attr,
		       bool write);

#endif /* HVK_IRQ_VGIC_H */
