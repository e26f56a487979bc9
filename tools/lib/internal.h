/* SPDX-License-Identifier: GPL-2.0 */
/* libhvk's own helpers, not for its users. */
#ifndef HVK_LIBHVK_INTERNAL_H
#define HVK_LIBHVK_INTERNAL_H

/* Record @step as hvk_step() and return -1 (errno is the caller's). */
int hvk_fail(const char *step);

#endif
