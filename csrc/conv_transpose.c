/* conv_transpose.c — transposed convolution entry points convx_conv_transpose_f32 / _f64.
 *
 * Instantiates conv_transpose.template.c once per dtype (CONVX_T / CONVX_DT / CX_T_IS_F64), plus
 * the dtype-free problem check both share. Compiled with baseline flags and OpenMP; the GEMM work
 * goes through convx's GEMM micro-kernels (dispatch table) and convx_gemm_f32/f64.
 */
#include <stdlib.h>
#include <string.h>
#include "convx.h"
#include "interrupt.h"
#include "kernels/kernels.h"

/* Re-checks what the Python layer validated, so a bad call from C cannot index out of bounds
 * (every output index the scatter forms is bounds-checked against out[] anyway). */
static int convx_conv_transpose_check(const convx_conv_transpose_problem *p)
{
    int st = convx_check_conv_geometry(p->N, p->C_in, p->C_out, p->groups, p->in, p->k, p->out,
                                       p->stride, p->pad, p->dil);
    cx_idx t;
    if (st == CONVX_OK && cx_volume_overflow(p->C_in, p->C_out / p->groups, p->k, &t))
        st = CONVX_ERR_NOMEM;
    return st;
}

#define CX_TEMPLATE "conv_transpose.template.c"
#include "instantiate.h"
