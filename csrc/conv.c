/* conv.c — forward convolution entry points convx_conv_f32 / convx_conv_f64 and the one rule
 * that picks a variant for a problem (convx_conv_select).
 *
 * Instantiates conv.template.c (the entry point) once per dtype, plus the dtype-free parts both
 * share: problem checks, variant selection, last_variant. The variants' drivers live in
 * csrc/conv/ (one file each, see conv/internal.h).
 */
#include <stdlib.h>
#include <string.h>
#include <math.h>
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
 * The one place that decides which variant runs a problem.
 *
 * AVX2 and AVX-512: a cost model. Each variant's time is predicted from the problem and the
 * ISA's tiles (convx_conv_cost below) as
 *     mac * (multiply-adds it computes, tile padding included: output channels rounded up to
 *            its channel block, pixels to its pixel tile, shifted rows over the padded grid)
 *   + copy * (elements it copies: padded input, im2col panels) + pack * (packed weights)
 *   + out * (outputs written) + kpx * (indirect pointer setups / BLAS calls) + c0,
 * with per-ISA coefficients (dispatch.c, CX_COST) fitted by least squares on log times of
 * every variant, forced one at a time (private algorithm CONVX_ALGO_VARIANT + v), on the zoo
 * suite's dense, pointwise, grouped, dilated, 1-D and 3-D layers plus 25 layers of the classes
 * issue 12 names (U-Net 3x3 on 32-140 px, ASPP d = 6-18, DenseNet growth layers, ResNeXt g32,
 * WaveNet, strided k=5 1-D, R(2+1)D 3x1x1, pointwise on 7x7/14x14): 271 layers x 5 variants per
 * ISA, float32, one thread, CPU time of the calling thread (the shared machine's load does not
 * enter it), Zen 5 capped with CONVX_ISA (OpenBLAS's Haswell kernel for AVX2). Over those
 * layers the variant it picks runs at 0.92x (AVX2) / 0.91x (AVX-512) of the fastest one,
 * geomean (the former threshold rules: 0.77x / 0.76x); the model alone, fitted on half the
 * layers, picks at 0.90x / 0.89x on the other half. Two limits on its candidates (below) cover
 * the cache effects it does not model. "auto" may pick OpenBLAS (blas_gemm, algorithm
 * "im2col") for 1x1 kernels: pointwise layers on small maps are where it wins. "direct" picks
 * among convx's own variants with the same model.
 * Scalar ISA: thresholds (the cost model's coefficients are unmeasured there). OpenBLAS im2col
 * wins dense convolutions (blas_min_cig 8 input and blas_min_cog 4 output channels per group);
 * the sliding-window kernel takes groups with fewer than gemm_min_cig = 8 input channels or
 * fewer output channels than the GEMM tile's MR (unless rows are narrower than sliding_min_ow
 * = 8), shifted_gemm stride-1 windows with rows >= shifted_gemm_min_ow = 12, panel_gemm the
 * rest.
 * Either way: output volumes beyond BLAS's 32-bit dimension limit never go to BLAS, shifted_gemm
 * needs stride 1 and a real window, indirect_gemm a kernel for the ISA, and panel_gemm (which
 * never declines) follows any other direct variant in order[]. A variant declines
 * (CONVX_DECLINED) at setup when its buffers would be absurd: padding far wider than the input,
 * a padded copy or packed weights over the workspace cap; the next one in order[] then runs. */

/* Pixel tile of the sliding kernel's widest channel blocking (slot 0) for this table. */
static cx_idx convx_conv_sliding_px(const convx_table *tbl, int f64)
{
    for (int i = 0; i < convx_kernel_count(); i++) {
        const convx_kernel_info *k = convx_kernel_get(i);
        if (k->isa == tbl->isa && k->slot == 0 && !strcmp(k->family, "sliding") &&
            !strcmp(k->dtype, f64 ? "f64" : "f32"))
            return k->px > 0 ? k->px : 1;
    }
    return 1;
}

static double cx_round_up(double a, double b) { return ceil(a / b) * b; }

/* Predicted seconds per variant (cost[CONVX_VARIANT_*], index 0 unused): see above. */
static void convx_conv_cost(const convx_conv_problem *p, const convx_table *tbl, int f64,
                            double cost[CONVX_VARIANT_BLAS_GEMM + 1])
{
    const convx_conv_select_params *s = &tbl->select;
    const double G = (double)p->groups, N = (double)p->N;
    const double Cig = (double)(p->C_in / p->groups), Cog = (double)(p->C_out / p->groups);
    const double taps = (double)(p->k[0] * p->k[1] * p->k[2]), K = Cig * taps;
    const double P = (double)p->out[0] * (double)p->out[1] * (double)p->out[2];
    const double OW = (double)p->out[2];
    const double macs = N * G * Cog * K * P;
    const double MR = f64 ? tbl->gemm_mr_f64 : tbl->gemm_mr_f32;
    const double NR = f64 ? tbl->gemm_nr_f64 : tbl->gemm_nr_f32;
    const double OCB = f64 ? tbl->indirect_gemm_oc_f64 : tbl->indirect_gemm_oc_f32;
    const double SO = tbl->sliding_ocb[0], SP = (double)convx_conv_sliding_px(tbl, f64);
    const int padded = p->pad[0] != 0 || p->pad[1] != 0 || p->pad[2] != 0;
    double padvol = 1;
    for (int a = 0; a < 3; a++)
        padvol *= (double)(p->out[a] - 1) * (double)p->stride[a] +
                  (double)(p->k[a] - 1) * (double)p->dil[a] + 1;
    const double in_copy = N * (double)p->C_in * padvol;        /* padded input copy */
    const double cols = convx_conv_pointwise(p) ? 0 : N * G * K * P;   /* im2col elements */
    const double outs = N * (double)p->C_out * P;
    const double Wp = OW + (double)(p->k[2] - 1) * (double)p->dil[2];
    const double ocb_ig = cx_round_up(Cog, OCB);
    const double ocb_sl = Cog >= 3 ? cx_round_up(Cog, CX_MIN(SO, Cog)) : Cog;
    double mac[6], copy[6], pack[6] = {0}, out[6], kpx[6] = {0};
    mac[CONVX_VARIANT_SLIDING] = macs * ocb_sl / Cog * cx_round_up(OW, SP) / OW;
    copy[CONVX_VARIANT_SLIDING] = in_copy;
    /* its tiles are OCB channels x NP pixels of one image: a map smaller than NP (a 1x1
     * classifier head, P = 1) computes NP pixels for each one it keeps */
    const double NP = f64 ? tbl->indirect_gemm_np_f64 : tbl->indirect_gemm_np_f32;
    mac[CONVX_VARIANT_INDIRECT_GEMM] = macs * ocb_ig / Cog * (NP > 0 ? cx_round_up(P, NP) / P : 1);
    copy[CONVX_VARIANT_INDIRECT_GEMM] = padded ? in_copy : 0;
    pack[CONVX_VARIANT_INDIRECT_GEMM] = G * K * ocb_ig;
    out[CONVX_VARIANT_INDIRECT_GEMM] = N * G * ocb_ig * P;
    kpx[CONVX_VARIANT_INDIRECT_GEMM] = N * P * G * (ocb_ig / OCB) * taps;
    mac[CONVX_VARIANT_SHIFTED_GEMM] = macs * cx_round_up(Cog, MR) / Cog * Wp / OW;
    copy[CONVX_VARIANT_SHIFTED_GEMM] = in_copy;
    mac[CONVX_VARIANT_PANEL_GEMM] = macs * cx_round_up(Cog, MR) / Cog * cx_round_up(P, NR) / P;
    copy[CONVX_VARIANT_PANEL_GEMM] = cols;
    mac[CONVX_VARIANT_BLAS_GEMM] = macs;
    copy[CONVX_VARIANT_BLAS_GEMM] = cols;
    kpx[CONVX_VARIANT_BLAS_GEMM] = N * G;
    for (int v = CONVX_VARIANT_SLIDING; v <= CONVX_VARIANT_BLAS_GEMM; v++) {
        if (v != CONVX_VARIANT_INDIRECT_GEMM) out[v] = outs;
        cost[v] = s->cost.mac[v - 1] * mac[v] * 1e-10 + s->cost.copy * copy[v] * 1e-9 +
                  s->cost.pack * pack[v] * 1e-9 + s->cost.out * out[v] * 1e-9 +
                  s->cost.kpx[v - 1] * kpx[v] * 1e-8 + s->cost.c0[v - 1] * 1e-5;
    }
    cost[0] = 0;
}

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
    const int has_indirect_gemm = f64 ? tbl->indirect_gemm_f64 != NULL
                                      : tbl->indirect_gemm_f32 != NULL;
    const int strided = p->stride[0] > 1 || p->stride[1] > 1 || p->stride[2] > 1;
    /* which variants can take the problem at all */
    int ok[CONVX_VARIANT_BLAS_GEMM + 1] = {0};
    ok[CONVX_VARIANT_SLIDING] = ok[CONVX_VARIANT_PANEL_GEMM] = 1;
    ok[CONVX_VARIANT_INDIRECT_GEMM] = has_indirect_gemm;
    ok[CONVX_VARIANT_SHIFTED_GEMM] = !strided && ntaps > 1;
    /* OpenBLAS: 32-bit dimensions, and at least 16 im2col columns under the workspace cap */
    ok[CONVX_VARIANT_BLAS_GEMM] =
        P < CX_BLAS_INT_MAX && (double)Cig * (double)ntaps * 16.0 * (f64 ? 8.0 : 4.0) <=
                                   (double)convx_ws_cap_bytes();
    int n = 0;
    if (algorithm > CONVX_ALGO_VARIANT && algorithm <= CONVX_ALGO_VARIANT + CONVX_VARIANT_BLAS_GEMM) {
        const int v = algorithm - CONVX_ALGO_VARIANT;
        if (!ok[v] && v != CONVX_VARIANT_BLAS_GEMM) return 0;
        if (v == CONVX_VARIANT_BLAS_GEMM && P >= CX_BLAS_INT_MAX) return 0;
        order[n++] = v;
        if (v != CONVX_VARIANT_PANEL_GEMM && v != CONVX_VARIANT_BLAS_GEMM)
            order[n++] = CONVX_VARIANT_PANEL_GEMM;
        return n;
    }
    if (algorithm == CONVX_ALGO_IM2COL) {
        order[n++] = CONVX_VARIANT_BLAS_GEMM;
        return n;
    }
    if (algorithm != CONVX_ALGO_DIRECT && algorithm != CONVX_ALGO_AUTO) return 0;
    /* depthwise (one input channel per group, kD == 1, at most depthwise_max_cog output
     * channels per group, an ISA with dwconv kernels): its row-reusing register tiles first,
     * the sliding kernel if it declines (README, "Depthwise", has the measurements) */
    const int has_dwconv = f64 ? tbl->dwconv_f64[CONVX_DWCONV_GENERIC] != NULL
                               : tbl->dwconv_f32[CONVX_DWCONV_GENERIC] != NULL;
    if (has_dwconv && Cig == 1 && p->k[0] == 1 && Cog <= s->depthwise_max_cog) {
        order[n++] = CONVX_VARIANT_DEPTHWISE;
        order[n++] = CONVX_VARIANT_SLIDING;
        order[n++] = CONVX_VARIANT_PANEL_GEMM;
        return n;
    }
    if (s->cost.on) {
        double cost[CONVX_VARIANT_BLAS_GEMM + 1];
        convx_conv_cost(p, tbl, f64, cost);
        /* two measured limits on what the model may pick (its terms have no cache effects,
         * and these are where they show): OpenBLAS only for 1x1 kernels (on 3x3+ windows it
         * was picked for VGG/Inception layers that indirect_gemm runs up to 2x faster), the
         * sliding kernel only when a group has fewer than 16 input or output channels */
        if (algorithm != CONVX_ALGO_AUTO || ntaps > 1) ok[CONVX_VARIANT_BLAS_GEMM] = 0;
        if (Cig >= 16 && Cog >= 16) ok[CONVX_VARIANT_SLIDING] = 0;
        int best = CONVX_VARIANT_PANEL_GEMM;
        for (int v = CONVX_VARIANT_SLIDING; v <= CONVX_VARIANT_BLAS_GEMM; v++)
            if (ok[v] && cost[v] < cost[best]) best = v;
        order[n++] = best;
        if (best != CONVX_VARIANT_PANEL_GEMM && best != CONVX_VARIANT_BLAS_GEMM)
            order[n++] = CONVX_VARIANT_PANEL_GEMM;
        return n;
    }
    if (algorithm == CONVX_ALGO_AUTO &&
        (s->blas_min_cig > 0 && P < CX_BLAS_INT_MAX && Cig >= s->blas_min_cig &&
         Cog >= s->blas_min_cog)) {
        order[n++] = CONVX_VARIANT_BLAS_GEMM;
        return n;
    }
    if (!(Cig >= s->gemm_min_cig && (Cog >= MR || p->out[2] < s->sliding_min_ow))) {
        order[n++] = CONVX_VARIANT_SLIDING;
    } else {
        const cx_idx extra = (p->k[2] - 1) * p->dil[2];
        if (ok[CONVX_VARIANT_SHIFTED_GEMM] && p->out[2] >= 2 * extra &&
            p->out[2] >= s->shifted_gemm_min_ow)
            order[n++] = CONVX_VARIANT_SHIFTED_GEMM;
    }
    order[n++] = CONVX_VARIANT_PANEL_GEMM;
    return n;
}

#define CX_TEMPLATE "conv.template.c"
#include "instantiate.h"
