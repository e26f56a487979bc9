// SPDX-License-Identifier: GPL-2.0
/*
 * libhvk: exit-reason names (the one table every tool uses) and exit
 * descriptions for messages.
 */
#include <stdio.h>
#include <string.h>

#include "libhvk.h"

#define N(x) [KVM_EXIT_##x] = "KVM_EXIT_" #x

static const char *const exit_names[] = {
	N(UNKNOWN), N(EXCEPTION), N(IO), N(HYPERCALL), N(DEBUG), N(HLT),
	N(MMIO), N(IRQ_WINDOW_OPEN), N(SHUTDOWN), N(FAIL_ENTRY), N(INTR),
	N(SET_TPR), N(TPR_ACCESS), N(S390_SIEIC), N(S390_RESET), N(DCR),
	N(NMI), N(INTERNAL_ERROR), N(OSI), N(PAPR_HCALL), N(S390_UCONTROL),
	N(WATCHDOG), N(S390_TSCH), N(EPR), N(SYSTEM_EVENT), N(S390_STSI),
	N(IOAPIC_EOI), N(HYPERV), N(ARM_NISV), N(X86_RDMSR), N(X86_WRMSR),
	N(DIRTY_RING_FULL), N(AP_RESET_HOLD), N(X86_BUS_LOCK), N(XEN),
};

#undef N

const char *hvk_exit_name(uint32_t reason)
{
	if (reason < sizeof(exit_names) / sizeof(exit_names[0]))
		return exit_names[reason];
	return NULL;
}

const char *hvk_exit_short(uint32_t reason)
{
	const char *n = hvk_exit_name(reason);

	return n ? n + strlen("KVM_EXIT_") : NULL;
}

char *hvk_exit_str(const struct kvm_run *run, char *buf, size_t size)
{
	const char *n = hvk_exit_short(run->exit_reason);

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		snprintf(buf, size,
			 "IO %s port %#x size %u count %u data_offset %#llx",
			 run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in",
			 run->io.port, run->io.size, run->io.count,
			 (unsigned long long)run->io.data_offset);
		break;
	case KVM_EXIT_MMIO:
		snprintf(buf, size, "MMIO %s gpa %#llx len %u",
			 run->mmio.is_write ? "write" : "read",
			 (unsigned long long)run->mmio.phys_addr,
			 run->mmio.len);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(buf, size, "FAIL_ENTRY reason %#llx",
			 (unsigned long long)
			 run->fail_entry.hardware_entry_failure_reason);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		snprintf(buf, size, "INTERNAL_ERROR suberror %u",
			 run->internal.suberror);
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		snprintf(buf, size, "SYSTEM_EVENT type %u",
			 run->system_event.type);
		break;
	default:
		snprintf(buf, size, "%s (%u)", n ? n : "other",
			 run->exit_reason);
	}
	return buf;
}

uint64_t hvk_mmio_data(const struct kvm_run *run)
{
	uint64_t v = 0;
	int b;

	for (b = (int)run->mmio.len - 1; b >= 0; b--)
		v = (v << 8) | run->mmio.data[b];
	return v;
}

void hvk_mmio_fill(struct kvm_run *run, uint64_t v)
{
	unsigned int b;

	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	for (b = 0; b < run->mmio.len && b < 8; b++)
		run->mmio.data[b] = v >> (8 * b);
}
