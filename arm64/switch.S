/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The arm64 world switch, and nothing else: hvk's EL2 vector table, the
 * ERET into the guest and the way back, and the FP/SIMD register file.
 *
 * arm64/world.c calls __hvk_arm64_enter() with interrupts masked, after
 * loading the guest's EL1 system registers, VTTBR_EL2, HCR_EL2 and the
 * rest. This file saves the host's callee-saved registers, SP_EL0 (the
 * host kernel's `current`), VBAR_EL2 and DAIF on the host stack, points
 * VBAR_EL2 at __hvk_vectors, loads the guest's general-purpose registers,
 * SP_EL0, ELR_EL2 (guest PC) and SPSR_EL2 (guest PSTATE), and ERETs.
 *
 * Any exception from the guest arrives at EL2 on SP_EL2, the host stack
 * the frame is on: the vector pushes the guest's x0/x1, saves the rest
 * through the guest pointer kept in the frame, puts the host's SP_EL0 and
 * VBAR_EL2 back and returns to the C caller with the exit kind in x0.
 * ESR_EL2, FAR_EL2 and HPFAR_EL2 stay valid for the caller to read: no
 * exception can be taken at EL2 between here and there (DAIF masked).
 *
 * Offsets into struct user_pt_regs come from asm-offsets.c.
 */
#include <linux/linkage.h>
#include <asm/assembler.h>

#include "hvk-asm-offsets.h"

/* Host frame on the stack while the guest runs. */
#define FRAME_X19	0
#define FRAME_X18	96	/* x18, then the guest's struct user_pt_regs * */
#define FRAME_GUEST	104
#define FRAME_SP_EL0	112	/* host SP_EL0, then host VBAR_EL2 */
#define FRAME_VBAR	120
#define FRAME_DAIF	128
#define FRAME_SIZE	144

/* enum hvk_exit_kind in hvk_arch.h */
#define EXIT_SYNC	0
#define EXIT_IRQ	1
#define EXIT_FIQ	2
#define EXIT_SERROR	3
#define EXIT_NONE	4	/* not entered: a host SError is pending */

#define GPR(n)		(HVK_GPR_X0 + 8 * (n))

	.text

/*
 * u32 __hvk_arm64_enter(struct user_pt_regs *guest)
 *
 * Runs the guest until its next exception to EL2; returns the exit kind.
 */
SYM_FUNC_START(__hvk_arm64_enter)
	sub	sp, sp, #FRAME_SIZE
	stp	x19, x20, [sp, #FRAME_X19]
	stp	x21, x22, [sp, #FRAME_X19 + 16]
	stp	x23, x24, [sp, #FRAME_X19 + 32]
	stp	x25, x26, [sp, #FRAME_X19 + 48]
	stp	x27, x28, [sp, #FRAME_X19 + 64]
	stp	x29, x30, [sp, #FRAME_X19 + 80]
	stp	x18, x0, [sp, #FRAME_X18]
	mrs	x1, sp_el0
	mrs	x2, vbar_el2
	stp	x1, x2, [sp, #FRAME_SP_EL0]
	mrs	x1, daif
	str	x1, [sp, #FRAME_DAIF]

	/*
	 * An SError already pending is the host's: with HCR_EL2.AMO set it
	 * would be taken to EL2 the moment the guest runs and look like the
	 * guest's. Let the host's earlier accesses finish and report (DSB
	 * SY, then ISB so that ISR_EL1 is read after), and if ISR_EL1.A
	 * (bit 8) says one is pending, do not enter: the caller unmasks
	 * PSTATE.A with the host's vectors in place and the host takes it
	 * (arm64/serror.c).
	 */
	dsb	sy
	isb
	mrs	x1, isr_el1
	tbnz	x1, #8, .Lserror_pending

	/* Nothing may be taken at EL2 while VBAR_EL2 is ours. */
	msr	daifset, #0xf
	adr_l	x1, __hvk_vectors
	msr	vbar_el2, x1

	ldr	x1, [x0, #HVK_GPR_PC]
	msr	elr_el2, x1
	ldr	x1, [x0, #HVK_GPR_PSTATE]
	msr	spsr_el2, x1
	ldr	x1, [x0, #HVK_GPR_SP_EL0]
	msr	sp_el0, x1
	isb

	ldp	x2, x3, [x0, #GPR(2)]
	ldp	x4, x5, [x0, #GPR(4)]
	ldp	x6, x7, [x0, #GPR(6)]
	ldp	x8, x9, [x0, #GPR(8)]
	ldp	x10, x11, [x0, #GPR(10)]
	ldp	x12, x13, [x0, #GPR(12)]
	ldp	x14, x15, [x0, #GPR(14)]
	ldp	x16, x17, [x0, #GPR(16)]
	ldp	x18, x19, [x0, #GPR(18)]
	ldp	x20, x21, [x0, #GPR(20)]
	ldp	x22, x23, [x0, #GPR(22)]
	ldp	x24, x25, [x0, #GPR(24)]
	ldp	x26, x27, [x0, #GPR(26)]
	ldp	x28, x29, [x0, #GPR(28)]
	ldr	x30, [x0, #GPR(30)]
	ldp	x0, x1, [x0, #GPR(0)]
	eret
	/* No speculation past the ERET. */
	dsb	nsh
	isb

.Lserror_pending:
	/* Only x0-x2 and SP changed so far. */
	add	sp, sp, #FRAME_SIZE
	mov	x0, #EXIT_NONE
	ret
SYM_FUNC_END(__hvk_arm64_enter)

/* Entered from a vector: guest x0/x1 pushed, x0 = exit kind. */
SYM_CODE_START_LOCAL(__hvk_arm64_exit)
	ldr	x1, [sp, #16 + FRAME_GUEST]
	stp	x2, x3, [x1, #GPR(2)]
	stp	x4, x5, [x1, #GPR(4)]
	stp	x6, x7, [x1, #GPR(6)]
	stp	x8, x9, [x1, #GPR(8)]
	stp	x10, x11, [x1, #GPR(10)]
	stp	x12, x13, [x1, #GPR(12)]
	stp	x14, x15, [x1, #GPR(14)]
	stp	x16, x17, [x1, #GPR(16)]
	stp	x18, x19, [x1, #GPR(18)]
	stp	x20, x21, [x1, #GPR(20)]
	stp	x22, x23, [x1, #GPR(22)]
	stp	x24, x25, [x1, #GPR(24)]
	stp	x26, x27, [x1, #GPR(26)]
	stp	x28, x29, [x1, #GPR(28)]
	str	x30, [x1, #GPR(30)]

	/*
	 * Branch predictor hardening, before the host's first indirect
	 * branch (the RET below and the C exit handlers after it), chosen
	 * at load by arm64/spectre.c. x2-x30 are free (the guest's are
	 * saved), x0 is the exit kind and x1 the guest pointer.
	 */
	adr_l	x2, hvk_spectre_exit
	ldp	w3, w4, [x2]
	ldr	w5, [x2, #8]
	/*
	 * Spectre-BHB loop: k taken branches overwrite the branch history,
	 * then DSB NSH; ISB (Arm's Spectre-BHB mitigation sequence).
	 */
	cbz	w3, 2f
1:	b	3f
3:	subs	w3, w3, #1
	b.ne	1b
	dsb	nsh
	isb
2:	cbz	w4, 4f
	hint	#22			/* CLRBHB (a NOP without FEAT_CLRBHB) */
	isb
4:	cbz	w5, 5f
	/*
	 * SMCCC_ARCH_WORKAROUND_1 or _3 in EL3 firmware: SMCCC v1.1 keeps
	 * x4-x17 and corrupts x0-x3 only.
	 */
	mov	x19, x0
	mov	x20, x1
	mov	w0, w5
	smc	#0
	mov	x0, x19
	mov	x1, x20
5:
	ldp	x2, x3, [sp], #16
	stp	x2, x3, [x1, #GPR(0)]
	mrs	x2, sp_el0
	str	x2, [x1, #HVK_GPR_SP_EL0]
	mrs	x2, elr_el2
	str	x2, [x1, #HVK_GPR_PC]
	mrs	x2, spsr_el2
	str	x2, [x1, #HVK_GPR_PSTATE]

	ldp	x2, x3, [sp, #FRAME_SP_EL0]
	msr	sp_el0, x2
	msr	vbar_el2, x3
	isb

	ldp	x19, x20, [sp, #FRAME_X19]
	ldp	x21, x22, [sp, #FRAME_X19 + 16]
	ldp	x23, x24, [sp, #FRAME_X19 + 32]
	ldp	x25, x26, [sp, #FRAME_X19 + 48]
	ldp	x27, x28, [sp, #FRAME_X19 + 64]
	ldp	x29, x30, [sp, #FRAME_X19 + 80]
	ldr	x18, [sp, #FRAME_X18]
	ldr	x2, [sp, #FRAME_DAIF]
	add	sp, sp, #FRAME_SIZE
	msr	daif, x2
	ret
SYM_CODE_END(__hvk_arm64_exit)

.macro hvk_vector kind
	.align 7
	stp	x0, x1, [sp, #-16]!
	mov	x0, #\kind
	b	__hvk_arm64_exit
.endm

/*
 * An exception taken at EL2 itself while this table is installed: the
 * window between the two VBAR_EL2 writes runs with DAIF masked and makes
 * no access that can fault, so this cannot happen; if it does, stop this
 * CPU here rather than run the host's handlers on a half-switched state.
 */
.macro hvk_vector_el2
	.align 7
1:	wfe
	b	1b
.endm

	.align 11
SYM_CODE_START(__hvk_vectors)
	hvk_vector_el2			/* current EL, SP_EL0 */
	hvk_vector_el2
	hvk_vector_el2
	hvk_vector_el2
	hvk_vector_el2			/* current EL, SP_ELx */
	hvk_vector_el2
	hvk_vector_el2
	hvk_vector_el2
	hvk_vector EXIT_SYNC		/* lower EL, AArch64 */
	hvk_vector EXIT_IRQ
	hvk_vector EXIT_FIQ
	hvk_vector EXIT_SERROR
	hvk_vector EXIT_SYNC		/* lower EL, AArch32 (guest EL0) */
	hvk_vector EXIT_IRQ
	hvk_vector EXIT_FIQ
	hvk_vector EXIT_SERROR
SYM_CODE_END(__hvk_vectors)

/*
 * void __hvk_arm64_fp_load(const struct user_fpsimd_state *fp)
 * void __hvk_arm64_fp_save(struct user_fpsimd_state *fp)
 *
 * V0-V31, FPSR and FPCR, called between kernel_neon_begin() and
 * kernel_neon_end() (the host's own FP state is saved by then).
 */
SYM_FUNC_START(__hvk_arm64_fp_load)
	ldp	q0, q1, [x0, #HVK_FP_V0 + 16 * 0]
	ldp	q2, q3, [x0, #HVK_FP_V0 + 16 * 2]
	ldp	q4, q5, [x0, #HVK_FP_V0 + 16 * 4]
	ldp	q6, q7, [x0, #HVK_FP_V0 + 16 * 6]
	ldp	q8, q9, [x0, #HVK_FP_V0 + 16 * 8]
	ldp	q10, q11, [x0, #HVK_FP_V0 + 16 * 10]
	ldp	q12, q13, [x0, #HVK_FP_V0 + 16 * 12]
	ldp	q14, q15, [x0, #HVK_FP_V0 + 16 * 14]
	ldp	q16, q17, [x0, #HVK_FP_V0 + 16 * 16]
	ldp	q18, q19, [x0, #HVK_FP_V0 + 16 * 18]
	ldp	q20, q21, [x0, #HVK_FP_V0 + 16 * 20]
	ldp	q22, q23, [x0, #HVK_FP_V0 + 16 * 22]
	ldp	q24, q25, [x0, #HVK_FP_V0 + 16 * 24]
	ldp	q26, q27, [x0, #HVK_FP_V0 + 16 * 26]
	ldp	q28, q29, [x0, #HVK_FP_V0 + 16 * 28]
	ldp	q30, q31, [x0, #HVK_FP_V0 + 16 * 30]
	ldr	w1, [x0, #HVK_FP_FPSR]
	ldr	w2, [x0, #HVK_FP_FPCR]
	msr	fpsr, x1
	msr	fpcr, x2
	ret
SYM_FUNC_END(__hvk_arm64_fp_load)

SYM_FUNC_START(__hvk_arm64_fp_save)
	stp	q0, q1, [x0, #HVK_FP_V0 + 16 * 0]
	stp	q2, q3, [x0, #HVK_FP_V0 + 16 * 2]
	stp	q4, q5, [x0, #HVK_FP_V0 + 16 * 4]
	stp	q6, q7, [x0, #HVK_FP_V0 + 16 * 6]
	stp	q8, q9, [x0, #HVK_FP_V0 + 16 * 8]
	stp	q10, q11, [x0, #HVK_FP_V0 + 16 * 10]
	stp	q12, q13, [x0, #HVK_FP_V0 + 16 * 12]
	stp	q14, q15, [x0, #HVK_FP_V0 + 16 * 14]
	stp	q16, q17, [x0, #HVK_FP_V0 + 16 * 16]
	stp	q18, q19, [x0, #HVK_FP_V0 + 16 * 18]
	stp	q20, q21, [x0, #HVK_FP_V0 + 16 * 20]
	stp	q22, q23, [x0, #HVK_FP_V0 + 16 * 22]
	stp	q24, q25, [x0, #HVK_FP_V0 + 16 * 24]
	stp	q26, q27, [x0, #HVK_FP_V0 + 16 * 26]
	stp	q28, q29, [x0, #HVK_FP_V0 + 16 * 28]
	stp	q30, q31, [x0, #HVK_FP_V0 + 16 * 30]
	mrs	x1, fpsr
	mrs	x2, fpcr
	str	w1, [x0, #HVK_FP_FPSR]
	str	w2, [x0, #HVK_FP_FPCR]
	ret
SYM_FUNC_END(__hvk_arm64_fp_save)
