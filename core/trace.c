// SPDX-License-Identifier: GPL-2.0
/*
 * The one place hvk's tracepoints are defined (the events are in trace.h).
 */
#define CREATE_TRACE_POINTS
#include "trace.h"
