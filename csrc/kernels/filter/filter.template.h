/* filter.template.h — the `filter` micro-kernel: one output row of a single-channel correlation.
 *
 *   y[j] = sum_{t < n_taps} w[t] * xp[t][j]        for 0 <= j < n
 *
 * xp[t] points at the first input element tap t reads for y[0] (the driver has already applied
 * the boundary mode, so every xp[t][0 .. n-1] is readable). Register tile: 4 vectors of the
 * output row (4*VL elements) accumulate over all taps, then one store; tails use VL-wide steps
 * and a masked step, so nothing outside y[0 .. n-1] or xp[t][0 .. n-1] is touched. The tap sum
 * runs in tap order for every j, so results do not depend on where a row is cut.
 *
 * Instantiated per (dtype, ISA) by the generated f<32|64>-filter-<tile>-<isa>.c files
 * (csrc/kernels/generate.py): they define CONVX_T, CX_T_IS_F64,
 * one CX_ISA_* and UKERNEL_NAME, then include this file. Only the function below is defined.
 */
#include "../simd.h"

void UKERNEL_NAME(cx_idx n, cx_idx n_taps, const CONVX_T *const *xp, const CONVX_T *w,
                  CONVX_T *y)
{
    cx_idx j = 0;
    for (; j + 4 * VL <= n; j += 4 * VL) {
        vec_t a0 = VZERO(), a1 = VZERO(), a2 = VZERO(), a3 = VZERO();
        for (cx_idx t = 0; t < n_taps; t++) {
            const CONVX_T *p = xp[t] + j;
            vec_t wv = VSET1(w[t]);
            a0 = VFMA(VLOAD(p), wv, a0);
            a1 = VFMA(VLOAD(p + VL), wv, a1);
            a2 = VFMA(VLOAD(p + 2 * VL), wv, a2);
            a3 = VFMA(VLOAD(p + 3 * VL), wv, a3);
        }
        VSTORE(y + j, a0);
        VSTORE(y + j + VL, a1);
        VSTORE(y + j + 2 * VL, a2);
        VSTORE(y + j + 3 * VL, a3);
    }
    for (; j + VL <= n; j += VL) {
        vec_t a0 = VZERO();
        for (cx_idx t = 0; t < n_taps; t++)
            a0 = VFMA(VLOAD(xp[t] + j), VSET1(w[t]), a0);
        VSTORE(y + j, a0);
    }
    if (j < n) {
        cx_idx cnt = n - j;
        (void)cnt;   /* unused by the scalar VLOADN/VSTOREN */
        vec_t a0 = VZERO();
        for (cx_idx t = 0; t < n_taps; t++)
            a0 = VFMA(VLOADN(xp[t] + j, cnt), VSET1(w[t]), a0);
        VSTOREN(y + j, a0, cnt);
    }
}
