/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decoding of the guest instruction behind an MMIO EPT violation.
 *
 * When a guest touches a guest-physical address outside every memslot,
 * the EPT violation gives the address and the VM-exit instruction length,
 * but not the operand: which register is stored, which one a load lands
 * in, how wide the access is and how the loaded value is extended. This
 * file and emulate.c decode the faulting instruction to answer that.
 *
 * They are pure logic: no kernel calls, no guest memory access. The
 * caller fetches the instruction bytes (at most 15) and passes them with
 * the CPU mode; it also owns the register file, the exit to userspace
 * (KVM_EXIT_MMIO) and RIP. The same two files build as a host unit test
 * (selftests/unit/emulate_test.c) with a small shim for the kernel types.
 *
 * Forms decoded (Vol. 2B chapter 4 "Instruction Set Reference, M-U"
 * and Vol. 2A chapter 3 "Instruction Set Reference, A-L"):
 *   MOV 88/89/8A/8B /r, MOV C6 /0 ib, MOV C7 /0 iw/id, MOV A0-A3 (moffs),
 *   MOVZX 0F B6/B7, MOVSX 0F BE/BF, MOVSXD 63 (64-bit mode),
 *   STOS AA/AB, LODS AC/AD, MOVS A4/A5 (with or without REP).
 * ALU forms with a memory operand (ADD/OR/ADC/SBB/AND/SUB/XOR/CMP 00-3B,
 * 80/81/83, TEST 84/85 and F6/F7 /0) are decoded for their length only
 * and reported as -EOPNOTSUPP.
 */
#ifndef HVK_VMX_EMULATE_H
#define HVK_VMX_EMULATE_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/types.h>
#else
#include "kernel_shim.h"
#endif

/* Vol. 2A 2.1 "Instruction Format": no instruction exceeds 15 bytes. */
#define MMIO_INSN_MAX_LEN	15

/**
 * enum x86_cpu_mode - the code segment's execution mode
 * @X86_MODE_REAL: real-address or virtual-8086 mode (16-bit defaults)
 * @X86_MODE_PROT16: protected or compatibility mode, CS.D = 0
 * @X86_MODE_PROT32: protected or compatibility mode, CS.D = 1
 * @X86_MODE_LONG64: 64-bit mode (IA32_EFER.LMA = 1 and CS.L = 1)
 *
 * Vol. 1 3.6 "Operand-size and Address-size Attributes": the mode gives
 * the default operand and address sizes; REAL and PROT16 decode alike.
 */
enum x86_cpu_mode {
	X86_MODE_REAL,
	X86_MODE_PROT16,
	X86_MODE_PROT32,
	X86_MODE_LONG64,
};

/**
 * enum mmio_op - what the decoded instruction does with the MMIO operand
 * @MMIO_OP_MOV: a plain load or store (MOV, MOVZX, MOVSX, MOVSXD)
 * @MMIO_OP_STOS: STOS: store rAX at ES:rDI
 * @MMIO_OP_LODS: LODS: load rAX from seg:rSI
 * @MMIO_OP_MOVS: MOVS: copy seg:rSI to ES:rDI; both sides are memory
 */
enum mmio_op {
	MMIO_OP_MOV,
	MMIO_OP_STOS,
	MMIO_OP_LODS,
	MMIO_OP_MOVS,
};

/**
 * enum mmio_src - where the value of a store comes from
 * @MMIO_SRC_NONE: no register or immediate: a load, or MOVS
 * @MMIO_SRC_REG: general-purpose register @mmio_insn.reg
 * @MMIO_SRC_IMM: the immediate @mmio_insn.imm
 */
enum mmio_src {
	MMIO_SRC_NONE,
	MMIO_SRC_REG,
	MMIO_SRC_IMM,
};

/**
 * enum mmio_ext - how a load is widened into its destination register
 * @MMIO_EXT_NONE: destination is as wide as the access
 * @MMIO_EXT_ZERO: zero-extended to @mmio_insn.dst_size (MOVZX)
 * @MMIO_EXT_SIGN: sign-extended to @mmio_insn.dst_size (MOVSX, MOVSXD)
 */
enum mmio_ext {
	MMIO_EXT_NONE,
	MMIO_EXT_ZERO,
	MMIO_EXT_SIGN,
};

/* Segment registers, numbered as in the ModRM.reg of MOV Sreg (8C/8E). */
#define MMIO_SEG_ES	0
#define MMIO_SEG_CS	1
#define MMIO_SEG_SS	2
#define MMIO_SEG_DS	3
#define MMIO_SEG_FS	4
#define MMIO_SEG_GS	5
#define MMIO_SEG_NONE	0xff

/* No register in an address (@mmio_insn.base, @mmio_insn.index). */
#define MMIO_REG_NONE	0xff

/**
 * struct mmio_insn - a decoded instruction with one MMIO memory operand
 * @len: instruction length in bytes, prefixes included (1-15)
 * @size: access size in bytes: 1, 2, 4 or 8
 * @write: the guest writes memory (store); false for a load. For MOVS
 *	both sides are memory: the EPT exit qualification (data read or
 *	data write) tells which side faulted, and @write is false.
 * @op: the kind of instruction, see &enum mmio_op
 * @src: for a store, where the value comes from, see &enum mmio_src
 * @reg: GPR number 0-15 (RAX = 0 ... R15 = 15) of the register operand:
 *	the source of a store, the destination of a load. 0 (rAX) for
 *	STOS, LODS and the moffs forms of MOV.
 * @high_byte: @reg names AH/CH/DH/BH: a byte operand, no REX prefix and
 *	register field 4-7 (Vol. 2A 3.1.1.1, Table 3-1); @reg is then the
 *	register holding it: RAX, RCX, RDX or RBX (0-3)
 * @imm: for %MMIO_SRC_IMM, the immediate, already sign-extended to 64
 *	bits as the instruction does (C7 /0 with REX.W)
 * @ext: widening of a load, see &enum mmio_ext
 * @dst_size: width in bytes of the register a load writes: @size unless
 *	@ext is set (MOVZX, MOVSX, MOVSXD), where it is the operand size
 * @addr_size: address size in bytes (2, 4, 8): the width of rSI, rDI and
 *	rCX for a string instruction, and of the moffs of MOV A0-A3
 * @seg: segment override prefix (%MMIO_SEG_*), or %MMIO_SEG_NONE. In
 *	64-bit mode only FS and GS are reported (the others are ignored
 *	there). ES:rDI of STOS and MOVS cannot be overridden.
 * @is_string: a string instruction (STOS, LODS, MOVS)
 * @rep: a string instruction with a REP prefix (F3, or F2, which MOVS,
 *	STOS and LODS treat the same way): the count is in rCX of width
 *	@addr_size, the direction in RFLAGS.DF
 * @rip_relative: the memory operand is RIP-relative (64-bit mode)
 * @base: GPR number of the memory operand's base register, or
 *	%MMIO_REG_NONE (also for string instructions, whose address is
 *	rSI or rDI)
 * @index: GPR number of its index register, or %MMIO_REG_NONE
 * @scale: the index's factor: 1, 2, 4 or 8
 * @disp: the displacement, sign-extended to 64 bits; for the moffs forms
 *	of MOV the offset itself
 * @ss_default: the operand's default segment is SS (base rBP or rSP,
 *	Vol. 1 3.7.4.1 "Specifying a Segment Selector"), not DS
 */
struct mmio_insn {
	u8 len;
	u8 size;
	bool write;
	enum mmio_op op;
	enum mmio_src src;
	u8 reg;
	bool high_byte;
	u64 imm;
	enum mmio_ext ext;
	u8 dst_size;
	u8 addr_size;
	u8 seg;
	bool is_string;
	bool rep;
	bool rip_relative;
	u8 base;
	u8 index;
	u8 scale;
	u64 disp;
	bool ss_default;
};

/**
 * mmio_decode() - decode the instruction behind an MMIO access
 * @bytes: the instruction bytes, fetched from the guest's RIP
 * @avail: how many bytes of @bytes are valid; bytes past the first 15
 *	are never read
 * @mode: the guest's execution mode
 * @out: the decoded instruction; written on every return, meaningful on
 *	0 (and its @len also on -EOPNOTSUPP for the known ALU forms)
 *
 * Return: 0 on success; -EINVAL if the bytes are not a whole valid
 * instruction: truncated (fewer than needed in @avail), longer than 15
 * bytes, or one that raises #UD (LOCK on MOV). -EOPNOTSUPP if the
 * instruction is valid as far as seen but is not one that is emulated
 * here, or has no memory operand.
 */
int mmio_decode(const u8 *bytes, unsigned int avail, enum x86_cpu_mode mode,
		struct mmio_insn *out);

/**
 * mmio_read_result() - the register value after a load completes
 * @insn: the decoded load (@insn->write false, not MOVS)
 * @old: the destination register's value before the instruction
 * @data: the @insn->size bytes read, in guest (little-endian) order, as
 *	in kvm_run->mmio.data
 *
 * Vol. 1 3.4.1.1 "General-Purpose Registers in 64-Bit Mode": 8- and
 * 16-bit results merge into the old value, 32-bit results are
 * zero-extended to 64 bits; AH/CH/DH/BH are bits 15:8. MOVZX, MOVSX and
 * MOVSXD first extend the value to @insn->dst_size.
 *
 * Return: the new 64-bit value of register @insn->reg.
 */
u64 mmio_read_result(const struct mmio_insn *insn, u64 old, const void *data);

/**
 * mmio_write_value() - the value a store writes
 * @insn: the decoded store (@insn->write true)
 * @regs: the guest's general-purpose registers, RAX = 0 ... R15 = 15
 *
 * Return: the value truncated to @insn->size bytes, from the register
 * (bits 15:8 for AH/CH/DH/BH) or the immediate; 0 for %MMIO_SRC_NONE.
 * Store its low @insn->size bytes little-endian into kvm_run->mmio.data.
 */
u64 mmio_write_value(const struct mmio_insn *insn, const u64 regs[16]);

/**
 * mmio_effective_addr() - the offset of the memory operand in its segment
 * @insn: a decoded instruction with a ModRM or moffs memory operand (not
 *	a string instruction)
 * @regs: the guest's general-purpose registers, RAX = 0 ... R15 = 15
 * @next_rip: RIP of the next instruction (RIP + @insn->len), for
 *	RIP-relative operands
 *
 * Vol. 1 3.7.5 "Specifying an Offset": base + index * scale +
 * displacement, truncated to the address size.
 *
 * Return: the effective address; add the segment base for the linear one.
 */
u64 mmio_effective_addr(const struct mmio_insn *insn, const u64 regs[16],
			u64 next_rip);

#endif /* HVK_VMX_EMULATE_H */
