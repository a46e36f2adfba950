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
