/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Force-included (gcc -include) into every object of the upstream KVM
 * selftests that tools/upstream/build builds from Debian's
 * linux-source-6.1 (6.1.192). Two stable backports there do not build
 * against that release's own headers; this supplies what they lack, and
 * nothing else, so that the sources themselves stay untouched:
 *
 * - usr/include/asm/kvm.h (x86) now declares its flexible arrays with
 *   __DECLARE_FLEX_ARRAY, which uapi <linux/stddef.h> defines, but it does
 *   not include that header itself: a test including <asm/kvm.h> before
 *   anything that pulls in <linux/stddef.h> (steal_time.c) fails to build,
 *   and the tools/include <linux/types.h> that shadows the uapi one does
 *   not include it either. Including it first changes nothing for the
 *   others (it only defines macros, and has an include guard).
 *
 * - dirty_log_test.c uses TEST_ASSERT_EQ(), which the backport took from a
 *   later test_util.h; 6.1's has no such macro (the link then fails on an
 *   undefined function). Defined here on top of 6.1's TEST_ASSERT with
 *   the same meaning: fail, printing both values, unless they are equal.
 */
#ifndef HVK_UPSTREAM_COMPAT_H
#define HVK_UPSTREAM_COMPAT_H

#ifndef __ASSEMBLER__
#include <linux/stddef.h>

#define TEST_ASSERT_EQ(a, b)						\
	TEST_ASSERT((a) == (b), "%s == %s failed: %#lx != %#lx",	\
		    #a, #b, (unsigned long)(a), (unsigned long)(b))
#endif

#endif
