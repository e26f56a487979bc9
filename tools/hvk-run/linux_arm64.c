// SPDX-License-Identifier: GPL-2.0
/*
 * hvk-run --kernel on arm64: the Image boot protocol
 * (Documentation/arm64/booting.rst) on a small "virt"-like machine.
 *
 *   0x08000000  GICv3 distributor (64 KiB), in the kernel (vGIC)
 *   0x080a0000  GICv3 redistributors, 128 KiB per vCPU, in the kernel
 *   0x09000000  PL011 UART, emulated here (MMIO exits), SPI 1, level
 *   0x80000000  RAM: the Image at its text_offset from the start (which is
 *               2 MiB aligned), the initrd below the device tree, the
 *               device tree in the last 2 MiB
 *
 * The vGIC is KVM's device (KVM_CREATE_DEVICE, KVM_DEV_TYPE_ARM_VGIC_V3):
 * its two regions are placed with KVM_DEV_ARM_VGIC_GRP_ADDR, and it is
 * initialized (KVM_DEV_ARM_VGIC_CTRL_INIT) once every vCPU exists. Every
 * vCPU has PSCI 0.2; all but the first start powered off and are brought
 * up by the guest with PSCI CPU_ON, in the kernel. The device tree is made
 * with libfdt: memory, the CPUs (enable-method psci), PSCI (hvc), the GIC,
 * the architected timer (its four PPIs), the UART and its clock, and
 * chosen (bootargs, stdout-path, the initrd).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include <libfdt.h>

#include "linux.h"
#include "pl011.h"

#define GIC_DIST_BASE		0x08000000ULL
#define GIC_DIST_SIZE		0x10000ULL
#define GIC_REDIST_BASE		0x080a0000ULL
#define GIC_REDIST_SIZE		0x20000ULL	/* RD + SGI frames, per vCPU */
#define UART_BASE		0x09000000ULL
#define UART_SPI		1
#define GIC_NR_IRQS		128		/* SGIs, PPIs and 96 SPIs */

#define IMAGE_MAGIC		0x644d5241	/* "ARM\x64" */
#define SZ_2M			(2 * MIB)
#define DTB_MAX			0x10000

/* DT interrupt specifiers (bindings/interrupt-controller/arm,gic-v3) */
#define DT_SPI			0
#define DT_PPI			1
#define DT_LEVEL_HIGH		4

#define PHANDLE_GIC		1
#define PHANDLE_CLK		2

#define CORE_REG(x)	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | \
			 KVM_REG_ARM_CORE | KVM_REG_ARM_CORE_REG(x))
#define MPIDR_EL1	ARM64_SYS_REG(3, 0, 0, 0, 5)

const uint64_t larch_ram_base = 0x80000000ULL;
const uint64_t larch_min_mem = 32 * MIB;
const char larch_default_cmdline[] = "console=ttyAMA0";

static struct {
	int gic_fd;
	struct kvm_vcpu_init init;
	uint64_t mpidr[LINUX_MAX_CPUS];
	uint64_t text_offset, image_size;
	uint64_t kernel_addr, initrd_addr, dtb_addr;
	struct pl011 uart;
	struct lvm *vm;
} a64;

int larch_check(struct lvm *vm)
{
	const uint8_t *k = vm->kernel;
	uint64_t ram_end = vm->ram_base + vm->ram_size;
	uint64_t flags, kernel_end, dtb_region;
	uint32_t magic;

	if (vm->kernel_size >= 2 && k[0] == 0x1f && k[1] == 0x8b) {
		die_msg("kernel %s is gzip-compressed: give the Image (e.g. zcat vmlinuz >Image)",
			vm->kernel_path);
		return -1;
	}
	if (vm->kernel_size < 64) {
		die_msg("kernel %s is too small to be an arm64 Image", vm->kernel_path);
		return -1;
	}
	memcpy(&magic, k + 56, 4);
	if (magic != IMAGE_MAGIC) {
		die_msg("kernel %s is not an arm64 Image (no \"ARM\\x64\" magic at offset 56)",
			vm->kernel_path);
		return -1;
	}
	memcpy(&a64.text_offset, k + 8, 8);
	memcpy(&a64.image_size, k + 16, 8);
	memcpy(&flags, k + 24, 8);
	/* booting.rst: image_size 0 means a pre-3.17 kernel at 0x80000. */
	if (!a64.image_size) {
		a64.text_offset = 0x80000;
		a64.image_size = align_up(vm->kernel_size, SZ_2M) + SZ_2M;
	}
	if (flags & 1) {
		die_msg("kernel %s is a big-endian Image; this machine is little-endian",
			vm->kernel_path);
		return -1;
	}
	if (a64.image_size < vm->kernel_size)
		a64.image_size = vm->kernel_size;
	/* RAM starts 2 MiB aligned: the Image goes at base + text_offset. */
	a64.kernel_addr = vm->ram_base + a64.text_offset;
	kernel_end = a64.kernel_addr + a64.image_size;
	/* The DTB alone in the last 2 MiB block (booting.rst, stage 2). */
	dtb_region = align_down(ram_end - 1, SZ_2M);
	a64.dtb_addr = dtb_region;
	a64.initrd_addr = align_down(dtb_region - vm->initrd_size, 4096);
	if (vm->ram_size < 2 * SZ_2M || dtb_region < kernel_end ||
	    dtb_region - kernel_end < vm->initrd_size) {
		die_msg("--mem %llu MiB is too small for kernel %s (%llu MiB with its bss)%s%s and the device tree",
			(unsigned long long)(vm->ram_size / MIB), vm->kernel_path,
			(unsigned long long)(a64.image_size / MIB),
			vm->initrd_path ? ", initrd " : "",
			vm->initrd_path ? vm->initrd_path : "");
		return -1;
	}
	return 0;
}

static int gic_attr(uint32_t group, uint64_t attr, void *addr, const char *what)
{
	struct kvm_device_attr da = {
		.group = group, .attr = attr, .addr = (uintptr_t)addr,
	};

	if (ioctl(a64.gic_fd, KVM_SET_DEVICE_ATTR, &da)) {
		die_msg("vGICv3 KVM_SET_DEVICE_ATTR %s: %s", what,
			strerror(errno));
		return -1;
	}
	return 0;
}

static void uart_set_irq(void *opaque, bool level)
{
	struct lvm *vm = opaque;
	struct kvm_irq_level irq = {
		.irq = (KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT) |
		       (32 + UART_SPI),
		.level = level,
	};

	if (ioctl(vm->vm_fd, KVM_IRQ_LINE, &irq))
		trace(&(struct machine){ .verbose = vm->verbose },
		      "KVM_IRQ_LINE (UART SPI %u, level %d): %s", UART_SPI,
		      level, strerror(errno));
}

int larch_setup_vm(struct lvm *vm)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	uint64_t dist = GIC_DIST_BASE, redist = GIC_REDIST_BASE;

	a64.vm = vm;
	if (ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_DEVICE_CTRL) <= 0) {
		die_msg("%s does not offer KVM_CAP_DEVICE_CTRL (KVM_CREATE_DEVICE), which the in-kernel GICv3 needs",
			vm->dev);
		return -1;
	}
	if (ioctl(vm->vm_fd, KVM_CREATE_DEVICE, &cd)) {
		die_msg("KVM_CREATE_DEVICE KVM_DEV_TYPE_ARM_VGIC_V3: %s: %s has no in-kernel GICv3, which booting Linux needs",
			strerror(errno), vm->dev);
		return -1;
	}
	a64.gic_fd = cd.fd;
	if (gic_attr(KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST,
		     &dist, "distributor address") ||
	    gic_attr(KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_REDIST,
		     &redist, "redistributor address"))
		return -1;
	if (ioctl(vm->vm_fd, KVM_ARM_PREFERRED_TARGET, &a64.init))
		return lfail("KVM_ARM_PREFERRED_TARGET");
	pl011_init(&a64.uart, uart_set_irq, vm);
	return 0;
}

int larch_setup_vcpu(struct lvm *vm, struct lvcpu *c)
{
	struct kvm_vcpu_init init = a64.init;
	struct kvm_one_reg reg = {
		.id = MPIDR_EL1, .addr = (uintptr_t)&a64.mpidr[c->id],
	};

	(void)vm;
	init.features[0] |= 1U << KVM_ARM_VCPU_PSCI_0_2;
	/* Secondaries wait for the guest's PSCI CPU_ON. */
	if (c->id)
		init.features[0] |= 1U << KVM_ARM_VCPU_POWER_OFF;
	if (ioctl(c->fd, KVM_ARM_VCPU_INIT, &init))
		return lfail("KVM_ARM_VCPU_INIT (PSCI 0.2)");
	/*
	 * The affinity the DT must give this CPU. KVM's reset value is
	 * Aff0 = id[3:0], Aff1 = id[11:4] (16 CPUs per cluster, the GICv3
	 * SGI target list width); used if the register cannot be read.
	 */
	if (ioctl(c->fd, KVM_GET_ONE_REG, &reg))
		a64.mpidr[c->id] = (c->id & 0xf) | ((c->id >> 4 & 0xff) << 8);
	a64.mpidr[c->id] &= 0xff00ffffffULL;
	return 0;
}

#define FDT_DO(call)						\
	do {							\
		int fdt_err_ = (call);				\
		if (fdt_err_) {					\
			die_msg("building the device tree: %s: %s", \
				#call, fdt_strerror(fdt_err_));	\
			return -1;				\
		}						\
	} while (0)

static int fdt_reg2(void *fdt, uint64_t a, uint64_t s, uint64_t b, uint64_t t,
		    int n)
{
	fdt64_t r[4] = { cpu_to_fdt64(a), cpu_to_fdt64(s),
			 cpu_to_fdt64(b), cpu_to_fdt64(t) };

	return fdt_property(fdt, "reg", r, n * 2 * sizeof(fdt64_t));
}

static int fdt_irq(void *fdt, const char *name, const uint32_t *cells, int n)
{
	fdt32_t v[12];
	int i;

	for (i = 0; i < n && i < 12; i++)
		v[i] = cpu_to_fdt32(cells[i]);
	return fdt_property(fdt, name, v, n * sizeof(fdt32_t));
}

static int build_fdt(struct lvm *vm, void *fdt)
{
	static const char uart_compat[] = "arm,pl011\0arm,primecell";
	static const char clk_names[] = "uartclk\0apb_pclk";
	const uint32_t timer_irqs[] = {
		/* secure phys, non-secure phys, virtual, hyp (DT PPI numbers) */
		DT_PPI, 13, DT_LEVEL_HIGH, DT_PPI, 14, DT_LEVEL_HIGH,
		DT_PPI, 11, DT_LEVEL_HIGH, DT_PPI, 10, DT_LEVEL_HIGH,
	};
	const uint32_t uart_irq[] = { DT_SPI, UART_SPI, DT_LEVEL_HIGH };
	const uint32_t clks[] = { PHANDLE_CLK, PHANDLE_CLK };
	char name[64];
	unsigned int i;

	FDT_DO(fdt_create(fdt, DTB_MAX));
	FDT_DO(fdt_finish_reservemap(fdt));
	FDT_DO(fdt_begin_node(fdt, ""));
	FDT_DO(fdt_property_string(fdt, "compatible", "linux,dummy-virt"));
	FDT_DO(fdt_property_string(fdt, "model", "hvk-run"));
	FDT_DO(fdt_property_u32(fdt, "#address-cells", 2));
	FDT_DO(fdt_property_u32(fdt, "#size-cells", 2));
	FDT_DO(fdt_property_u32(fdt, "interrupt-parent", PHANDLE_GIC));

	FDT_DO(fdt_begin_node(fdt, "chosen"));
	FDT_DO(fdt_property_string(fdt, "bootargs", vm->cmdline));
	snprintf(name, sizeof(name), "/pl011@%llx",
		 (unsigned long long)UART_BASE);
	FDT_DO(fdt_property_string(fdt, "stdout-path", name));
	if (vm->initrd_size) {
		FDT_DO(fdt_property_u64(fdt, "linux,initrd-start",
					a64.initrd_addr));
		FDT_DO(fdt_property_u64(fdt, "linux,initrd-end",
					a64.initrd_addr + vm->initrd_size));
	}
	FDT_DO(fdt_end_node(fdt));

	snprintf(name, sizeof(name), "memory@%llx",
		 (unsigned long long)vm->ram_base);
	FDT_DO(fdt_begin_node(fdt, name));
	FDT_DO(fdt_property_string(fdt, "device_type", "memory"));
	FDT_DO(fdt_reg2(fdt, vm->ram_base, vm->ram_size, 0, 0, 1));
	FDT_DO(fdt_end_node(fdt));

	FDT_DO(fdt_begin_node(fdt, "cpus"));
	FDT_DO(fdt_property_u32(fdt, "#address-cells", 1));
	FDT_DO(fdt_property_u32(fdt, "#size-cells", 0));
	for (i = 0; i < vm->ncpus; i++) {
		snprintf(name, sizeof(name), "cpu@%llx",
			 (unsigned long long)a64.mpidr[i]);
		FDT_DO(fdt_begin_node(fdt, name));
		FDT_DO(fdt_property_string(fdt, "device_type", "cpu"));
		FDT_DO(fdt_property_string(fdt, "compatible", "arm,arm-v8"));
		FDT_DO(fdt_property_u32(fdt, "reg", a64.mpidr[i]));
		FDT_DO(fdt_property_string(fdt, "enable-method", "psci"));
		FDT_DO(fdt_end_node(fdt));
	}
	FDT_DO(fdt_end_node(fdt));

	FDT_DO(fdt_begin_node(fdt, "psci"));
	FDT_DO(fdt_property(fdt, "compatible", "arm,psci-1.0\0arm,psci-0.2",
			    sizeof("arm,psci-1.0\0arm,psci-0.2")));
	FDT_DO(fdt_property_string(fdt, "method", "hvc"));
	FDT_DO(fdt_end_node(fdt));

	snprintf(name, sizeof(name), "interrupt-controller@%llx",
		 (unsigned long long)GIC_DIST_BASE);
	FDT_DO(fdt_begin_node(fdt, name));
	FDT_DO(fdt_property_string(fdt, "compatible", "arm,gic-v3"));
	FDT_DO(fdt_property_u32(fdt, "#interrupt-cells", 3));
	FDT_DO(fdt_property(fdt, "interrupt-controller", NULL, 0));
	FDT_DO(fdt_reg2(fdt, GIC_DIST_BASE, GIC_DIST_SIZE, GIC_REDIST_BASE,
			GIC_REDIST_SIZE * vm->ncpus, 2));
	FDT_DO(fdt_property_u32(fdt, "phandle", PHANDLE_GIC));
	FDT_DO(fdt_end_node(fdt));

	FDT_DO(fdt_begin_node(fdt, "timer"));
	FDT_DO(fdt_property_string(fdt, "compatible", "arm,armv8-timer"));
	FDT_DO(fdt_irq(fdt, "interrupts", timer_irqs, 12));
	FDT_DO(fdt_property(fdt, "always-on", NULL, 0));
	FDT_DO(fdt_end_node(fdt));

	FDT_DO(fdt_begin_node(fdt, "apb-pclk"));
	FDT_DO(fdt_property_string(fdt, "compatible", "fixed-clock"));
	FDT_DO(fdt_property_u32(fdt, "#clock-cells", 0));
	FDT_DO(fdt_property_u32(fdt, "clock-frequency", 24000000));
	FDT_DO(fdt_property_string(fdt, "clock-output-names", "clk24mhz"));
	FDT_DO(fdt_property_u32(fdt, "phandle", PHANDLE_CLK));
	FDT_DO(fdt_end_node(fdt));

	snprintf(name, sizeof(name), "pl011@%llx",
		 (unsigned long long)UART_BASE);
	FDT_DO(fdt_begin_node(fdt, name));
	FDT_DO(fdt_property(fdt, "compatible", uart_compat,
			    sizeof(uart_compat)));
	FDT_DO(fdt_reg2(fdt, UART_BASE, PL011_SIZE, 0, 0, 1));
	FDT_DO(fdt_irq(fdt, "interrupts", uart_irq, 3));
	FDT_DO(fdt_irq(fdt, "clocks", clks, 2));
	FDT_DO(fdt_property(fdt, "clock-names", clk_names,
			    sizeof(clk_names)));
	FDT_DO(fdt_end_node(fdt));

	FDT_DO(fdt_end_node(fdt));
	FDT_DO(fdt_finish(fdt));
	return 0;
}

static int set_reg(struct lvcpu *c, uint64_t id, uint64_t val, const char *what)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&val };

	if (ioctl(c->fd, KVM_SET_ONE_REG, &reg))
		return lfail(what);
	return 0;
}

int larch_boot(struct lvm *vm)
{
	static uint8_t fdt[DTB_MAX];
	uint32_t nr_irqs = GIC_NR_IRQS;
	struct lvcpu *c = &vm->vcpu[0];

	/* Every vCPU exists now: the vGIC can size its redistributors. */
	if (gic_attr(KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr_irqs,
		     "number of IRQs") ||
	    gic_attr(KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT,
		     NULL, "CTRL_INIT"))
		return -1;
	if (build_fdt(vm, fdt))
		return -1;
	if (lcopy(vm, a64.kernel_addr, vm->kernel, vm->kernel_size) ||
	    lcopy(vm, a64.dtb_addr, fdt, fdt_totalsize(fdt)) ||
	    (vm->initrd_size && lcopy(vm, a64.initrd_addr, vm->initrd,
				      vm->initrd_size)))
		return -1;
	/*
	 * booting.rst: x0 = the DTB's physical address, x1-x3 = 0, MMU and
	 * D-cache off, DAIF masked, EL1 (KVM_ARM_VCPU_INIT's reset state).
	 */
	if (set_reg(c, CORE_REG(regs.pc), a64.kernel_addr, "KVM_SET_ONE_REG pc") ||
	    set_reg(c, CORE_REG(regs.regs[0]), a64.dtb_addr, "KVM_SET_ONE_REG x0") ||
	    set_reg(c, CORE_REG(regs.regs[1]), 0, "KVM_SET_ONE_REG x1") ||
	    set_reg(c, CORE_REG(regs.regs[2]), 0, "KVM_SET_ONE_REG x2") ||
	    set_reg(c, CORE_REG(regs.regs[3]), 0, "KVM_SET_ONE_REG x3"))
		return -1;
	trace(&(struct machine){ .verbose = vm->verbose },
	      "arm64: Image at 0x%llx (text_offset 0x%llx, image_size 0x%llx), initrd at 0x%llx (%zu bytes), DTB at 0x%llx (%u bytes)",
	      (unsigned long long)a64.kernel_addr,
	      (unsigned long long)a64.text_offset,
	      (unsigned long long)a64.image_size,
	      (unsigned long long)a64.initrd_addr, vm->initrd_size,
	      (unsigned long long)a64.dtb_addr, fdt_totalsize(fdt));
	return 0;
}

static int handle_mmio(struct lvm *vm, struct lvcpu *c)
{
	struct kvm_run *run = c->run;
	uint64_t addr = run->mmio.phys_addr;
	uint32_t val = 0;
	unsigned int i;

	pthread_mutex_lock(&vm->dev_lock);
	if (addr >= UART_BASE && addr < UART_BASE + PL011_SIZE) {
		if (run->mmio.is_write) {
			for (i = 0; i < run->mmio.len && i < 4; i++)
				val |= (uint32_t)run->mmio.data[i] << (8 * i);
			pl011_write(&a64.uart, addr - UART_BASE, val);
		} else {
			val = pl011_read(&a64.uart, addr - UART_BASE);
		}
	} else {
		trace(&(struct machine){ .verbose = vm->verbose },
		      "vCPU %u: MMIO %s 0x%llx (%u bytes): no device there",
		      c->id, run->mmio.is_write ? "write to" : "read from",
		      (unsigned long long)addr, run->mmio.len);
		val = 0xffffffff;
	}
	if (!run->mmio.is_write) {
		memset(run->mmio.data, 0, sizeof(run->mmio.data));
		memcpy(run->mmio.data, &val, run->mmio.len < 4 ?
		       run->mmio.len : 4);
	}
	pthread_mutex_unlock(&vm->dev_lock);
	return RUN_AGAIN;
}

int larch_exit(struct lvm *vm, struct lvcpu *c)
{
	if (c->run->exit_reason == KVM_EXIT_MMIO)
		return handle_mmio(vm, c);
	return linux_common_exit(vm, c);
}

void larch_input(struct lvm *vm, const uint8_t *buf, size_t len)
{
	(void)vm;
	pl011_input(&a64.uart, buf, len);
}

size_t larch_input_room(struct lvm *vm)
{
	(void)vm;
	return pl011_room(&a64.uart);
}
