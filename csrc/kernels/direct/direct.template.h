/* direct.template.h — body of the direct-convolution micro-kernel, instantiated per
 * (dtype, tile, ISA) by the generated f??-direct-*.c files next to it (see gen.py).
 *
 * Computes an OCB x n block of output: OCB output-channel rows, n consecutive output columns:
 *
 *   y[j*y_stride + o] += sum_{c < n_c} sum_{t < n_taps} w[(c*n_taps + t)*OCB + j] * x[c*x_cstride + tap_off[t] + o]
 *
 * for j < m (m <= OCB) and o < n. `x` is a padded, stride-phase-split input slab built by the
 * driver, so every tap reads contiguous columns whatever the stride and dilation. Packed weights
 * are [n_c][n_taps][OCB], zero for rows j >= m; rows j >= m of y are never read or written.
 * The register tile is OCB accumulators x NV vectors of VL lanes; columns beyond the last full
 * tile run one vector at a time with masked loads and stores (no reads past a row's end).
 * Preconditions (asserted): n >= 1, n_c >= 1, n_taps >= 1, 1 <= m <= OCB.
 */
#if !defined(CONVX_T) || !defined(OCB) || !defined(NV) || !defined(UKERNEL_NAME)
#error "define CONVX_T, OCB, NV and UKERNEL_NAME before including direct.template.h"
#endif
#include "../simd.h"

void UKERNEL_NAME(cx_idx n, cx_idx n_c, cx_idx n_taps, const cx_idx *CX_RESTRICT tap_off,
                  cx_idx x_cstride, const CONVX_T *CX_RESTRICT x, const CONVX_T *CX_RESTRICT w,
                  CONVX_T *CX_RESTRICT y, cx_idx y_stride, cx_idx m)
{
    assert(n >= 1 && n_c >= 1 && n_taps >= 1 && m >= 1 && m <= OCB);
    cx_idx o = 0;
    for (; o + NV * VL <= n; o += NV * VL) {
        vec_t acc[OCB][NV];
        for (int j = 0; j < OCB; j++)
            for (int v = 0; v < NV; v++)
                acc[j][v] = j < m ? VLOAD(y + j * y_stride + o + v * VL) : VZERO();
        for (cx_idx c = 0; c < n_c; c++) {
            const CONVX_T *xc = x + c * x_cstride + o;
            const CONVX_T *wc = w + c * n_taps * OCB;
            for (cx_idx t = 0; t < n_taps; t++) {
                const CONVX_T *xt = xc + tap_off[t];
                vec_t xv[NV];
                for (int v = 0; v < NV; v++) xv[v] = VLOAD(xt + v * VL);
                for (int j = 0; j < OCB; j++) {
                    vec_t wv = VSET1(wc[t * OCB + j]);
                    for (int v = 0; v < NV; v++) acc[j][v] = VFMA(xv[v], wv, acc[j][v]);
                }
            }
        }
        for (int j = 0; j < OCB; j++)
            if (j < m)
                for (int v = 0; v < NV; v++) VSTORE(y + j * y_stride + o + v * VL, acc[j][v]);
    }
    for (; o < n; o += VL) {
        const cx_idx cnt = CX_MIN((cx_idx)VL, n - o);
        vec_t acc[OCB];
        for (int j = 0; j < OCB; j++)
            acc[j] = j < m ? (cnt == VL ? VLOAD(y + j * y_stride + o) : VLOADN(y + j * y_stride + o, cnt)) : VZERO();
        for (cx_idx c = 0; c < n_c; c++) {
            const CONVX_T *xc = x + c * x_cstride + o;
            const CONVX_T *wc = w + c * n_taps * OCB;
            for (cx_idx t = 0; t < n_taps; t++) {
                const CONVX_T *xt = xc + tap_off[t];
                vec_t xv = cnt == VL ? VLOAD(xt) : VLOADN(xt, cnt);
                for (int j = 0; j < OCB; j++) acc[j] = VFMA(xv, VSET1(wc[t * OCB + j]), acc[j]);
            }
        }
        for (int j = 0; j < OCB; j++) {
            if (j >= m) continue;
            if (cnt == VL) VSTORE(y + j * y_stride + o, acc[j]);
            else VSTOREN(y + j * y_stride + o, acc[j], cnt);
        }
    }
}
