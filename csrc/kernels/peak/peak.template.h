/* peak.template.h — FMA-throughput probe, instantiated per (dtype, ISA) like the sliding kernels.
 *
 * Runs `iters` rounds of CX_PEAK_CHAINS independent FMA chains (enough chains to cover FMA
 * latency x the number of FMA pipes on current x86 cores) and returns a value derived from all
 * accumulators so the work cannot be optimised away. Flops per round: 2 * CX_PEAK_CHAINS * VL.
 */
#if !defined(CONVX_T) || !defined(UKERNEL_NAME)
#error "define CONVX_T and UKERNEL_NAME before including peak.template.h"
#endif
#include "../simd.h"
#define CX_PEAK_CHAINS 12

/* twelve named accumulators: an array would be kept in memory by the compiler, and the probe
 * would then measure store-to-load forwarding instead of the FMA pipes */
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define CX_OPAQUE(v) __asm__ volatile("" : "+v"(v))
#else
#define CX_OPAQUE(v) ((void)0)
#endif
#define CX_STEP(v) v = VFMA(v, a, b); CX_OPAQUE(v)

double UKERNEL_NAME(cx_idx iters, int *flops_per_iter)
{
    const vec_t a = VSET1((CONVX_T)0.999999), b = VSET1((CONVX_T)1e-7);
    vec_t c0 = VSET1((CONVX_T)0), c1 = VSET1((CONVX_T)1), c2 = VSET1((CONVX_T)2),
          c3 = VSET1((CONVX_T)3), c4 = VSET1((CONVX_T)4), c5 = VSET1((CONVX_T)5),
          c6 = VSET1((CONVX_T)6), c7 = VSET1((CONVX_T)7), c8 = VSET1((CONVX_T)8),
          c9 = VSET1((CONVX_T)9), c10 = VSET1((CONVX_T)10), c11 = VSET1((CONVX_T)11);
    for (cx_idx it = 0; it < iters; it++) {
        CX_STEP(c0); CX_STEP(c1); CX_STEP(c2); CX_STEP(c3); CX_STEP(c4); CX_STEP(c5);
        CX_STEP(c6); CX_STEP(c7); CX_STEP(c8); CX_STEP(c9); CX_STEP(c10); CX_STEP(c11);
    }
    vec_t sum = VFMA(c0, a, c1);
    sum = VFMA(c2, a, sum); sum = VFMA(c3, a, sum); sum = VFMA(c4, a, sum);
    sum = VFMA(c5, a, sum); sum = VFMA(c6, a, sum); sum = VFMA(c7, a, sum);
    sum = VFMA(c8, a, sum); sum = VFMA(c9, a, sum); sum = VFMA(c10, a, sum);
    sum = VFMA(c11, a, sum);
    CONVX_T buf[VL];
    VSTORE(buf, sum);
    double s = 0;
    for (int l = 0; l < VL; l++) s += (double)buf[l];
    *flops_per_iter = 2 * CX_PEAK_CHAINS * VL;
    return s;
}
