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
 * Measured with `python -m convx bench --suite conv_transpose --shapes <zoo deconv shapes>
 * --algorithm direct|im2col|subpixel --workers 2` on Zen 4 (2 cores, machine shared), see
 * README "Transposed convolutions":
 *  - subpixel runs every phase as a dense forward convolution over the input, so its work is
 *    the transposed conv's MACs with no col buffer and no scatter-add; it takes every problem
 *    with strides up to CT_SUBPIXEL_MAX_STRIDE.
 *  - otherwise (huge strides) the GEMM + col2im rule: fused (with its transposed GEMM) when the
 *    batch has fewer input pixels than the GEMM has rows (deep, small-spatial layers), else
 *    two_pass (its team GEMM reads the input once for all output channels).
 */
typedef struct {
    cx_idx subpixel_max_stride;   /* subpixel for strides up to this on every axis */
} ct_select_params;

static const ct_select_params ct_rules[CONVX_ISA_COUNT] = {
    [CONVX_ISA_SCALAR] = {.subpixel_max_stride = CT_SUBPIXEL_MAX_STRIDE},
    [CONVX_ISA_AVX2] = {.subpixel_max_stride = CT_SUBPIXEL_MAX_STRIDE},
    [CONVX_ISA_AVX512] = {.subpixel_max_stride = CT_SUBPIXEL_MAX_STRIDE},
};

int convx_conv_transpose_select(const convx_conv_transpose_problem *p, int f64, int isa)
{
    if (isa < 0) isa = convx_active_table()->isa;
    if (isa >= CONVX_ISA_COUNT) return CONVX_CT_FUSED;
    const ct_select_params *s = &ct_rules[isa];
    (void)f64;
    if (p->stride[0] <= s->subpixel_max_stride && p->stride[1] <= s->subpixel_max_stride &&
        p->stride[2] <= s->subpixel_max_stride)
        return CONVX_CT_SUBPIXEL;
    const cx_idx Pin = p->in[0] * p->in[1] * p->in[2];
    const cx_idx M = (p->C_out / p->groups) * p->k[0] * p->k[1] * p->k[2];
    return p->N * Pin < M ? CONVX_CT_FUSED : CONVX_CT_TWO_PASS;
}

#define CX_TEMPLATE "conv_transpose.template.c"
#include "instantiate.h"
