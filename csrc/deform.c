/* deform.c — deformable 2-D convolution entry points convx_deform_conv2d_f32 / _f64.
 *
 * Instantiates deform.template.c once per dtype (CONVX_T / CONVX_DT / CX_T_IS_F64), plus the
 * dtype-free problem check both share. Compiled with baseline flags and OpenMP; the GEMM runs on
 * the active ISA's micro-kernel from the dispatch table. Callers (convx/_deform.pxi) pass
 * C-contiguous, native-order arrays already validated by convx/deform.py.
 */
#include <math.h>
#include <stdint.h>
#include "convx.h"
#include "interrupt.h"
#include "kernels/kernels.h"

/* Re-checks what the Python layer validated, so a bad call from C cannot index out of bounds. */
static int convx_deform_check(const convx_deform_problem *p)
{
    if (p->N < 0 || p->C_in < 1 || p->C_out < 1 || p->groups < 1 || p->offset_groups < 1)
        return CONVX_ERR_SHAPE;
    if (p->C_in % p->groups || p->C_out % p->groups || p->C_in % p->offset_groups)
        return CONVX_ERR_SHAPE;
    if (p->H < 1 || p->W < 1 || p->kh < 1 || p->kw < 1 || p->OH < 1 || p->OW < 1)
        return CONVX_ERR_SHAPE;
    for (int a = 0; a < 2; a++)
        if (p->stride[a] < 1 || p->dil[a] < 1 || p->pad[a] < 0) return CONVX_ERR_ARG;
    /* sampling indices are 32-bit offsets into one channel plane */
    if (p->H > INT32_MAX / p->W) return CONVX_ERR_SHAPE;
    cx_idx t;
    if (cx_mul_overflow(p->N, p->C_in, &t) || cx_mul_overflow(t, p->H * p->W, &t))
        return CONVX_ERR_NOMEM;
    if (cx_mul_overflow(p->N, p->C_out, &t) || cx_mul_overflow(t, p->OH, &t) ||
        cx_mul_overflow(t, p->OW, &t))
        return CONVX_ERR_NOMEM;
    if (cx_mul_overflow(p->C_in, p->kh * p->kw, &t) || cx_mul_overflow(t, 2, &t))
        return CONVX_ERR_NOMEM;
    return CONVX_OK;
}

#define CX_TEMPLATE "deform.template.c"
#include "instantiate.h"
