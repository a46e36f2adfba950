/* sliding.template.h — body of the sliding-window convolution micro-kernel, instantiated per
 * (dtype, tile, ISA) by the generated f??-sliding-*.c files next to it
 * (csrc/kernels/generate.py).
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
#error "define CONVX_T, OCB, NV and UKERNEL_NAME before including sliding.template.h"
#endif
#include "../simd.h"

#if defined(__GNUC__)
#define CX_ALWAYS_INLINE static inline __attribute__((always_inline))
#else
#define CX_ALWAYS_INLINE static __forceinline
#endif

/* One register tile: NS vector slots (NS = R * NVV <= NV: R rows of NVV vectors each) for OCB
 * output channels. Every accumulator is a named variable (slot s, channel j): GCC keeps arrays
 * of vector accumulators in memory when a function has many inlined variants. Slot s covers
 * row s / NVV, vector s % NVV; the last vector of each row holds `last` (1..VL) valid lanes.
 * R and NVV are literal constants at every call site. Rows j >= m start at zero and are never
 * stored (their packed weights are zero). */
#if OCB == 8
#define CX_FOR_J(X, s) X(0, s) X(1, s) X(2, s) X(3, s) X(4, s) X(5, s) X(6, s) X(7, s)
#elif OCB == 4
#define CX_FOR_J(X, s) X(0, s) X(1, s) X(2, s) X(3, s)
#elif OCB == 1
#define CX_FOR_J(X, s) X(0, s)
#else
#error "sliding: OCB must be 1, 4 or 8"
#endif
#define CX_S1(X) X(0)
#define CX_S2(X) X(0) X(1)
#define CX_S3(X) X(0) X(1) X(2)
#define CX_S4(X) X(0) X(1) X(2) X(3)

#define CX_SLOT_OFF(s, rs) (((s) / NVV) * (rs) + ((s) % NVV) * VL)
#define CX_SLOT_MASKED(s) ((s) % NVV == NVV - 1 && last < VL)
#define CX_DINIT(j, s)                                                                         \
    vec_t c##j##_##s = (j) >= m ? VZERO() : bias ? VSET1(bias[j])                              \
        : CX_SLOT_MASKED(s) ? VLOADN(y + (j) * y_stride + CX_SLOT_OFF(s, y_rstride), last)     \
        : VLOAD(y + (j) * y_stride + CX_SLOT_OFF(s, y_rstride));
#define CX_DINIT_S(s) CX_FOR_J(CX_DINIT, s)
#define CX_DLOADX(s)                                                                           \
    const vec_t xv##s = CX_SLOT_MASKED(s) ? VLOADN(xt + CX_SLOT_OFF(s, x_rstride), last)       \
                                          : VLOAD(xt + CX_SLOT_OFF(s, x_rstride));
#define CX_DFMA(j, s) c##j##_##s = VFMA(xv##s, wv##j, c##j##_##s);
#define CX_DFMA_S(s) CX_FOR_J(CX_DFMA, s)
#define CX_DW(j, s) const vec_t wv##j = VSET1(wt[j]);
#define CX_DSTORE(j, s)                                                                        \
    if ((j) < m) {                                                                             \
        if (CX_SLOT_MASKED(s)) VSTOREN(y + (j) * y_stride + CX_SLOT_OFF(s, y_rstride), c##j##_##s, last); \
        else VSTORE(y + (j) * y_stride + CX_SLOT_OFF(s, y_rstride), c##j##_##s);               \
    }
#define CX_DSTORE_S(s) CX_FOR_J(CX_DSTORE, s)

#define CX_DEFINE_DTILE(NS)                                                                    \
    CX_ALWAYS_INLINE void sliding_tile_##NS(                                                   \
        const int R, const int NVV, const cx_idx last, cx_idx n_c, cx_idx n_taps,              \
        const cx_idx *CX_RESTRICT tap_off, cx_idx x_cstride, cx_idx x_rstride,                 \
        const CONVX_T *CX_RESTRICT x, const CONVX_T *CX_RESTRICT w, CONVX_T *CX_RESTRICT y,    \
        cx_idx y_stride, cx_idx y_rstride, cx_idx m, const CONVX_T *CX_RESTRICT bias)          \
    {                                                                                          \
        (void)R;                                                                               \
        CX_S##NS(CX_DINIT_S)                                                                   \
        for (cx_idx c = 0; c < n_c; c++) {                                                     \
            const CONVX_T *xc = x + c * x_cstride;                                             \
            const CONVX_T *wc = w + c * n_taps * OCB;                                          \
            for (cx_idx t = 0; t < n_taps; t++) {                                              \
                const CONVX_T *xt = xc + tap_off[t];                                           \
                const CONVX_T *wt = wc + t * OCB;                                              \
                CX_S##NS(CX_DLOADX)                                                            \
                CX_FOR_J(CX_DW, 0)                                                             \
                CX_S##NS(CX_DFMA_S)                                                            \
            }                                                                                  \
        }                                                                                      \
        CX_S##NS(CX_DSTORE_S)                                                                  \
    }

CX_DEFINE_DTILE(1)
#if NV >= 2
CX_DEFINE_DTILE(2)
#endif
#if NV >= 3
CX_DEFINE_DTILE(3)
#endif
#if NV >= 4
CX_DEFINE_DTILE(4)
#endif

#define CX_TILE(R_, NVV_)                                                                      \
    sliding_tile_##R_##x##NVV_(last, n_c, n_taps, tap_off, x_cstride, x_rstride, x, w, y,      \
                               y_stride, y_rstride, m, bias)
/* (R, NVV) -> NS = R * NVV slots; NVV must be a literal for the slot-offset arithmetic */
#define CX_DEFINE_RT(R_, NVV_, NS_)                                                            \
    static void sliding_tile_##R_##x##NVV_(cx_idx last, cx_idx n_c, cx_idx n_taps,             \
                                           const cx_idx *CX_RESTRICT tap_off, cx_idx x_cstride, \
                                           cx_idx x_rstride, const CONVX_T *CX_RESTRICT x,     \
                                           const CONVX_T *CX_RESTRICT w, CONVX_T *CX_RESTRICT y, \
                                           cx_idx y_stride, cx_idx y_rstride, cx_idx m,        \
                                           const CONVX_T *CX_RESTRICT bias)                    \
    {                                                                                          \
        sliding_tile_##NS_(R_, NVV_, last, n_c, n_taps, tap_off, x_cstride, x_rstride, x, w, y, \
                           y_stride, y_rstride, m, bias);                                      \
    }

CX_DEFINE_RT(1, 1, 1)
#if NV >= 2
CX_DEFINE_RT(1, 2, 2)
CX_DEFINE_RT(2, 1, 2)
#endif
#if NV >= 4
CX_DEFINE_RT(1, 4, 4)
CX_DEFINE_RT(1, 3, 3)
CX_DEFINE_RT(4, 1, 4)
CX_DEFINE_RT(3, 1, 3)
CX_DEFINE_RT(2, 2, 4)
#endif

/* dispatch a runtime (R, NVV) to a specialised tile; R * NVV <= NV */
static void sliding_tile_rt(int R, int NVV, cx_idx last, cx_idx n_c, cx_idx n_taps,
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
                sliding_tile_rt(1, NV, last, n_c, n_taps, tap_off, x_cstride, x_rstride, x_, w, y_,
                                y_stride, y_rstride, m, bias);
            }
            if (rem) {
                const int nv = (int)CX_CEILDIV(rem, (cx_idx)VL);
                sliding_tile_rt(1, nv, rem - (nv - 1) * VL, n_c, n_taps, tap_off, x_cstride,
                                x_rstride, xr + nfull * NV * VL, w, yr + nfull * NV * VL, y_stride,
                                y_rstride, m, bias);
            }
        }
    } else {
        /* narrow rows: stack R rows of nvec vectors into one tile */
        const int R = (int)(NV / nvec);
        cx_idx r = 0;
        for (; r + R <= n_rows; r += R)
            sliding_tile_rt(R, (int)nvec, tail, n_c, n_taps, tap_off, x_cstride, x_rstride,
                            x + r * x_rstride, w, y + r * y_rstride, y_stride, y_rstride, m, bias);
        if (r < n_rows)   /* leftover rows, still stacked: (n_rows - r) * nvec < NV */
            sliding_tile_rt((int)(n_rows - r), (int)nvec, tail, n_c, n_taps, tap_off, x_cstride,
                            x_rstride, x + r * x_rstride, w, y + r * y_rstride, y_stride,
                            y_rstride, m, bias);
    }
}
#undef CX_TILE
