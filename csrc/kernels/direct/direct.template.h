/* direct.template.h — body of the direct-convolution micro-kernel, instantiated per
 * (dtype, tile, ISA) by the generated f??-direct-*.c files next to it (see gen.py).
 *
 * Computes OCB output channels x n_rows output rows x n consecutive output columns:
 *
 *   y[j*y_stride + r*y_rstride + o] += sum_{c < n_c} sum_{t < n_taps}
 *       w[(c*n_taps + t)*OCB + j] * x[c*x_cstride + r*x_rstride + tap_off[t] + o]
 *
 * for j < m (m <= OCB), r < n_rows and o < n. If `bias` is not NULL, y is not read: the sums
 * start from bias[j] instead (the first reduction chunk of a block). `x` is a padded, stride-phase-split input slab
 * built by the driver, so every tap reads contiguous columns whatever the stride and dilation.
 * Packed weights are [n_c][n_taps][OCB], zero for rows j >= m; rows j >= m of y are never read
 * or written.
 *
 * Register tile: OCB accumulator rows x NV vectors of VL lanes. Wide rows are cut into NV-vector
 * tiles along the row; narrow rows (fewer than NV vectors) are stacked, NV / nvec rows at a time,
 * so NV independent FMA chains are always in flight. The last vector of a row is masked: nothing
 * is read or written past column n. Preconditions (asserted): n_rows, n, n_c, n_taps >= 1 and
 * 1 <= m <= OCB.
 */
#if !defined(CONVX_T) || !defined(OCB) || !defined(NV) || !defined(UKERNEL_NAME)
#error "define CONVX_T, OCB, NV and UKERNEL_NAME before including direct.template.h"
#endif
#include "../simd.h"

#if defined(__GNUC__)
#define CX_ALWAYS_INLINE static inline __attribute__((always_inline))
#else
#define CX_ALWAYS_INLINE static __forceinline
#endif

/* One register tile: R rows x NVV vectors (R * NVV <= NV); the last vector of each row holds
 * `last` (1..VL) valid lanes. R and NVV are literal constants at every call site. */
CX_ALWAYS_INLINE void direct_tile(const int R, const int NVV, const cx_idx last, cx_idx n_c,
                                  cx_idx n_taps, const cx_idx *CX_RESTRICT tap_off,
                                  cx_idx x_cstride, cx_idx x_rstride,
                                  const CONVX_T *CX_RESTRICT x, const CONVX_T *CX_RESTRICT w,
                                  CONVX_T *CX_RESTRICT y, cx_idx y_stride, cx_idx y_rstride,
                                  cx_idx m, const CONVX_T *CX_RESTRICT bias)
{
    vec_t acc[OCB][NV];
    for (int j = 0; j < OCB; j++)
        for (int r = 0; r < R; r++)
            for (int v = 0; v < NVV; v++) {
                const CONVX_T *py = y + j * y_stride + r * y_rstride + v * VL;
                acc[j][r * NVV + v] = j >= m ? VZERO()
                                      : bias ? VSET1(bias[j])
                                      : (v == NVV - 1 && last < VL) ? VLOADN(py, last) : VLOAD(py);
            }
    for (cx_idx c = 0; c < n_c; c++) {
        const CONVX_T *xc = x + c * x_cstride;
        const CONVX_T *wc = w + c * n_taps * OCB;
        for (cx_idx t = 0; t < n_taps; t++) {
            const CONVX_T *xt = xc + tap_off[t];
            vec_t xv[NV];
            for (int r = 0; r < R; r++)
                for (int v = 0; v < NVV; v++) {
                    const CONVX_T *px = xt + r * x_rstride + v * VL;
                    xv[r * NVV + v] = (v == NVV - 1 && last < VL) ? VLOADN(px, last) : VLOAD(px);
                }
            for (int j = 0; j < OCB; j++) {
                const vec_t wv = VSET1(wc[t * OCB + j]);
                for (int i = 0; i < R * NVV; i++) acc[j][i] = VFMA(xv[i], wv, acc[j][i]);
            }
        }
    }
    for (int j = 0; j < OCB; j++) {
        if (j >= m) continue;
        for (int r = 0; r < R; r++)
            for (int v = 0; v < NVV; v++) {
                CONVX_T *py = y + j * y_stride + r * y_rstride + v * VL;
                if (v == NVV - 1 && last < VL) VSTOREN(py, acc[j][r * NVV + v], last);
                else VSTORE(py, acc[j][r * NVV + v]);
            }
    }
}

#define CX_TILE(R_, NVV_)                                                                      \
    direct_tile(R_, NVV_, last, n_c, n_taps, tap_off, x_cstride, x_rstride, x, w, y, y_stride, \
                y_rstride, m, bias)

/* dispatch a runtime (R, NVV) to a specialised tile; R * NVV <= NV */
static void direct_tile_rt(int R, int NVV, cx_idx last, cx_idx n_c, cx_idx n_taps,
                           const cx_idx *CX_RESTRICT tap_off, cx_idx x_cstride, cx_idx x_rstride,
                           const CONVX_T *CX_RESTRICT x, const CONVX_T *CX_RESTRICT w,
                           CONVX_T *CX_RESTRICT y, cx_idx y_stride, cx_idx y_rstride, cx_idx m,
                           const CONVX_T *CX_RESTRICT bias)
{
    switch (R * 8 + NVV) {
#if NV >= 4
    case 1 * 8 + 4: CX_TILE(1, 4); break;
    case 1 * 8 + 3: CX_TILE(1, 3); break;
    case 4 * 8 + 1: CX_TILE(4, 1); break;
    case 3 * 8 + 1: CX_TILE(3, 1); break;
    case 2 * 8 + 2: CX_TILE(2, 2); break;
#endif
#if NV >= 2
    case 1 * 8 + 2: CX_TILE(1, 2); break;
    case 2 * 8 + 1: CX_TILE(2, 1); break;
#endif
    default: assert(R == 1 && NVV == 1); CX_TILE(1, 1); break;
    }
}

void UKERNEL_NAME(cx_idx n_rows, cx_idx n, cx_idx n_c, cx_idx n_taps,
                  const cx_idx *CX_RESTRICT tap_off, cx_idx x_cstride, cx_idx x_rstride,
                  const CONVX_T *CX_RESTRICT x, const CONVX_T *CX_RESTRICT w,
                  CONVX_T *CX_RESTRICT y, cx_idx y_stride, cx_idx y_rstride, cx_idx m,
                  const CONVX_T *CX_RESTRICT bias)
{
    assert(n_rows >= 1 && n >= 1 && n_c >= 1 && n_taps >= 1 && m >= 1 && m <= OCB);
    const cx_idx nvec = CX_CEILDIV(n, (cx_idx)VL);
    const cx_idx tail = n - (nvec - 1) * VL;       /* lanes in the last vector, 1..VL */
    if (nvec >= NV) {
        /* wide rows: full NV-vector tiles along each row, then one narrower tile */
        const cx_idx nfull = n / (NV * VL);
        const cx_idx rem = n - nfull * NV * VL;
        for (cx_idx r = 0; r < n_rows; r++) {
            const CONVX_T *xr = x + r * x_rstride;
            CONVX_T *yr = y + r * y_rstride;
            for (cx_idx f = 0; f < nfull; f++) {
                const cx_idx last = VL;
                const CONVX_T *x_ = xr + f * NV * VL;
                CONVX_T *y_ = yr + f * NV * VL;
                direct_tile(1, NV, last, n_c, n_taps, tap_off, x_cstride, x_rstride, x_, w, y_,
                            y_stride, y_rstride, m, bias);
            }
            if (rem) {
                const int nv = (int)CX_CEILDIV(rem, (cx_idx)VL);
                direct_tile_rt(1, nv, rem - (nv - 1) * VL, n_c, n_taps, tap_off, x_cstride,
                               x_rstride, xr + nfull * NV * VL, w, yr + nfull * NV * VL, y_stride,
                               y_rstride, m, bias);
            }
        }
    } else {
        /* narrow rows: stack R rows of nvec vectors into one tile */
        const int R = (int)(NV / nvec);
        cx_idx r = 0;
        for (; r + R <= n_rows; r += R)
            direct_tile_rt(R, (int)nvec, tail, n_c, n_taps, tap_off, x_cstride, x_rstride,
                           x + r * x_rstride, w, y + r * y_rstride, y_stride, y_rstride, m, bias);
        if (r < n_rows)   /* leftover rows, still stacked: (n_rows - r) * nvec < NV */
            direct_tile_rt((int)(n_rows - r), (int)nvec, tail, n_c, n_taps, tap_off, x_cstride, x_rstride,
                           x + r * x_rstride, w, y + r * y_rstride, y_stride, y_rstride, m, bias);
    }
}
#undef CX_TILE
