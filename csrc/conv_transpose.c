/* conv_transpose.c — transposed convolution entry points convx_conv_transpose_f32 / _f64.
 *
 * Instantiates conv_transpose.template.c once per dtype (CONVX_T / CONVX_DT / CX_T_IS_F64), plus
 * the dtype-free problem check both share. Compiled with baseline flags and OpenMP; the GEMM work
 * goes through convx's GEMM micro-kernels (dispatch table) and convx_gemm_f32/f64.
 */
#include <stdlib.h>
#include <string.h>
#include "convx.h"
#include "kernels/kernels.h"

#if defined(CONVX_T) || defined(CONVX_DT)
#error "CONVX_T / CONVX_DT must not be defined outside the template instantiations"
#endif

/* Re-checks what the Python layer validated, so a bad call from C cannot index out of bounds
 * (every output index the scatter forms is bounds-checked against out[] anyway). */
static int convx_conv_transpose_check(const convx_conv_transpose_problem *p)
{
    if (p->N < 0 || p->C_in < 1 || p->C_out < 1 || p->groups < 1) return CONVX_ERR_SHAPE;
    if (p->C_in % p->groups || p->C_out % p->groups) return CONVX_ERR_SHAPE;
    for (int a = 0; a < 3; a++) {
        if (p->in[a] < 1 || p->k[a] < 1 || p->out[a] < 1) return CONVX_ERR_SHAPE;
        if (p->stride[a] < 1 || p->dil[a] < 1 || p->pad[a] < 0) return CONVX_ERR_ARG;
    }
    cx_idx t;
    if (cx_mul_overflow(p->N, p->C_in, &t) || cx_mul_overflow(t, p->in[0], &t) ||
        cx_mul_overflow(t, p->in[1], &t) || cx_mul_overflow(t, p->in[2], &t))
        return CONVX_ERR_NOMEM;
    if (cx_mul_overflow(p->N, p->C_out, &t) || cx_mul_overflow(t, p->out[0], &t) ||
        cx_mul_overflow(t, p->out[1], &t) || cx_mul_overflow(t, p->out[2], &t))
        return CONVX_ERR_NOMEM;
    if (cx_mul_overflow(p->C_in, p->C_out / p->groups, &t) || cx_mul_overflow(t, p->k[0], &t) ||
        cx_mul_overflow(t, p->k[1], &t) || cx_mul_overflow(t, p->k[2], &t))
        return CONVX_ERR_NOMEM;
    return CONVX_OK;
}

#define CONVX_T float
#define CONVX_DT f32
#define CX_T_IS_F64 0
#include "conv_transpose.template.c"
#undef CONVX_T
#undef CONVX_DT
#undef CX_T_IS_F64

#define CONVX_T double
#define CONVX_DT f64
#define CX_T_IS_F64 1
#include "conv_transpose.template.c"
#undef CONVX_T
#undef CONVX_DT
#undef CX_T_IS_F64
