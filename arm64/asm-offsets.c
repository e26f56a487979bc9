// SPDX-License-Identifier: GPL-2.0
/*
 * Offsets arm64/switch.S needs into C structures, generated at build time
 * (Kbuild turns the DEFINE()s into arm64/hvk-asm-offsets.h) so that the
 * assembly never hard-codes a layout the compiler decides.
 */
#include <linux/kbuild.h>
#include <linux/kvm.h>
#include <linux/stddef.h>

int main(void)
{
	/* switch.S takes a struct user_pt_regs *: x0-x30, SP_EL0, PC, PSTATE */
	DEFINE(HVK_GPR_X0, offsetof(struct user_pt_regs, regs[0]));
	DEFINE(HVK_GPR_SP_EL0, offsetof(struct user_pt_regs, sp));
	DEFINE(HVK_GPR_PC, offsetof(struct user_pt_regs, pc));
	DEFINE(HVK_GPR_PSTATE, offsetof(struct user_pt_regs, pstate));
	/* __hvk_arm64_fp_load/save take a struct user_fpsimd_state * */
	DEFINE(HVK_FP_V0, offsetof(struct user_fpsimd_state, vregs[0]));
	DEFINE(HVK_FP_FPSR, offsetof(struct user_fpsimd_state, fpsr));
	DEFINE(HVK_FP_FPCR, offsetof(struct user_fpsimd_state, fpcr));
	return 0;
}
