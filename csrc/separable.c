/* separable.c — fused depthwise-separable convolution entry points convx_dwsep_f32 / _f64.
 *
 * Instantiates separable.template.c once per dtype. Compiled with baseline flags and OpenMP; the
 * depthwise rows are computed by the `filter` micro-kernels (csrc/kernels/filter/) and the
 * pointwise stage by convx_gemm_f32/f64.
 */
#include <stdlib.h>
#include <string.h>
#include "convx.h"
#include "interrupt.h"
#include "kernels/kernels.h"
#ifdef _OPENMP
#include <omp.h>
#endif

static int convx_dwsep_check(const convx_dwsep_problem *p)
{
    if (p->N < 0 || p->C_in < 1 || p->mult < 1 || p->C_out < 1) return CONVX_ERR_SHAPE;
    for (int a = 0; a < 3; a++) {
        if (p->in[a] < 1 || p->k[a] < 1 || p->out[a] < 1) return CONVX_ERR_SHAPE;
        if (p->stride[a] < 1 || p->dil[a] < 1) return CONVX_ERR_ARG;
        /* the last output must read inside the (already padded) input */
        if ((p->out[a] - 1) * p->stride[a] + (p->k[a] - 1) * p->dil[a] >= p->in[a])
            return CONVX_ERR_SHAPE;
    }
    cx_idx t;
    if (cx_volume_overflow(p->N, p->C_in, p->in, &t) ||
        cx_mul_overflow(p->C_in, p->mult, &t) || cx_mul_overflow(t, p->C_out, &t) ||
        cx_volume_overflow(p->N, p->C_out, p->out, &t))
        return CONVX_ERR_NOMEM;
    return CONVX_OK;
}

#define CX_TEMPLATE "separable.template.c"
#include "instantiate.h"
