/* peak.template.h — FMA-throughput probe, instantiated per (dtype, ISA) like the direct kernels.
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

double UKERNEL_NAME(cx_idx iters, int *flops_per_iter)
{
    vec_t acc[CX_PEAK_CHAINS];
    const vec_t a = VSET1((CONVX_T)0.999999), b = VSET1((CONVX_T)1e-7);
    for (int i = 0; i < CX_PEAK_CHAINS; i++) acc[i] = VSET1((CONVX_T)i);
    for (cx_idx it = 0; it < iters; it++) {
        for (int i = 0; i < CX_PEAK_CHAINS; i++) acc[i] = VFMA(acc[i], a, b);
#if defined(__GNUC__)
        __asm__ volatile("" ::: "memory");
#endif
    }
    CONVX_T buf[VL];
    double s = 0;
    for (int i = 0; i < CX_PEAK_CHAINS; i++) {
        VSTORE(buf, acc[i]);
        for (int l = 0; l < VL; l++) s += (double)buf[l];
    }
    *flops_per_iter = 2 * CX_PEAK_CHAINS * VL;
    return s;
}
