// SPDX-License-Identifier: GPL-2.0
/*
 * The debug kernel's self-check (tools/lab/debug-kernel/selfcheck.sh): a
 * module that does one wrong thing on load, so that the lab can show it
 * catches it. Not part of hvk.
 *
 *   mode=none  nothing (the run must pass)
 *   mode=leak  kmalloc 4 objects and forget them (kmemleak: status 125)
 *   mode=uaf   read a kmalloc'ed object after kfree (KASAN: status 120)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>

static char *mode = "none";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "none, leak or uaf");

/* Not static and written after the kfree: the compiler keeps the access. */
int hvk_lab_selfcheck_sink;

static int __init selfcheck_init(void)
{
	int i;

	if (!strcmp(mode, "leak")) {
		for (i = 0; i < 4; i++) {
			void *p = kmalloc(192, GFP_KERNEL);

			/* Fill it: no stale pointer inside may keep it "referenced". */
			if (p)
				memset(p, 0x5a, 192);
			pr_info("leaking %px\n", p);
		}
	} else if (!strcmp(mode, "uaf")) {
		int *p = kmalloc(64, GFP_KERNEL);

		if (!p)
			return -ENOMEM;
		kfree(p);
		hvk_lab_selfcheck_sink = READ_ONCE(p[3]);
		pr_info("read %d after kfree\n", hvk_lab_selfcheck_sink);
	} else if (strcmp(mode, "none")) {
		return -EINVAL;
	}
	return 0;
}

static void __exit selfcheck_exit(void)
{
}

module_init(selfcheck_init);
module_exit(selfcheck_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hvk lab: the debug kernel's self-check (leak, use-after-free)");
