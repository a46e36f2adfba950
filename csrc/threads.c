/* threads.c — OpenMP/BLAS thread policy, configuration strings, and the FMA peak probe.
 *
 * Policy (issue #2): convx owns the threads. OpenMP teams of `workers` threads run the drivers and
 * every BLAS call inside them is single-threaded (OpenBLAS's own pool is set to 1 thread at
 * init), so the cores are never oversubscribed and the work split — and with it the result — is
 * decided by convx alone. CONVX_GEMM_THREADING=blas switches the blas_gemm driver to one threaded
 * BLAS call per block instead, for measuring the alternative (see README, "Threads").
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "convx.h"
#include "blas.h"
#include "kernels/kernels.h"
#ifdef _OPENMP
#include <omp.h>
#endif

int convx_openmp_enabled(void)
{
#ifdef _OPENMP
    return 1;
#else
    return 0;
#endif
}

double convx_conv_team_min_work = 786432.0;

int convx_team_run(int workers, int (*fn)(void *ctx), void *ctx)
{
    if (workers <= 1) return fn(ctx);
    int fail = 0;
#ifdef _OPENMP
#pragma omp parallel num_threads(workers) reduction(| : fail)
#endif
    fail |= fn(ctx);
    return fail;
}

int convx_max_threads(void)
{
#ifdef _OPENMP
    return omp_get_num_procs();
#else
    return 1;
#endif
}

const char *convx_blas_corename(void)
{
    const char *s = scipy_openblas_get_corename();
    return s ? s : "unknown";
}

const char *convx_blas_config(void)
{
    const char *s = scipy_openblas_get_config();
    return s ? s : "unknown";
}

static double now_seconds(void)
{
#ifdef _OPENMP
    return omp_get_wtime();
#else
    return (double)clock() / CLOCKS_PER_SEC;
#endif
}

double convx_measure_peak_gflops(int workers, int f64, double seconds)
{
    const convx_table *t = convx_active_table();
    convx_peak_ukernel_fn fn = f64 ? t->peak_f64 : t->peak_f32;
    if (workers < 1) workers = 1;
    int fpi = 0;
    volatile double sink = fn(1000, &fpi);   /* warm up clocks and learn flops/iteration */
    cx_idx iters = 1 << 20;
    double best = 0.0;
    double t_end = now_seconds() + seconds;
    do {
        double t0 = now_seconds();
#ifdef _OPENMP
#pragma omp parallel num_threads(workers)
#endif
        {
            int f;
            double s = fn(iters, &f);
#ifdef _OPENMP
#pragma omp atomic
#endif
            sink += s;
        }
        double dt = now_seconds() - t0;
        double g = (double)iters * fpi * workers / dt * 1e-9;
        if (g > best) best = g;
        if (dt < 0.02) iters *= 2;
    } while (now_seconds() < t_end);
    (void)sink;
    return best;
}

void convx_threads_init(void)
{
    /* convx's drivers call BLAS from inside their own OpenMP teams: keep OpenBLAS's pool at one
     * thread so the cores are never oversubscribed (see the policy note at the top). */
    scipy_openblas_set_num_threads(1);
}
