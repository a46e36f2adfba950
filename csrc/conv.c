/* conv.c — forward convolution entry points convx_conv_f32 / convx_conv_f64.
 *
 * Instantiates conv.template.c once per dtype (CONVX_T / CONVX_DT / CX_T_IS_F64), plus the
 * dtype-free helpers both instantiations share: problem checks and the BLAS thread policy.
 * Compiled with baseline flags and OpenMP; see conv.template.c for the drivers.
 */
#include <stdlib.h>
#include <string.h>
#include "convx.h"
#include "blas.h"
#include "kernels/kernels.h"

/* Re-checks what the Python layer validated, so a bad call from C cannot index out of bounds. */
static int convx_conv_check(const convx_conv_problem *p)
{
    /* any out[] is memory-safe: both drivers bounds-check every input index they form */
    return convx_check_conv_geometry(p->N, p->C_in, p->C_out, p->groups, p->in, p->k, p->out,
                                     p->stride, p->pad, p->dil);
}

/* 1x1, stride 1, unpadded: the input itself is the GEMM's B matrix (no im2col) */
static int convx_conv_pointwise(const convx_conv_problem *p)
{
    for (int a = 0; a < 3; a++)
        if (p->k[a] != 1 || p->stride[a] != 1 || p->pad[a] != 0 || p->out[a] != p->in[a]) return 0;
    return 1;
}

/* Offsets of the reduction steps k = (ci, kd, kh, kw) of one group into an input laid out with
 * channel / plane / row strides cs / ds / hs (1 between columns), dilation applied; malloc'ed
 * (Cig * taps entries), NULL when out of memory. */
static cx_idx *convx_conv_tap_offsets(const convx_conv_problem *p, cx_idx Cig, cx_idx cs,
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
    case CONVX_VARIANT_SLIDING: return "sliding";
    case CONVX_VARIANT_OCBLOCK: return "ocblock";
    case CONVX_VARIANT_IGEMM: return "igemm";
    case CONVX_VARIANT_GEMM: return "gemm";
    case CONVX_VARIANT_IM2COL: return "im2col";
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
 *  - sliding vs GEMM-like: the sliding-window kernel wins when the reduction per output is short
 *    (fewer than gemm_min_cig = 8 input channels per group, depthwise) or a group has fewer
 *    output channels than the GEMM tile's MR, unless output rows are narrower than
 *    sliding_min_ow = 8 (its per-row packing would dominate).
 *  - ocblock (vectors over output channels) against the pixel-vectorised GEMMs: 3x3 stride 1 at
 *    56/28/14 pixels 1.18x, strided 3x3 1.3x, dilated 1.37x, 3-D 1.12x, 7x1 / 1x7 on 17x17
 *    1.25x, 3x3 on 7x7 with batch 4 / 8: 1.3x / 1.4x (tiles run across image ends); AVX2's
 *    16 x 6 tile by the same margins (1.3-1.5x); none on the scalar ISA. It packs the weights on
 *    every call, so it needs ocblock_min_pixels = 96 output pixels over the batch (3x3 on one
 *    7x7 image, 49 pixels: 0.81x), and a real window or a stride (1x1 stride-1 convs read their
 *    input in place as the GEMM's B: 0.85-1.1x; strided 1x1 need im2col panels there, and
 *    ocblock was 1.0-1.45x on the ResNet/MobileNet stride-2 1x1 shapes). At most a fifth of the
 *    channels it computes may be padding of the last block.
 *  - igemm (shifted rows of a padded copy): stride 1, a real window, output rows at least
 *    igemm_min_ow = 12 wide and at most a third of the padded-grid columns dropped (1x7 on a
 *    17-wide image: 0.32 vs 0.54 ms for im2col panels).
 *  - gemm (im2col panels + the GEMM micro-kernel) takes everything else and never declines.
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
    const cx_idx OCB = f64 ? tbl->ocblock_oc_f64 : tbl->ocblock_oc_f32;
    const int has_ocblock = f64 ? tbl->ocblock_f64 != NULL : tbl->ocblock_f32 != NULL;
    const int strided = p->stride[0] > 1 || p->stride[1] > 1 || p->stride[2] > 1;
    int n = 0;
    if (algorithm == CONVX_ALGO_AUTO)
        algorithm = (s->blas_min_cig > 0 && P < CX_BLAS_INT_MAX && Cig >= s->blas_min_cig &&
                     Cog >= s->blas_min_cog) ? CONVX_ALGO_IM2COL : CONVX_ALGO_DIRECT;
    if (algorithm == CONVX_ALGO_IM2COL) {
        order[n++] = CONVX_VARIANT_IM2COL;
        return n;
    }
    if (algorithm != CONVX_ALGO_DIRECT) return 0;
    if (!(Cig >= s->gemm_min_cig && (Cog >= MR || p->out[2] < s->sliding_min_ow))) {
        order[n++] = CONVX_VARIANT_SLIDING;
    } else {
        if (has_ocblock && (ntaps > 1 || strided) && p->N * P >= s->ocblock_min_pixels &&
            4 * CX_CEILDIV(Cog, OCB) * OCB <= 5 * Cog)
            order[n++] = CONVX_VARIANT_OCBLOCK;
        const cx_idx extra = (p->k[2] - 1) * p->dil[2];
        if (ntaps > 1 && !strided && p->out[2] >= 2 * extra && p->out[2] >= s->igemm_min_ow)
            order[n++] = CONVX_VARIANT_IGEMM;
    }
    order[n++] = CONVX_VARIANT_GEMM;
    return n;
}

static int g_gemm_blas_threaded = -1;

/* CONVX_GEMM_THREADING=blas selects threaded BLAS per block (measurement only); default omp. */
static int convx_gemm_blas_threaded(void)
{
    if (g_gemm_blas_threaded < 0) {
        const char *e = getenv("CONVX_GEMM_THREADING");
        g_gemm_blas_threaded = (e && strcmp(e, "blas") == 0) ? 1 : 0;
    }
    return g_gemm_blas_threaded;
}

static void convx_blas_set_threads(int n) { scipy_openblas_set_num_threads(n); }

#define CX_TEMPLATE "conv.template.c"
#include "instantiate.h"
