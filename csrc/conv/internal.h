/* conv/internal.h — what the forward-convolution variants (csrc/conv/<variant>.template.c)
 * and their entry point (csrc/conv.template.c) share: the drivers' prototypes, small helpers.
 *
 * One file per variant, each instantiated for f32 and f64 (csrc/instantiate.h):
 *   conv/depthwise      one input channel per group, dwconv kernels      variant "depthwise"
 *   conv/sliding        sliding-window kernel                             variant "sliding"
 *   conv/indirect_gemm  per-pixel input pointers, vectors over output     variant "indirect_gemm"
 *                       channels (XNNPACK's "igemm")
 *   conv/shifted_gemm   rows of a zero-padded copy shifted per tap,       variant "shifted_gemm"
 *                       convx's GEMM micro-kernel with row offsets
 *   conv/panel_gemm     im2col panels, convx's GEMM micro-kernel          variant "panel_gemm"
 *   conv/blas_gemm      im2col super-tiles, OpenBLAS GEMM                 variant "blas_gemm"
 * Variants depthwise .. panel_gemm make up algorithm="direct" (convx's own kernels); blas_gemm is
 * algorithm="im2col".
 * convx_conv_select (csrc/conv.c) picks among them. A driver returns CONVX_DECLINED (before
 * touching y) for a problem it cannot take; the entry point then runs the next variant.
 * Interrupts (csrc/interrupt.h): the entry point owns the call's cancel state `cc`; every driver
 * polls it at its block boundaries (tasks, jobs, GEMM blocks, pad-copy rows, weight-pack blocks)
 * and inside blocks that can grow long (channel chunks of a sliding-window task, NR panels of a
 * large GEMM job), so no stretch between two polls runs much over a few ms.
 */
#ifndef CONVX_CONV_INTERNAL_H
#define CONVX_CONV_INTERNAL_H

#include <stdlib.h>
#include <string.h>
#include "convx.h"
#include "kernels/kernels.h"
#include "interrupt.h"

#define CX_CONV_VARIANT_PROTOS(dt, T)                                                          \
    int convx_conv_depthwise_##dt(const convx_conv_problem *p, const T *x, const T *w,         \
                                  const T *bias, T *y, int workers, const convx_table *tbl,    \
                                  convx_cancel *cc);                                           \
    int convx_conv_sliding_##dt(const convx_conv_problem *p, const T *x, const T *w,           \
                                const T *bias, T *y, int workers, const convx_table *tbl,      \
                                convx_cancel *cc);                                             \
    int convx_conv_indirect_gemm_##dt(const convx_conv_problem *p, const T *x, const T *w,     \
                                      const T *bias, T *y, int workers,                        \
                                      const convx_table *tbl, convx_cancel *cc);               \
    int convx_conv_shifted_gemm_##dt(const convx_conv_problem *p, const T *x, const T *w,      \
                                     const T *bias, T *y, int workers, const convx_table *tbl, \
                                     convx_cancel *cc);                                        \
    int convx_conv_panel_gemm_##dt(const convx_conv_problem *p, const T *x, const T *w,        \
                                   const T *bias, T *y, int workers, const convx_table *tbl,   \
                                   convx_cancel *cc);                                          \
    int convx_conv_blas_gemm_##dt(const convx_conv_problem *p, const T *x, const T *w,         \
                                  const T *bias, T *y, int workers, const convx_table *tbl,    \
                                  convx_cancel *cc);
/* plans (csrc/plan.template.c): the indirect GEMM's weight packing as a step of its own */
#define CX_CONV_PLAN_PROTOS(dt, T)                                                             \
    cx_idx convx_conv_indirect_gemm_pack_##dt(const convx_conv_problem *p,                     \
                                              const convx_table *tbl, const T *w,              \
                                              const T *bias, T *wp);                           \
    int convx_conv_indirect_gemm_packed_##dt(const convx_conv_problem *p, const T *x,          \
                                             const T *wpre, T *y, int workers,                 \
                                             const convx_table *tbl, convx_cancel *cc);
CX_CONV_PLAN_PROTOS(f32, float)
CX_CONV_PLAN_PROTOS(f64, double)
#undef CX_CONV_PLAN_PROTOS
CX_CONV_VARIANT_PROTOS(f32, float)
CX_CONV_VARIANT_PROTOS(f64, double)
#undef CX_CONV_VARIANT_PROTOS

/* 1x1, stride 1, unpadded: the input itself is the GEMM's B matrix (no im2col) */
static inline int convx_conv_pointwise(const convx_conv_problem *p)
{
    for (int a = 0; a < 3; a++)
        if (p->k[a] != 1 || p->stride[a] != 1 || p->pad[a] != 0 || p->out[a] != p->in[a]) return 0;
    return 1;
}

/* Offsets of the reduction steps k = (ci, kd, kh, kw) of one group into an input laid out with
 * channel / plane / row strides cs / ds / hs (1 between columns), dilation applied; malloc'ed
 * (Cig * taps entries), NULL when out of memory. */
static inline cx_idx *convx_conv_tap_offsets(const convx_conv_problem *p, cx_idx Cig, cx_idx cs,
                                             cx_idx ds, cx_idx hs)
{
    const cx_idx KD = p->k[0], KH = p->k[1], KW = p->k[2];
    cx_idx *off = (cx_idx *)malloc((size_t)(Cig * KD * KH * KW) * sizeof(cx_idx));
    if (!off) return NULL;
    cx_idx k = 0;
    for (cx_idx ci = 0; ci < Cig; ci++)
        for (cx_idx kd = 0; kd < KD; kd++)
            for (cx_idx kh = 0; kh < KH; kh++)
                for (cx_idx kw = 0; kw < KW; kw++, k++)
                    off[k] = ci * cs + kd * p->dil[0] * ds + kh * p->dil[1] * hs + kw * p->dil[2];
    return off;
}

/* Column rows [r0, r1) of the im2col matrix for output pixels [p0, p0 + np) of image n, group g
 * (see kernels/im2col/im2col.template.h; compiled per ISA so the copies use the widest vectors):
 * convx_im2col_rows_f32 / _f64, CONVX_NAME(im2col_rows) in the templates. */
#define CX_CONV_IM2COL_ROWS(dt, T)                                                             \
    static inline void convx_im2col_rows_##dt(const convx_conv_problem *p, const T *x, cx_idx n, \
                                              cx_idx g, cx_idx p0, cx_idx np, cx_idx r0,         \
                                              cx_idx r1, T *col, cx_idx ldcol)                   \
    {                                                                                          \
        const cx_idx Cig = p->C_in / p->groups;                                                \
        convx_active_table()->im2col_##dt(                                                     \
            x + (n * p->C_in + g * Cig) * p->in[0] * p->in[1] * p->in[2], p->in, p->k, p->out,  \
            p->stride, p->pad, p->dil, p0, np, r0, r1, col, ldcol);                            \
    }
CX_CONV_IM2COL_ROWS(f32, float)
CX_CONV_IM2COL_ROWS(f64, double)
#undef CX_CONV_IM2COL_ROWS

#endif
