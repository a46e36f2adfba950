/* filter2d.template.h — the `filter2d` micro-kernel: RB output rows of a dense 2-D correlation.
 *
 *   ys[r][j] = sum_{i < kH} sum_{t < kW} w[i*kW + t] * rows[r + i][j + t*tstride]
 *              for 0 <= r < RB, 0 <= j < n
 *
 * rows[] holds RB + kH - 1 input-row pointers (boundary-extended by the driver, so every
 * rows[q][0 .. n-1 + (kW-1)*tstride] is readable). Register tile RB rows x NV vectors: each
 * loaded input vector feeds every output row it contributes to (up to RB FMAs per load),
 * which is what lifts the dense kernel off the load ports (the one-row `filter` kernel needs
 * a split load and a broadcast per FMA). Every output element sums its taps in (i, t) order,
 * the same order as the one-row kernel, so results do not depend on which kernel ran.
 *
 * Instantiated per (dtype, ISA): define CONVX_T, CX_T_IS_F64, one CX_ISA_*, RB (4), NV and
 * UKERNEL_NAME, then include this file.
 */
#include "../simd.h"

#if RB != 4
#error "filter2d.template.h is written for RB == 4"
#endif

#define F2_ACC(NVX)                                                                            \
    vec_t a0[NVX], a1[NVX], a2[NVX], a3[NVX];                                                 \
    for (int q = 0; q < NVX; q++) a0[q] = a1[q] = a2[q] = a3[q] = VZERO();

/* one input row i against the rows r in [rlo, rhi] it feeds; LOADQ(q, p) loads vector q */
#define F2_ROW(NVX, LOADQ)                                                                     \
    {                                                                                          \
        const cx_idx rlo = i - kH + 1 > 0 ? i - kH + 1 : 0, rhi = i < RB - 1 ? i : RB - 1;    \
        const CONVX_T *xr = rows[i] + j;                                                       \
        if (rlo == 0 && rhi == RB - 1) {                                                       \
            const CONVX_T *w0 = w + i * kW, *w1 = w0 - kW, *w2 = w1 - kW, *w3 = w2 - kW;      \
            for (cx_idx t = 0; t < kW; t++) {                                                  \
                vec_t v[NVX];                                                                  \
                for (int q = 0; q < NVX; q++) v[q] = LOADQ(q, xr + t * tstride);               \
                vec_t b0 = VSET1(w0[t]), b1 = VSET1(w1[t]), b2 = VSET1(w2[t]),                 \
                      b3 = VSET1(w3[t]);                                                       \
                for (int q = 0; q < NVX; q++) {                                                \
                    a0[q] = VFMA(v[q], b0, a0[q]);                                             \
                    a1[q] = VFMA(v[q], b1, a1[q]);                                             \
                    a2[q] = VFMA(v[q], b2, a2[q]);                                             \
                    a3[q] = VFMA(v[q], b3, a3[q]);                                             \
                }                                                                              \
            }                                                                                  \
        } else {                                                                               \
            for (cx_idx t = 0; t < kW; t++) {                                                  \
                vec_t v[NVX];                                                                  \
                for (int q = 0; q < NVX; q++) v[q] = LOADQ(q, xr + t * tstride);               \
                if (rlo <= 0 && 0 <= rhi) {                                                    \
                    vec_t b = VSET1(w[i * kW + t]);                                            \
                    for (int q = 0; q < NVX; q++) a0[q] = VFMA(v[q], b, a0[q]);                \
                }                                                                              \
                if (rlo <= 1 && 1 <= rhi) {                                                    \
                    vec_t b = VSET1(w[(i - 1) * kW + t]);                                      \
                    for (int q = 0; q < NVX; q++) a1[q] = VFMA(v[q], b, a1[q]);                \
                }                                                                              \
                if (rlo <= 2 && 2 <= rhi) {                                                    \
                    vec_t b = VSET1(w[(i - 2) * kW + t]);                                      \
                    for (int q = 0; q < NVX; q++) a2[q] = VFMA(v[q], b, a2[q]);                \
                }                                                                              \
                if (rlo <= 3 && 3 <= rhi) {                                                    \
                    vec_t b = VSET1(w[(i - 3) * kW + t]);                                      \
                    for (int q = 0; q < NVX; q++) a3[q] = VFMA(v[q], b, a3[q]);                \
                }                                                                              \
            }                                                                                  \
        }                                                                                      \
    }

#define F2_LOADV(q, p) VLOAD((p) + (q) * VL)
#define F2_LOADN(q, p) VLOADN((p), cnt)

void UKERNEL_NAME(cx_idx n, cx_idx kH, cx_idx kW, cx_idx tstride, const CONVX_T *const *rows,
                  const CONVX_T *w, CONVX_T *const *ys)
{
    const cx_idx nin = kH + RB - 1;
    cx_idx j = 0;
    for (; j + NV * VL <= n; j += NV * VL) {
        F2_ACC(NV)
        for (cx_idx i = 0; i < nin; i++) F2_ROW(NV, F2_LOADV)
        for (int q = 0; q < NV; q++) {
            VSTORE(ys[0] + j + q * VL, a0[q]);
            VSTORE(ys[1] + j + q * VL, a1[q]);
            VSTORE(ys[2] + j + q * VL, a2[q]);
            VSTORE(ys[3] + j + q * VL, a3[q]);
        }
    }
    for (; j + VL <= n; j += VL) {
        F2_ACC(1)
        for (cx_idx i = 0; i < nin; i++) F2_ROW(1, F2_LOADV)
        VSTORE(ys[0] + j, a0[0]);
        VSTORE(ys[1] + j, a1[0]);
        VSTORE(ys[2] + j, a2[0]);
        VSTORE(ys[3] + j, a3[0]);
    }
    if (j < n) {
        const cx_idx cnt = n - j;
        (void)cnt;   /* unused by the scalar VLOADN/VSTOREN */
        F2_ACC(1)
        for (cx_idx i = 0; i < nin; i++) F2_ROW(1, F2_LOADN)
        VSTOREN(ys[0] + j, a0[0], cnt);
        VSTOREN(ys[1] + j, a1[0], cnt);
        VSTOREN(ys[2] + j, a2[0], cnt);
        VSTOREN(ys[3] + j, a3[0], cnt);
    }
}
