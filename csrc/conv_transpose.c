/* conv_transpose.c — transposed convolution entry points convx_conv_transpose_f32 / _f64, the
 * one rule that picks a driver for algorithm "auto" (convx_conv_transpose_select) and
 * last_variant.
 *
 * Instantiates conv_transpose.template.c (the entry point) once per dtype, plus the dtype-free
 * parts both share. The drivers: conv_transpose_gemm.c (GEMM + col2im: fused, fused_t,
 * two_pass) and conv_transpose_subpixel.c (stride phases run as forward convolutions), see
 * conv_transpose_internal.h. Compiled with baseline flags and OpenMP.
 */
#include <stdlib.h>
#include <string.h>
#include "conv_transpose_internal.h"
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

/* Which driver ran the calling thread's last successful transposed convolution, and for the
 * sub-pixel driver the forward variant of its largest phase convolution. */
#if defined(_MSC_VER)
static __declspec(thread) int g_ct_last = CONVX_CT_VARIANT_NONE;
static __declspec(thread) int g_ct_last_phase = CONVX_VARIANT_NONE;
#else
static __thread int g_ct_last = CONVX_CT_VARIANT_NONE;
static __thread int g_ct_last_phase = CONVX_VARIANT_NONE;
#endif

static int convx_conv_transpose_ran(int variant, int phase_variant, int status)
{
    if (status == CONVX_OK) {
        g_ct_last = variant;
        g_ct_last_phase = variant == CONVX_CT_VARIANT_SUBPIXEL ? phase_variant
                                                                : CONVX_VARIANT_NONE;
    }
    return status;
}

int convx_conv_transpose_last_variant(void) { return g_ct_last; }
int convx_conv_transpose_last_phase_variant(void) { return g_ct_last_phase; }

const char *convx_conv_transpose_variant_name(int variant)
{
    switch (variant) {
    case CONVX_CT_VARIANT_FUSED: return "fused";
    case CONVX_CT_VARIANT_FUSED_T: return "fused_t";
    case CONVX_CT_VARIANT_TWO_PASS: return "two_pass";
    case CONVX_CT_VARIANT_SUBPIXEL: return "subpixel";
    default: return "none";
    }
}

/* ---- driver selection --------------------------------------------------------------------
 * The one place that decides which driver runs algorithm "auto", with per-ISA thresholds.
 * Measured on Zen 4 (2 cores, machine shared with other jobs, so per-case minima of interleaved
 * runs at 1 and 2 threads) over the zoo's 65 benchdnn deconv shapes, the conv_transpose suite
 * and FCN / depthwise / grouped up-convs (`python -m convx bench --suite conv_transpose` and
 * `--shapes`, algorithms subpixel / direct / im2col; README "Transposed convolutions"):
 *  - subpixel runs each phase as a dense forward convolution over the input: no col buffer, no
 *    scatter-add, and stride-s layers do 1/s^d of GEMM + col2im's col writes. It lost only where
 *    its phase convolutions multiply much padding -- waste = its MACs over the transposed
 *    conv's (convx_ct_subpixel_waste) -- e.g. stride-1 dilated layers on 2x2..10x10 inputs
 *    (waste 1.4-5.4: 1.5-3.3x slower than fused), the 3-D U-Net 3x3x3 on 8x9x9 (1.87: 2.1x);
 *    up to 1.3 it was faster or level (e.g. FCN k16 s8 depthwise 0.58x of fused's time, k64
 *    s32 0.37x, depthwise k4 s2 0.31x, U-Net 2x2 s2 and 1x1 layers 0.6-0.9x); with at most
 *    few_cig = 48 input channels per group fused's col traffic (one col element per C_in/groups
 *    multiply-adds) outweighs up to 2.5x waste: GoogLeNet's stride-1 dilated 32 -> 528 and
 *    48 -> 832 adjoints (waste 1.96) ran 1.3-1.7x faster as subpixel (Zen 4, quiet, 2026-12-04;
 *    1.03-1.15x with CONVX_ISA=avx2), while at 96 input channels waste 1.36 already lost 0-30 %;
 *  - and where a phase convolution has fewer than subpixel_min_cog output channels per group
 *    over a dense reduction (>= 16 input channels per group): 64 -> 3 channel output layers
 *    (DCGAN's last, GoogLeNet's 7x7 s2 adjoint, masknet) ran 1.3-1.7x slower than fused,
 *    whose GEMM rows are channels x taps;
 *  - and where the layer is weight-bound (more weights than input and output elements over the
 *    batch) and needs more than one phase convolution: each one reads all the weights to pack
 *    its taps, while fused_t streams them once in place (DCGAN 512->256 and 256->128 on 4x4 /
 *    8x8 maps: 1.5-2.9x slower than fused_t; 1x1 and U-Net 2x2 s2 layers are one phase
 *    convolution and stay; depthwise FCN upsampling has few weights and stays);
 *  - otherwise (or strides past the phase tables) GEMM + col2im: fused (with its transposed
 *    GEMM) when the batch has fewer input pixels than the GEMM has rows (deep, small-spatial
 *    layers), else two_pass (its team GEMM reads the input once for all output channels).
 */
typedef struct {
    double subpixel_max_waste;   /* subpixel while its MACs are at most this x the layer's */
    cx_idx few_cig;              /* at most this many input channels per group: */
    double few_cig_max_waste;    /* ... subpixel while its waste is at most this */
    cx_idx subpixel_min_cog;     /* ... and its smallest phase conv has this many channels */
    cx_idx dense_cig;            /* (the min_cog rule applies from this many in-channels) */
    cx_idx weight_bound_max_convs;   /* phase convs allowed for a weight-bound layer */
} ct_select_params;

static const ct_select_params ct_rules[CONVX_ISA_COUNT] = {
    [CONVX_ISA_SCALAR] = {.subpixel_max_waste = 1.3, .few_cig = 0, .few_cig_max_waste = 1.3,
                          .subpixel_min_cog = 4, .dense_cig = 16, .weight_bound_max_convs = 1},
    [CONVX_ISA_AVX2] = {.subpixel_max_waste = 1.3, .few_cig = 48, .few_cig_max_waste = 2.5,
                        .subpixel_min_cog = 4, .dense_cig = 16, .weight_bound_max_convs = 1},
    [CONVX_ISA_AVX512] = {.subpixel_max_waste = 1.3, .few_cig = 48, .few_cig_max_waste = 2.5,
                          .subpixel_min_cog = 4, .dense_cig = 16, .weight_bound_max_convs = 1},
};

int convx_conv_transpose_select(const convx_conv_transpose_problem *p, int f64, int isa)
{
    if (isa < 0) isa = convx_active_table()->isa;
    if (isa < 0 || isa >= CONVX_ISA_COUNT) isa = CONVX_ISA_SCALAR;
    const ct_select_params *s = &ct_rules[isa];
    (void)f64;   /* the same thresholds served both dtypes */
    const cx_idx Pin = p->in[0] * p->in[1] * p->in[2];
    const cx_idx M = (p->C_out / p->groups) * p->k[0] * p->k[1] * p->k[2];
    const cx_idx Pout = p->out[0] * p->out[1] * p->out[2];
    cx_idx min_cog = 0, nconv = 0;
    const double waste = convx_ct_subpixel_waste(p, &min_cog, &nconv);
    /* fused_t writes (and col2im reads) one col element per C_in / groups multiply-adds: with
     * few input channels that traffic costs more than some padding multiplied by subpixel */
    const double max_waste = p->C_in / p->groups <= s->few_cig ? s->few_cig_max_waste
                                                               : s->subpixel_max_waste;
    if (waste >= 0.0 && waste <= max_waste &&
        !(p->C_in / p->groups >= s->dense_cig && min_cog < s->subpixel_min_cog) &&
        !(nconv > s->weight_bound_max_convs &&
          (double)p->C_in * (double)M >
              (double)p->N * ((double)p->C_in * (double)Pin + (double)p->C_out * (double)Pout)))
        return CONVX_CT_SUBPIXEL;
    return p->N * Pin < M ? CONVX_CT_FUSED : CONVX_CT_TWO_PASS;
}

#define CX_TEMPLATE "conv_transpose.template.c"
#include "instantiate.h"
