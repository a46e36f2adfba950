/* filters.c — scipy.ndimage-style correlation entry points convx_filter_f32 / convx_filter_f64.
 *
 * Instantiates filters.template.c once per dtype, plus the dtype-free helpers both share: the
 * boundary-mode index map and the problem check; then filters_fft.template.c per dtype (the FFT
 * path for large 2-D kernels). Compiled with baseline flags and OpenMP; the
 * vector work happens in the `filter` micro-kernels (csrc/kernels/filter/), picked per ISA through the dispatch table.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "convx.h"
#include "interrupt.h"
#include "kernels/kernels.h"

/* Source index of extended coordinate i on an axis of n samples (scipy.ndimage modes; -1 means
 * "use cval"). Extensions longer than the axis repeat the rule, as scipy and np.pad do. */
static cx_idx cx_filter_map(cx_idx i, cx_idx n, int mode)
{
    if (i >= 0 && i < n) return i;
    cx_idx m, per;
    switch (mode) {
    case CONVX_MODE_CONSTANT:
        return -1;
    case CONVX_MODE_NEAREST:
        return i < 0 ? 0 : n - 1;
    case CONVX_MODE_WRAP:
        m = i % n;
        return m < 0 ? m + n : m;
    case CONVX_MODE_MIRROR:   /* whole-sample symmetric: d c b | a b c d | c b a, period 2n-2 */
        if (n == 1) return 0;
        per = 2 * n - 2;
        m = i % per;
        if (m < 0) m += per;
        return m < n ? m : per - m;
    default:                  /* reflect, half-sample symmetric: period 2n */
        per = 2 * n;
        m = i % per;
        if (m < 0) m += per;
        return m < n ? m : per - 1 - m;
    }
}

static int convx_filter_check(const convx_filter_problem *p)
{
    if (p->B < 0 || p->inner < 1) return CONVX_ERR_SHAPE;
    if (p->mode < CONVX_MODE_REFLECT || p->mode > CONVX_MODE_WRAP) return CONVX_ERR_ARG;
    for (int a = 0; a < 3; a++) {
        if (p->in[a] < 1 || p->k[a] < 1) return CONVX_ERR_SHAPE;
        if (p->lo[a] < 0 || p->lo[a] >= p->k[a]) return CONVX_ERR_ARG;
    }
    cx_idx t;
    if (cx_mul_overflow(p->B, p->in[0], &t) || cx_mul_overflow(t, p->in[1], &t) ||
        cx_mul_overflow(t, p->in[2] + p->k[2], &t) || cx_mul_overflow(t, p->inner, &t) ||
        cx_mul_overflow(p->k[0], p->k[1], &t) || cx_mul_overflow(t, p->k[2], &t))
        return CONVX_ERR_NOMEM;
    return CONVX_OK;
}

#define CX_TEMPLATE "filters.template.c"
#include "instantiate.h"

/* the FFT (overlap-save) path for large 2-D kernels */
#define CX_TEMPLATE "filters_fft.template.c"
#include "instantiate.h"
