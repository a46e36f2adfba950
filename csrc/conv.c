/* conv.c — forward convolution entry points convx_conv_f32 / convx_conv_f64 and the one rule
 * that picks a variant for a problem (convx_conv_select).
 *
 * Instantiates conv.template.c (the entry point) once per dtype, plus the dtype-free parts both
 * share: problem checks, variant selection, last_variant. The variants' drivers live in
 * csrc/conv/ (one file each, see conv/internal.h).
 */
#include <stdlib.h>
#include <string.h>
#include "conv/internal.h"
#include "blas.h"

/* Re-checks what the Python layer validated, so a bad call from C cannot index out of bounds. */
static int convx_conv_check(const convx_conv_problem *p)
{
    /* any out[] is memory-safe: both drivers bounds-check every input index they form */
    return convx_check_conv_geometry(p->N, p->C_in, p->C_out, p->groups, p->in, p->k, p->out,
                                     p->stride, p->pad, p->dil);
}

/* Which variant ran the calling thread's last successful convolution (tests and benchmarks
 * check that a shape reaches the path it was built for). */
#if defined(_MSC_VER)
static __declspec(thread) int g_last_variant = CONVX_VARIANT_NONE;
#else
static __thread int g_last_variant = CONVX_VARIANT_NONE;
#endif

static int convx_conv_ran(int variant, int status)
{
    if (status == CONVX_OK) g_last_variant = variant;
    return status;
}

int convx_conv_last_variant(void) { return g_last_variant; }

const char *convx_conv_variant_name(int variant)
{
    switch (variant) {
    case CONVX_VARIANT_DEPTHWISE: return "depthwise";
    case CONVX_VARIANT_SLIDING: return "sliding";
    case CONVX_VARIANT_INDIRECT_GEMM: return "indirect_gemm";
    case CONVX_VARIANT_SHIFTED_GEMM: return "shifted_gemm";
    case CONVX_VARIANT_PANEL_GEMM: return "panel_gemm";
    case CONVX_VARIANT_BLAS_GEMM: return "blas_gemm";
    default: return "none";
    }
}

/* ---- variant selection ----------------------------------------------------------------------
 * The one place that decides which variant runs a problem; the thresholds are per-ISA fields of
 * the dispatch table (convx_conv_select_params, csrc/dispatch.c). Measured with
 * `python -m convx bench` on 2 threads, Zen 4 (AVX-512, AVX2 tiles where stated):
 *  - auto: with AVX2/AVX-512 kernels the direct algorithm wins on every benchmarked shape (its
 *    GEMM micro-kernel reaches ~90 % of the FMA peak, about twice OpenBLAS's Haswell sgemm on
 *    the same im2col); with the scalar ISA only, OpenBLAS im2col wins for dense convolutions
 *    (blas_min_cig 8 input and blas_min_cog 4 output channels per group). Output volumes beyond
 *    BLAS's 32-bit dimension limit always go direct.
 *  - depthwise (one input channel per group, kD == 1, at most depthwise_max_cog output
 *    channels per group, an ISA with dwconv kernels) before sliding: it
 *    reads each channel's slab once per output channel with row-reusing register tiles, where
 *    the sliding kernel's 8/4-channel blocks have one channel to fill (figures: README,
 *    "Depthwise"). Larger multipliers keep the sliding kernel's channel blocks.
 *  - sliding vs GEMM-like: the sliding-window kernel wins when the reduction per output is short
 *    (fewer than gemm_min_cig = 8 input channels per group, depthwise) or a group has fewer
 *    output channels than the GEMM tile's MR, unless output rows are narrower than
 *    sliding_min_ow = 8 (its per-row packing would dominate).
 *  - indirect_gemm (vectors over output channels) against the pixel-vectorised GEMMs: 3x3
 *    stride 1 at 56/28/14 pixels 1.18x, strided 3x3 1.3x, dilated 1.37x, 3-D 1.12x, 7x1 / 1x7
 *    on 17x17 1.25x, 3x3 on 7x7 with batch 4 / 8: 1.3x / 1.4x (tiles run across image ends);
 *    AVX2's 16 x 6 tile by the same margins (1.3-1.5x); none on the scalar ISA. It packs the weights on
 *    every call, so it needs indirect_gemm_min_pixels = 96 output pixels over the batch (3x3 on
 *    one 7x7 image, 49 pixels: 0.81x), and a real window or a stride (1x1 stride-1 convs read
 *    their input in place as the GEMM's B: 0.85-1.1x; strided 1x1 need im2col panels there, and
 *    indirect_gemm was 1.0-1.45x on the ResNet/MobileNet stride-2 1x1 shapes). At most a fifth
 *    of the channels it computes may be padding of the last block.
 *  - shifted_gemm (shifted rows of a padded copy): stride 1, a real window, output rows at least
 *    shifted_gemm_min_ow = 12 wide and at most a third of the padded-grid columns dropped (1x7
 *    on a 17-wide image: 0.32 vs 0.54 ms for im2col panels).
 *  - panel_gemm (im2col panels + the GEMM micro-kernel) takes everything else and never declines.
 * A variant declines (CONVX_DECLINED) at setup when its buffers would be absurd: padding far
 * wider than the input, a padded copy or packed weights over the workspace cap; the next one in
 * order[] then runs. */
int convx_conv_select(const convx_conv_problem *p, int algorithm, int f64, int isa,
                      int order[CONVX_VARIANT_TRIES])
{
    const convx_table *tbl = isa < 0 ? convx_active_table() : convx_table_for_isa(isa);
    if (!tbl) return 0;
    const convx_conv_select_params *s = &tbl->select;
    const cx_idx Cig = p->C_in / p->groups, Cog = p->C_out / p->groups;
    const cx_idx ntaps = p->k[0] * p->k[1] * p->k[2];
    const cx_idx P = p->out[0] * p->out[1] * p->out[2];
    const cx_idx MR = f64 ? tbl->gemm_mr_f64 : tbl->gemm_mr_f32;
    const cx_idx OCB = f64 ? tbl->indirect_gemm_oc_f64 : tbl->indirect_gemm_oc_f32;
    const int has_indirect_gemm = f64 ? tbl->indirect_gemm_f64 != NULL
                                      : tbl->indirect_gemm_f32 != NULL;
    const int strided = p->stride[0] > 1 || p->stride[1] > 1 || p->stride[2] > 1;
    int n = 0;
    if (algorithm == CONVX_ALGO_AUTO)
        algorithm = (s->blas_min_cig > 0 && P < CX_BLAS_INT_MAX && Cig >= s->blas_min_cig &&
                     Cog >= s->blas_min_cog) ? CONVX_ALGO_IM2COL : CONVX_ALGO_DIRECT;
    if (algorithm == CONVX_ALGO_IM2COL) {
        order[n++] = CONVX_VARIANT_BLAS_GEMM;
        return n;
    }
    if (algorithm != CONVX_ALGO_DIRECT) return 0;
    if (!(Cig >= s->gemm_min_cig && (Cog >= MR || p->out[2] < s->sliding_min_ow))) {
        const int has_dwconv = f64 ? tbl->dwconv_f64[CONVX_DWCONV_GENERIC] != NULL
                                   : tbl->dwconv_f32[CONVX_DWCONV_GENERIC] != NULL;
        if (has_dwconv && Cig == 1 && p->k[0] == 1 && Cog <= s->depthwise_max_cog)
            order[n++] = CONVX_VARIANT_DEPTHWISE;
        order[n++] = CONVX_VARIANT_SLIDING;
    } else {
        if (has_indirect_gemm && (ntaps > 1 || strided) &&
            p->N * P >= s->indirect_gemm_min_pixels && 4 * CX_CEILDIV(Cog, OCB) * OCB <= 5 * Cog)
            order[n++] = CONVX_VARIANT_INDIRECT_GEMM;
        const cx_idx extra = (p->k[2] - 1) * p->dil[2];
        if (ntaps > 1 && !strided && p->out[2] >= 2 * extra && p->out[2] >= s->shifted_gemm_min_ow)
            order[n++] = CONVX_VARIANT_SHIFTED_GEMM;
    }
    order[n++] = CONVX_VARIANT_PANEL_GEMM;
    return n;
}

#define CX_TEMPLATE "conv.template.c"
#include "instantiate.h"
