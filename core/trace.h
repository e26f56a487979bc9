/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvk's tracepoints (tracefs events/hvk/, perf and trace-cmd as "hvk:*").
 * Off, each is a patched-out branch on the path it sits on; on, one ring
 * buffer record.
 *
 *   hvk_entry   a vCPU enters its guest
 *   hvk_exit    ... and comes back, with the arch's raw exit reason (VMX
 *               basic exit reason; arm64 ESR_EL2.EC, 64 + kind for an
 *               interrupt or SError)
 *   hvk_pio     an IN/OUT the backend decoded, and whether an in-kernel
 *               device took it or it goes to the VMM
 *   hvk_mmio    the same for an MMIO access
 *   hvk_map     a fault-in mapped guest memory (gpa, level, writable)
 *   hvk_inject  an exception hvk raised in the guest (vector or syndrome)
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM hvk

#if !defined(HVK_CORE_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define HVK_CORE_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(hvk_entry,
	TP_PROTO(u32 vcpu_id),
	TP_ARGS(vcpu_id),
	TP_STRUCT__entry(
		__field(u32, vcpu_id)
	),
	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
	),
	TP_printk("vcpu %u", __entry->vcpu_id)
);

TRACE_EVENT(hvk_exit,
	TP_PROTO(u32 vcpu_id, u64 reason),
	TP_ARGS(vcpu_id, reason),
	TP_STRUCT__entry(
		__field(u32, vcpu_id)
		__field(u64, reason)
	),
	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->reason = reason;
	),
	TP_printk("vcpu %u reason %llu", __entry->vcpu_id, __entry->reason)
);

DECLARE_EVENT_CLASS(hvk_io,
	TP_PROTO(u32 vcpu_id, u64 addr, u32 len, bool write, bool in_kernel),
	TP_ARGS(vcpu_id, addr, len, write, in_kernel),
	TP_STRUCT__entry(
		__field(u32, vcpu_id)
		__field(u64, addr)
		__field(u32, len)
		__field(bool, write)
		__field(bool, in_kernel)
	),
	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->addr = addr;
		__entry->len = len;
		__entry->write = write;
		__entry->in_kernel = in_kernel;
	),
	TP_printk("vcpu %u %s %#llx len %u %s", __entry->vcpu_id,
		  __entry->write ? "write" : "read", __entry->addr,
		  __entry->len, __entry->in_kernel ? "kernel" : "user")
);

DEFINE_EVENT(hvk_io, hvk_pio,
	TP_PROTO(u32 vcpu_id, u64 addr, u32 len, bool write, bool in_kernel),
	TP_ARGS(vcpu_id, addr, len, write, in_kernel)
);

DEFINE_EVENT(hvk_io, hvk_mmio,
	TP_PROTO(u32 vcpu_id, u64 addr, u32 len, bool write, bool in_kernel),
	TP_ARGS(vcpu_id, addr, len, write, in_kernel)
);

TRACE_EVENT(hvk_map,
	TP_PROTO(u64 gpa, int level, bool writable),
	TP_ARGS(gpa, level, writable),
	TP_STRUCT__entry(
		__field(u64, gpa)
		__field(int, level)
		__field(bool, writable)
	),
	TP_fast_assign(
		__entry->gpa = gpa;
		__entry->level = level;
		__entry->writable = writable;
	),
	TP_printk("gpa %#llx level %d %s", __entry->gpa, __entry->level,
		  __entry->writable ? "rw" : "ro")
);

TRACE_EVENT(hvk_inject,
	TP_PROTO(u32 vcpu_id, u64 what),
	TP_ARGS(vcpu_id, what),
	TP_STRUCT__entry(
		__field(u32, vcpu_id)
		__field(u64, what)
	),
	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->what = what;
	),
	TP_printk("vcpu %u %#llx", __entry->vcpu_id, __entry->what)
);

#endif /* HVK_CORE_TRACE_H */

/* This part must be outside the include guard. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
