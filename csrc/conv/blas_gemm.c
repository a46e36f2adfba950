/* conv/blas_gemm.c — im2col super-tiles + OpenBLAS GEMM (variant "blas_gemm",
 * algorithm="im2col"):
 * conv/blas_gemm.template.c instantiated for f32 and f64. */
#include "conv/internal.h"
#include "blas.h"

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

#define CX_TEMPLATE "conv/blas_gemm.template.c"
#include "instantiate.h"
