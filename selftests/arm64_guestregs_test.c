// SPDX-License-Identifier: GPL-2.0
/*
 * ONE_REG from the guest's side: the core registers the host sets (X1-X30,
 * SP_EL1, SP_EL0, ELR_EL1, SPSR_EL1, the NZCV flags, V0-V31, FPSR, FPCR)
 * are what the guest reads, and what the guest writes is what the host
 * reads back. ID registers read through KVM_GET_ONE_REG
 * (KVM_REG_ARM64_SYSREG encodings) are what the guest reads with MRS.
 *
 * Expectations are Linux 6.1 KVM's (arch/arm64/kvm/guest.c core
 * registers; sys_regs.c read_id_reg: the ID registers userspace reads are
 * the sanitised ones the guest sees; no SVE unless the vCPU asked for it).
 */
#include "kselftest_harness.h"
#include "lib.h"

#ifndef __aarch64__
#error "arm64 guest code: the Makefile builds arm64_*_test.c for arm64 only"
#endif

#include "arm64_guest.h"

/* Where the guest dumps what it found, and reads what it must set. */
#define DUMP_OFF	0x8000
#define NEW_OFF		0x9000
#define O_SP		0x100
#define O_SP_EL0	0x108
#define O_ELR		0x110
#define O_SPSR		0x118
#define O_NZCV		0x120
#define O_FPSR		0x128
#define O_FPCR		0x130
#define O_V		0x200

#define REGS_1_30 "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20," \
	"21,22,23,24,25,26,27,28,29,30"
#define REGS_0_31 "0," REGS_1_30 ",31"

/*
 * x0 = RAM + DUMP_OFF. Dump everything, turn FP on, dump the FP state,
 * load the new values from x0 + 0x1000 (NEW_OFF), and exit with
 * "str x29, [x30]" (the new x30 is an MMIO address).
 */
GUEST_CODE(g_regs,
	".irp r," REGS_1_30 "\n"
	"str	x\\r, [x0, #(8 * \\r)]\n"
	".endr\n"
	"mov	x1, sp\n"
	"str	x1, [x0, #" G_STR(O_SP) "]\n"
	"mrs	x1, sp_el0\n"
	"str	x1, [x0, #" G_STR(O_SP_EL0) "]\n"
	"mrs	x1, elr_el1\n"
	"str	x1, [x0, #" G_STR(O_ELR) "]\n"
	"mrs	x1, spsr_el1\n"
	"str	x1, [x0, #" G_STR(O_SPSR) "]\n"
	"mrs	x1, nzcv\n"
	"str	x1, [x0, #" G_STR(O_NZCV) "]\n"
	"mov	x1, #(3 << 20)\n"
	"msr	cpacr_el1, x1\n"
	"isb\n"
	"mrs	x1, fpsr\n"
	"str	x1, [x0, #" G_STR(O_FPSR) "]\n"
	"mrs	x1, fpcr\n"
	"str	x1, [x0, #" G_STR(O_FPCR) "]\n"
	"add	x2, x0, #" G_STR(O_V) "\n"
	".irp r," REGS_0_31 "\n"
	"str	q\\r, [x2], #16\n"
	".endr\n"
	"add	x0, x0, #0x1000\n"
	"add	x2, x0, #" G_STR(O_V) "\n"
	".irp r," REGS_0_31 "\n"
	"ldr	q\\r, [x2], #16\n"
	".endr\n"
	"ldr	x1, [x0, #" G_STR(O_FPSR) "]\n"
	"msr	fpsr, x1\n"
	"ldr	x1, [x0, #" G_STR(O_FPCR) "]\n"
	"msr	fpcr, x1\n"
	"ldr	x1, [x0, #" G_STR(O_SP) "]\n"
	"mov	sp, x1\n"
	"ldr	x1, [x0, #" G_STR(O_SP_EL0) "]\n"
	"msr	sp_el0, x1\n"
	"ldr	x1, [x0, #" G_STR(O_ELR) "]\n"
	"msr	elr_el1, x1\n"
	"ldr	x1, [x0, #" G_STR(O_SPSR) "]\n"
	"msr	spsr_el1, x1\n"
	"ldr	x1, [x0, #" G_STR(O_NZCV) "]\n"
	"msr	nzcv, x1\n"
	".irp r," REGS_1_30 "\n"
	"ldr	x\\r, [x0, #(8 * \\r)]\n"
	".endr\n"
	"ldr	x0, [x0]\n"
	"str	x29, [x30]\n"
	"b	.\n");

/* The two sets of values: what the host sets, what the guest sets. */
struct regset {
	uint64_t x[31];
	uint64_t sp, sp_el0, elr, spsr, nzcv;
	uint32_t fpsr, fpcr;
	uint8_t v[32][16];
};

static void make_regset(struct regset *s, uint64_t salt)
{
	int i, j;

	for (i = 0; i < 31; i++)
		s->x[i] = (0x0123456789abcdefULL ^ salt) + 0x0101010101ULL * i;
	for (i = 0; i < 32; i++)
		for (j = 0; j < 16; j++)
			s->v[i][j] = (uint8_t)(salt + i * 16 + j + 1);
}

TEST(core_regs_guest_view)
{
	struct regset host, guest;
	uint64_t *dump, *nv, v, ps;
	uint8_t q[16];
	struct g_vm g;
	uint32_t w;
	int i, r;

	g_vm_with_code(&g, g_regs);
	dump = (uint64_t *)(g.ram + DUMP_OFF);
	nv = (uint64_t *)(g.ram + NEW_OFF);

	make_regset(&host, 0);
	host.x[0] = G_RAM_GPA + DUMP_OFF;
	host.sp = G_RAM_GPA + G_RAM_SIZE - 0x40;
	host.sp_el0 = 0x0000001234567890ULL;
	host.elr = 0xffff800012345678ULL;
	host.spsr = 0x600003c5;		/* Z, C, DAIF, EL1h */
	host.nzcv = 0xa0000000;		/* N, C */
	host.fpsr = 0x08000001;		/* QC, IOC */
	host.fpcr = 0x00c00000;		/* RMode = RZ */

	make_regset(&guest, 0x5a);
	guest.x[30] = G_MMIO_GPA + 0x30;
	guest.sp = G_RAM_GPA + G_RAM_SIZE - 0x1000;
	guest.sp_el0 = 0x0000000076543210ULL;
	guest.elr = 0x0000000040001234ULL;
	guest.spsr = 0x900003c4;	/* N, V, DAIF, EL1t */
	guest.nzcv = 0x50000000;	/* Z, V */
	guest.fpsr = 0x0000009e;	/* IDC, IXC, UFC, OFC, DZC */
	guest.fpcr = 0x03400000;	/* DN, FZ, RMode = RP */

	for (i = 0; i < 31; i++)
		g_set64(&g, 0, G_X(i), host.x[i]);
	g_set64(&g, 0, G_SP_EL1, host.sp);
	g_set64(&g, 0, G_SP_EL0, host.sp_el0);
	g_set64(&g, 0, G_ELR_EL1, host.elr);
	g_set64(&g, 0, G_SPSR_EL1, host.spsr);
	ps = g_get64(&g, 0, G_PSTATE);
	g_set64(&g, 0, G_PSTATE, (ps & ~0xf0000000ULL) | host.nzcv);
	for (i = 0; i < 32; i++)
		ASSERT_OK(r, g_set_reg(g.vcpu[0], G_V(i), host.v[i]),
			  "KVM_SET_ONE_REG(V%d)", i);
	ASSERT_OK(r, g_set_reg(g.vcpu[0], G_FPSR, &host.fpsr),
		  "KVM_SET_ONE_REG(FPSR)");
	ASSERT_OK(r, g_set_reg(g.vcpu[0], G_FPCR, &host.fpcr),
		  "KVM_SET_ONE_REG(FPCR)");

	for (i = 0; i < 31; i++)
		nv[i] = guest.x[i];
	nv[O_SP / 8] = guest.sp;
	nv[O_SP_EL0 / 8] = guest.sp_el0;
	nv[O_ELR / 8] = guest.elr;
	nv[O_SPSR / 8] = guest.spsr;
	nv[O_NZCV / 8] = guest.nzcv;
	nv[O_FPSR / 8] = guest.fpsr;
	nv[O_FPCR / 8] = guest.fpcr;
	memcpy((uint8_t *)nv + O_V, guest.v, sizeof(guest.v));

	v = g_run_mmio(&g, 0, guest.x[30], 8, 1);
	EXPECT_EQ(guest.x[29], v) TH_LOG("the final store: the guest's x29");

	/* What the guest saw. */
	for (i = 1; i < 31; i++) {
		uint64_t want = host.x[i], got = dump[i];

		EXPECT_EQ(want, got)
			TH_LOG("guest read x%d = %#llx, host set %#llx", i,
			       (unsigned long long)got,
			       (unsigned long long)want);
	}
	EXPECT_EQ(host.sp, dump[O_SP / 8]) TH_LOG("guest SP (SP_EL1)");
	EXPECT_EQ(host.sp_el0, dump[O_SP_EL0 / 8]) TH_LOG("guest SP_EL0");
	EXPECT_EQ(host.elr, dump[O_ELR / 8]) TH_LOG("guest ELR_EL1");
	EXPECT_EQ(host.spsr, dump[O_SPSR / 8]) TH_LOG("guest SPSR_EL1");
	EXPECT_EQ(host.nzcv, dump[O_NZCV / 8]) TH_LOG("guest NZCV");
	EXPECT_EQ(host.fpsr, dump[O_FPSR / 8]) TH_LOG("guest FPSR %#llx",
		(unsigned long long)dump[O_FPSR / 8]);
	EXPECT_EQ(host.fpcr, dump[O_FPCR / 8]) TH_LOG("guest FPCR %#llx",
		(unsigned long long)dump[O_FPCR / 8]);
	for (i = 0; i < 32; i++)
		EXPECT_EQ(0, memcmp(host.v[i], g.ram + DUMP_OFF + O_V + 16 * i,
				    16))
			TH_LOG("guest read V%d as the host set it", i);

	/* What the host reads back. */
	for (i = 0; i < 31; i++) {
		v = g_get64(&g, 0, G_X(i));
		EXPECT_EQ(guest.x[i], v)
			TH_LOG("host read x%d = %#llx, guest set %#llx", i,
			       (unsigned long long)v,
			       (unsigned long long)guest.x[i]);
	}
	EXPECT_EQ(guest.sp, g_get64(&g, 0, G_SP_EL1)) TH_LOG("SP_EL1");
	EXPECT_EQ(guest.sp_el0, g_get64(&g, 0, G_SP_EL0)) TH_LOG("SP_EL0");
	EXPECT_EQ(guest.elr, g_get64(&g, 0, G_ELR_EL1)) TH_LOG("ELR_EL1");
	EXPECT_EQ(guest.spsr, g_get64(&g, 0, G_SPSR_EL1)) TH_LOG("SPSR_EL1");
	ps = g_get64(&g, 0, G_PSTATE);
	EXPECT_EQ(guest.nzcv, ps & 0xf0000000ULL)
		TH_LOG("PSTATE %#llx: the guest's NZCV",
		       (unsigned long long)ps);
	EXPECT_EQ(PSR_MODE_EL1h, ps & 0xf) TH_LOG("PSTATE: still EL1h");
	for (i = 0; i < 32; i++) {
		memset(q, 0, sizeof(q));
		EXPECT_OK(r, g_get_reg(g.vcpu[0], G_V(i), q),
			  "KVM_GET_ONE_REG(V%d)", i);
		EXPECT_EQ(0, memcmp(guest.v[i], q, 16))
			TH_LOG("host read V%d as the guest set it", i);
	}
	w = 0;
	EXPECT_OK(r, g_get_reg(g.vcpu[0], G_FPSR, &w), "KVM_GET_ONE_REG(FPSR)");
	EXPECT_EQ(guest.fpsr, w) TH_LOG("FPSR %#x", w);
	w = 0;
	EXPECT_OK(r, g_get_reg(g.vcpu[0], G_FPCR, &w), "KVM_GET_ONE_REG(FPCR)");
	EXPECT_EQ(guest.fpcr, w) TH_LOG("FPCR %#x", w);
	g_vm_destroy(&g);
}

/* ID registers as the guest reads them, one MMIO store each. */
GUEST_CODE(g_id_regs,
	"ldr	x19, =" G_STR(G_MMIO_GPA) "\n"
	"mrs	x1, id_aa64pfr0_el1\n"
	"str	x1, [x19, #0x00]\n"
	"mrs	x1, id_aa64mmfr0_el1\n"
	"str	x1, [x19, #0x08]\n"
	"mrs	x1, id_aa64pfr1_el1\n"
	"str	x1, [x19, #0x10]\n"
	"mrs	x1, id_aa64mmfr1_el1\n"
	"str	x1, [x19, #0x18]\n"
	"mrs	x1, id_aa64isar0_el1\n"
	"str	x1, [x19, #0x20]\n"
	"mrs	x1, id_aa64isar1_el1\n"
	"str	x1, [x19, #0x28]\n"
	"mrs	x1, id_aa64dfr0_el1\n"
	"str	x1, [x19, #0x30]\n"
	"b	.\n");

static const struct {
	uint64_t id;
	const char *name;
	int required;		/* hvk must offer it too */
} id_regs[] = {
	{ ARM64_SYS_REG(3, 0, 0, 4, 0), "ID_AA64PFR0_EL1", 1 },
	{ ARM64_SYS_REG(3, 0, 0, 7, 0), "ID_AA64MMFR0_EL1", 1 },
	{ ARM64_SYS_REG(3, 0, 0, 4, 1), "ID_AA64PFR1_EL1", 0 },
	{ ARM64_SYS_REG(3, 0, 0, 7, 1), "ID_AA64MMFR1_EL1", 0 },
	{ ARM64_SYS_REG(3, 0, 0, 6, 0), "ID_AA64ISAR0_EL1", 0 },
	{ ARM64_SYS_REG(3, 0, 0, 6, 1), "ID_AA64ISAR1_EL1", 0 },
	{ ARM64_SYS_REG(3, 0, 0, 5, 0), "ID_AA64DFR0_EL1", 0 },
};

#define NR_ID_REGS	(sizeof(id_regs) / sizeof(id_regs[0]))

TEST(id_regs_one_reg_match_guest)
{
	uint64_t one[NR_ID_REGS], seen, pfr0, mask, gic;
	int ok[NR_ID_REGS], err[NR_ID_REGS];
	struct kvm_reg_list *list = NULL;
	struct kvm_reg_list probe = { .n = 0 };
	struct g_vm g;
	unsigned int i, j;

	g_vm_with_code(&g, g_id_regs);
	for (i = 0; i < NR_ID_REGS; i++) {
		one[i] = 0;
		errno = 0;
		ok[i] = !g_get_reg(g.vcpu[0], id_regs[i].id, &one[i]);
		err[i] = errno;
		if (id_regs[i].required || hvk_lab_kvm()) {
			EXPECT_TRUE(ok[i])
				TH_LOG("KVM_GET_ONE_REG(%s): %s",
				       id_regs[i].name, hvk_errname(err[i]));
		} else if (!ok[i]) {
			EXPECT_EQ(ENOENT, err[i])
				TH_LOG("KVM_GET_ONE_REG(%s) not offered: %s",
				       id_regs[i].name, hvk_errname(err[i]));
		}
	}
	/* KVM lists what it reads; hvk lists core registers only. */
	if (hvk_lab_kvm()) {
		ioctl(g.vcpu[0], KVM_GET_REG_LIST, &probe);
		list = calloc(1, sizeof(*list) + probe.n * sizeof(uint64_t));
		ASSERT_NE(NULL, list);
		list->n = probe.n;
		ASSERT_EQ(0, ioctl(g.vcpu[0], KVM_GET_REG_LIST, list));
		for (i = 0; i < NR_ID_REGS; i++) {
			for (j = 0; j < list->n; j++)
				if (list->reg[j] == id_regs[i].id)
					break;
			EXPECT_LT(j, list->n)
				TH_LOG("%s must be in KVM_GET_REG_LIST",
				       id_regs[i].name);
		}
		free(list);
	}
	for (i = 0; i < NR_ID_REGS; i++) {
		seen = g_run_mmio(&g, 0, G_MMIO_GPA + 8 * i, 8, 1);
		if (!ok[i])
			continue;
		mask = ~0ULL;
		if (i == 0) {
			/*
			 * PFR0.GIC: KVM 6.1 shows the guest what userspace
			 * reads; later KVMs (6.12) show 0 to a guest without
			 * a vGIC. Either is fine, nothing else.
			 */
			gic = (seen >> 24) & 0xf;
			EXPECT_TRUE(gic == 0 || gic == ((one[0] >> 24) & 0xf))
				TH_LOG("ID_AA64PFR0_EL1.GIC: the guest reads "
				       "%llu", (unsigned long long)gic);
			mask = ~(0xfULL << 24);
		}
		EXPECT_EQ(one[i] & mask, seen & mask)
			TH_LOG("%s: the guest reads %#llx, KVM_GET_ONE_REG "
			       "gives %#llx", id_regs[i].name,
			       (unsigned long long)seen,
			       (unsigned long long)one[i]);
	}
	pfr0 = one[0];
	EXPECT_TRUE(((pfr0 >> 4) & 0xf) == 1 || ((pfr0 >> 4) & 0xf) == 2)
		TH_LOG("ID_AA64PFR0_EL1 %#llx: EL1 must be implemented",
		       (unsigned long long)pfr0);
	EXPECT_EQ(0, (pfr0 >> 32) & 0xf)
		TH_LOG("ID_AA64PFR0_EL1.SVE must be 0: the vCPU was not "
		       "initialised with SVE (%#llx)",
		       (unsigned long long)pfr0);
	EXPECT_EQ(0, (pfr0 >> 44) & 0xf)
		TH_LOG("ID_AA64PFR0_EL1.AMU must be 0 (hidden by KVM)");
	EXPECT_NE(0xf, (one[1] >> 28) & 0xf)
		TH_LOG("ID_AA64MMFR0_EL1 %#llx: 4K granule for the guest",
		       (unsigned long long)one[1]);
	g_vm_destroy(&g);
}

TEST_HARNESS_MAIN
