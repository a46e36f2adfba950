/* conv_transpose_internal.h — what the transposed-convolution drivers and their entry point
 * (csrc/conv_transpose.template.c) share.
 *
 * Two families, each instantiated for f32 and f64 (csrc/instantiate.h):
 *   conv_transpose_gemm      GEMM + col2im: variants "fused", "fused_t" (algorithm "direct")
 *                            and "two_pass" (algorithm "im2col"); helpers in
 *                            conv_transpose_col2im.template.h
 *   conv_transpose_subpixel  the stride-phase decomposition: s^d small dense convolutions run by
 *                            the forward-convolution variants (csrc/conv/, convx_conv_select),
 *                            written interleaved (algorithm "subpixel")
 * convx_conv_transpose_select (conv_transpose.c) picks the family for algorithm "auto".
 * Drivers get the entry point's team size `workers` (>= 1) and cancel state `cc`, and store the
 * variant that ran in *variant (subpixel: also the forward variant of its largest phase
 * convolution in *phase_variant). Every driver fully overwrites y.
 */
#ifndef CONVX_CONV_TRANSPOSE_INTERNAL_H
#define CONVX_CONV_TRANSPOSE_INTERNAL_H

#include "convx.h"
#include "kernels/kernels.h"
#include "interrupt.h"

/* The sub-pixel driver keeps per-axis phase tables of this size: larger strides decline
 * (CONVX_DECLINED, before touching y) and go to the GEMM + col2im family. */
#define CT_SUBPIXEL_MAX_STRIDE 64

/* The sub-pixel driver's multiply-adds over the transposed conv's own (N*C_in*in*Cog*k: each
 * input pixel times each tap), >= 1 when the phase convolutions also multiply zero padding (a
 * phase's output range reaches past the input); and in *min_cog the output channels per group
 * of its smallest phase convolution, in *nconv how many phase convolutions it runs (each
 * repacks its share of the weights, reading all of them). -1 when the driver would decline
 * (stride > 64). */
double convx_ct_subpixel_waste(const convx_conv_transpose_problem *p, cx_idx *min_cog,
                               cx_idx *nconv);

#define CX_CT_DRIVER_PROTOS(dt, T)                                                              \
    int convx_ct_gemm_##dt(const convx_conv_transpose_problem *p, const T *x, const T *w,      \
                           const T *bias, T *y, int algorithm, int workers,                    \
                           const convx_table *tbl, convx_cancel *cc, int *variant);            \
    int convx_ct_subpixel_##dt(const convx_conv_transpose_problem *p, const T *x, const T *w,  \
                               const T *bias, T *y, int workers, const convx_table *tbl,       \
                               convx_cancel *cc, int *phase_variant);
CX_CT_DRIVER_PROTOS(f32, float)
CX_CT_DRIVER_PROTOS(f64, double)
#undef CX_CT_DRIVER_PROTOS

#endif
