// SPDX-License-Identifier: GPL-2.0
/*
 * tools/lib (libhvk) on the host: its pure parts. The exit-name table,
 * MMIO data packing, and ucall: records decoded from a fake guest memory
 * (good ones, ones cut by the end of memory, bad commands and counts),
 * exits recognized or not, and the record the guest-side x86 asm macro
 * emits read back as the host would read it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "../../tools/lib/libhvk.h"

/* A fake guest memory: MEM_SIZE bytes at guest address MEM_GPA. */
#define MEM_GPA		0x10000
#define MEM_SIZE	0x1000

struct fake_mem {
	uint8_t b[MEM_SIZE];
};

static void *xlate(void *ctx, uint64_t gpa, uint64_t len)
{
	struct fake_mem *m = ctx;

	if (gpa < MEM_GPA || len > MEM_SIZE || gpa - MEM_GPA > MEM_SIZE - len)
		return NULL;
	return m->b + (gpa - MEM_GPA);
}

/* A record at offset @off of @m with its strings right after it. */
static void put_rec(struct fake_mem *m, unsigned int off, uint64_t cmd,
		    uint64_t nargs, const char *file, const char *msg)
{
	struct hvk_ucall_rec r = {
		.cmd = cmd, .line = 42, .nargs = nargs,
		.args = { 0x11, 0x22, 0x33, 0x44 },
	};
	size_t at = sizeof(r);

	if (file) {
		r.file = at;
		memcpy(m->b + off + at, file, strlen(file) + 1);
		at += strlen(file) + 1;
	}
	if (msg) {
		r.msg = at;
		memcpy(m->b + off + at, msg, strlen(msg) + 1);
	}
	memcpy(m->b + off, &r, sizeof(r));
}

TEST(exit_names)
{
	uint32_t r;
	char buf[160];
	struct kvm_run run;

	EXPECT_STREQ("KVM_EXIT_IO", hvk_exit_name(KVM_EXIT_IO));
	EXPECT_STREQ("MMIO", hvk_exit_short(KVM_EXIT_MMIO));
	EXPECT_STREQ("KVM_EXIT_SYSTEM_EVENT",
		     hvk_exit_name(KVM_EXIT_SYSTEM_EVENT));
	EXPECT_STREQ("ARM_NISV", hvk_exit_short(KVM_EXIT_ARM_NISV));
	/* Every number up to the last the table knows has its own name. */
	for (r = 0; r <= KVM_EXIT_XEN; r++) {
		ASSERT_NE(NULL, hvk_exit_name(r)) TH_LOG("exit %u", r);
		EXPECT_EQ(0, strncmp(hvk_exit_name(r), "KVM_EXIT_", 9));
	}
	EXPECT_EQ(NULL, hvk_exit_name(KVM_EXIT_XEN + 1000));
	EXPECT_EQ(NULL, hvk_exit_short(0xffffffff));

	memset(&run, 0, sizeof(run));
	run.exit_reason = KVM_EXIT_IO;
	run.io.direction = KVM_EXIT_IO_OUT;
	run.io.port = 0x3f8;
	run.io.size = 1;
	run.io.count = 2;
	run.io.data_offset = 0x1000;
	EXPECT_STREQ("IO out port 0x3f8 size 1 count 2 data_offset 0x1000",
		     hvk_exit_str(&run, buf, sizeof(buf)));
	run.exit_reason = 5000;
	EXPECT_STREQ("other (5000)", hvk_exit_str(&run, buf, sizeof(buf)));
	run.exit_reason = KVM_EXIT_HLT;
	EXPECT_STREQ("HLT (5)", hvk_exit_str(&run, buf, sizeof(buf)));
}

TEST(mmio_data)
{
	struct kvm_run run;

	memset(&run, 0, sizeof(run));
	run.mmio.len = 3;
	memcpy(run.mmio.data, "\x01\x02\x03\xff\xff\xff\xff\xff", 8);
	EXPECT_EQ(0x030201, hvk_mmio_data(&run));
	hvk_mmio_fill(&run, 0x1122334455667788ULL);
	EXPECT_EQ(0x667788, hvk_mmio_data(&run));
	EXPECT_EQ(0, run.mmio.data[3]) TH_LOG("bytes past len are zeroed");
	run.mmio.len = 8;
	hvk_mmio_fill(&run, 0x1122334455667788ULL);
	EXPECT_EQ(0x1122334455667788ULL, hvk_mmio_data(&run));
}

TEST(ucall_decode)
{
	static struct fake_mem m;
	struct hvk_ucall uc;
	char buf[256];

	put_rec(&m, 0x100, HVK_UCALL_FAIL, 2, "guest.c", "x == y");
	ASSERT_EQ(HVK_UCALL_FAIL,
		  hvk_ucall_decode(MEM_GPA + 0x100, xlate, &m, &uc));
	EXPECT_EQ(42, uc.line);
	EXPECT_EQ(2, uc.nargs);
	EXPECT_EQ(0x11, uc.args[0]);
	EXPECT_EQ(0x22, uc.args[1]);
	EXPECT_EQ(0, uc.args[2]) TH_LOG("only nargs values are copied");
	EXPECT_STREQ("guest.c", uc.file);
	EXPECT_STREQ("x == y", uc.msg);
	EXPECT_EQ(MEM_GPA + 0x100, uc.gpa);
	EXPECT_STREQ("FAIL at guest.c:42: x == y (values 0x11, 0x22)",
		     hvk_ucall_str(&uc, buf, sizeof(buf)));

	put_rec(&m, 0x200, HVK_UCALL_DONE, 0, NULL, NULL);
	ASSERT_EQ(HVK_UCALL_DONE,
		  hvk_ucall_decode(MEM_GPA + 0x200, xlate, &m, &uc));
	EXPECT_STREQ("", uc.file);
	EXPECT_STREQ("DONE at ?:42", hvk_ucall_str(&uc, buf, sizeof(buf)));

	/* Not in guest memory, or cut by its end. */
	EXPECT_EQ(-1, hvk_ucall_decode(0x10, xlate, &m, &uc));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, hvk_ucall_decode(MEM_GPA + MEM_SIZE - 8, xlate, &m,
				       &uc));
	EXPECT_EQ(EFAULT, errno);

	/* Bad command or count. */
	put_rec(&m, 0x300, HVK_UCALL_NR, 0, NULL, NULL);
	EXPECT_EQ(-1, hvk_ucall_decode(MEM_GPA + 0x300, xlate, &m, &uc));
	EXPECT_EQ(EINVAL, errno);
	put_rec(&m, 0x300, HVK_UCALL_NONE, 0, NULL, NULL);
	EXPECT_EQ(-1, hvk_ucall_decode(MEM_GPA + 0x300, xlate, &m, &uc));
	EXPECT_EQ(EINVAL, errno);
	put_rec(&m, 0x300, HVK_UCALL_PRINT, HVK_UCALL_MAX_ARGS + 1, NULL,
		NULL);
	EXPECT_EQ(-1, hvk_ucall_decode(MEM_GPA + 0x300, xlate, &m, &uc));
	EXPECT_EQ(EINVAL, errno);

	/* A string running to the end of guest memory stops there. */
	put_rec(&m, 0x400, HVK_UCALL_PRINT, 0, NULL, "hello");
	memset(m.b + 0x400 + sizeof(struct hvk_ucall_rec), 'a',
	       MEM_SIZE - 0x400 - sizeof(struct hvk_ucall_rec));
	ASSERT_EQ(HVK_UCALL_PRINT,
		  hvk_ucall_decode(MEM_GPA + 0x400, xlate, &m, &uc));
	EXPECT_EQ(sizeof(uc.msg) - 1, strlen(uc.msg)) TH_LOG("cut at the buffer");
	put_rec(&m, MEM_SIZE - sizeof(struct hvk_ucall_rec) - 3,
		HVK_UCALL_PRINT, 0, NULL, "ab");
	m.b[MEM_SIZE - 1] = 'c';	/* no NUL before the end */
	ASSERT_EQ(HVK_UCALL_PRINT,
		  hvk_ucall_decode(MEM_GPA + MEM_SIZE -
				   sizeof(struct hvk_ucall_rec) - 3,
				   xlate, &m, &uc));
	EXPECT_STREQ("abc", uc.msg);
}

TEST(ucall_get)
{
	static struct fake_mem m;
	struct hvk_ucall uc;
	union {
		struct kvm_run run;
		uint8_t page[4096];
	} r;
	uint32_t gpa32 = MEM_GPA + 0x80;
	uint64_t gpa64 = MEM_GPA + 0x80;

	put_rec(&m, 0x80, HVK_UCALL_SYNC, 1, NULL, NULL);
	memset(&r, 0, sizeof(r));
	r.run.exit_reason = KVM_EXIT_IO;
	r.run.io.direction = KVM_EXIT_IO_OUT;
	r.run.io.port = HVK_UCALL_PORT;
	r.run.io.size = 4;
	r.run.io.count = 1;
	r.run.io.data_offset = 2048;
	memcpy(r.page + 2048, &gpa32, 4);
	EXPECT_EQ(HVK_UCALL_SYNC, hvk_ucall_get(&r.run, xlate, &m, &uc));
	EXPECT_EQ(0x11, uc.args[0]);
	/* Another port, size or direction: not a ucall. */
	r.run.io.size = 2;
	EXPECT_EQ(HVK_UCALL_NONE, hvk_ucall_get(&r.run, xlate, &m, &uc));
	r.run.io.size = 4;
	r.run.io.port = HVK_UCALL_PORT + 1;
	EXPECT_EQ(HVK_UCALL_NONE, hvk_ucall_get(&r.run, xlate, &m, &uc));
	r.run.io.port = HVK_UCALL_PORT;
	r.run.io.direction = KVM_EXIT_IO_IN;
	EXPECT_EQ(HVK_UCALL_NONE, hvk_ucall_get(&r.run, xlate, &m, &uc));

	memset(&r, 0, sizeof(r));
	r.run.exit_reason = KVM_EXIT_MMIO;
	r.run.mmio.phys_addr = HVK_UCALL_MMIO;
	r.run.mmio.is_write = 1;
	r.run.mmio.len = 8;
	memcpy(r.run.mmio.data, &gpa64, 8);
	EXPECT_EQ(HVK_UCALL_SYNC, hvk_ucall_get(&r.run, xlate, &m, &uc));
	r.run.mmio.is_write = 0;
	EXPECT_EQ(HVK_UCALL_NONE, hvk_ucall_get(&r.run, xlate, &m, &uc));
	r.run.mmio.is_write = 1;
	r.run.mmio.len = 4;
	EXPECT_EQ(HVK_UCALL_NONE, hvk_ucall_get(&r.run, xlate, &m, &uc));
	r.run.exit_reason = KVM_EXIT_HLT;
	EXPECT_EQ(HVK_UCALL_NONE, hvk_ucall_get(&r.run, xlate, &m, &uc));
}

/*
 * The guest-side macro's record, as assembled (never run here): the
 * call's 5 bytes, then the record the host decodes.
 */
extern const char asm_fail[], asm_fail_end[];
asm(".pushsection .rodata.ucall_test, \"a\"\n"
    ".code64\n"
    ".global asm_fail, asm_fail_end\n"
    "asm_fail:\n"
    HVK_UCALL_ASM_X86(2, 2, "guest check")
    "asm_fail_end:\n"
    ".popsection\n");

TEST(ucall_asm_record)
{
	static struct fake_mem m;
	struct hvk_ucall uc;
	size_t n = asm_fail_end - asm_fail;

	ASSERT_LT(n, MEM_SIZE);
	memcpy(m.b, asm_fail, n);
	EXPECT_EQ(0xe8, m.b[0]) TH_LOG("starts with CALL rel32");
	ASSERT_EQ(HVK_UCALL_FAIL, hvk_ucall_decode(MEM_GPA + 5, xlate, &m,
						   &uc));
	EXPECT_STREQ(__FILE__, uc.file);
	EXPECT_STREQ("guest check", uc.msg);
	EXPECT_EQ(2, uc.nargs);
	EXPECT_LT(200, uc.line) TH_LOG("the macro's own source line");
}

TEST_HARNESS_MAIN
