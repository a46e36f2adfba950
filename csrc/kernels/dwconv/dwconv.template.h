/* dwconv.template.h — body of the depthwise (one input channel per output) convolution
 * micro-kernel, instantiated per (dtype, window, ISA) by the generated f??-dwconv-*.c files next
 * to it (csrc/kernels/generate.py). Compiled with the ISA's flags (file suffix).
 *
 * Computes n_rows output rows x n consecutive output columns of one channel:
 *
 *   y[r*y_rstride + j] = bias + sum_{a < kh} sum_{b < kw} w[a*kw + b] *
 *                               x[(r*s + a)*x_rstride + coff[b] + j]
 *
 * for r < n_rows, j < n. x is a padded, stride-phase-split slab built by the driver
 * (csrc/conv/depthwise.template.c): coff[b] is tap b's column offset (phase and shift), so every
 * tap reads contiguous columns; the driver folds the rows' dilation into x_rstride. The sum
 * runs in (a, b) order from the bias in every instance, so a result does not depend on the
 * tile it was computed in (nor on the instance: the fixed-window kernels and the generic one
 * agree bit for bit). Loads are whole vectors: x is read up to column
 * coff[b] + ceil(n / VL) * VL - 1 of a row (the caller provides that slack after the last
 * row too, VL <= 16 elements); the last vector's store is masked: nothing is written past
 * column n - 1.
 *
 * Fixed-window instances (KS = kh = kw in {3, 5, 7}, S = s in {1, 2}: assert) walk the input
 * rows once per register tile: each loaded vector feeds every output row of the tile whose
 * window covers it (up to KS rows at stride 1). The generic instance (KS == 0: any kh, kw, s)
 * loads per (row, tap). Register tile: up to R_MAX rows x NV vectors; narrower blocks stack
 * more rows (R_MAX * NV / nvec, at most 8) so at least R_MAX * NV / 2 FMA chains are in flight.
 * Preconditions (asserted): n_rows, n, kh, kw, s >= 1.
 */
#if !defined(CONVX_T) || !defined(NV) || !defined(R_MAX) || !defined(KS) || !defined(S) || \
    !defined(UKERNEL_NAME)
#error "define CONVX_T, NV, R_MAX, KS, S and UKERNEL_NAME before including dwconv.template.h"
#endif
#include <assert.h>
#include "../simd.h"

#if defined(__GNUC__)
#define CX_ALWAYS_INLINE static inline __attribute__((always_inline))
#define CX_UNROLL _Pragma("GCC unroll 64")
/* a memory barrier: weights are re-broadcast per input row instead of all KS*KS kept live
 * (GCC hoists every broadcast out of the unrolled loop and spills them: 16 registers) */
#define CX_REBROADCAST() __asm__ __volatile__("" ::: "memory")
#else
#define CX_ALWAYS_INLINE static __forceinline
#define CX_UNROLL
#define CX_REBROADCAST()
#endif

/* Whole-vector loads even for the last, partial vector: the slab has slack past each row's
 * last column (see the contract above), and the lanes past n are never stored. AVX2's masked
 * loads cost a third of a 7-wide row's time. */
#define CX_LD(p, v, nvb) VLOAD(p)

/* the first cnt (< VL) lanes of v to p. AVX2's masked store (vmaskmovps) is microcoded and
 * slow on AMD Zen (it dominated 7-wide rows); halves, quarters and single lanes instead. */
#if defined(CX_ISA_AVX2)
CX_ALWAYS_INLINE void dw_store_tail(CONVX_T *p, vec_t v, cx_idx cnt)
{
#if CX_T_IS_F64
    __m128d lo = _mm256_castpd256_pd128(v);
    if (cnt >= 2) { _mm_storeu_pd(p, lo); lo = _mm256_extractf128_pd(v, 1); p += 2; cnt -= 2; }
    if (cnt) _mm_store_sd(p, lo);
#else
    __m128 lo = _mm256_castps256_ps128(v);
    if (cnt >= 4) { _mm_storeu_ps(p, lo); lo = _mm256_extractf128_ps(v, 1); p += 4; cnt -= 4; }
    if (cnt >= 2) { _mm_storel_pi((__m64 *)(void *)p, lo); lo = _mm_movehl_ps(lo, lo); p += 2; cnt -= 2; }
    if (cnt) _mm_store_ss(p, lo);
#endif
}
#else
#define dw_store_tail(p, v, cnt) VSTOREN((p), (v), (cnt))
#endif

/* One register tile: R rows x NVB vectors (literal constants at every call site); the last
 * vector holds `last` (1..VL) valid lanes. */
CX_ALWAYS_INLINE void dw_tile(const int R, const int NVB, cx_idx last, cx_idx kh, cx_idx kw,
                              cx_idx s, const CONVX_T *CX_RESTRICT x, cx_idx x_rstride,
                              const cx_idx *CX_RESTRICT coff, const CONVX_T *CX_RESTRICT w,
                              CONVX_T bias, CONVX_T *CX_RESTRICT y, cx_idx y_rstride)
{
    vec_t acc[8][NV];
    const vec_t vb = VSET1(bias);
    CX_UNROLL for (int r = 0; r < R; r++)
        CX_UNROLL for (int v = 0; v < NVB; v++) acc[r][v] = vb;
#if KS > 0
    (void)kh; (void)kw; (void)s;
    /* input rows of the tile in order; each tap's vectors are loaded once for all rows */
    CX_UNROLL for (int i = 0; i < (R - 1) * S + KS; i++) {
        const CONVX_T *xi = x + i * x_rstride;
        CX_REBROADCAST();
        CX_UNROLL for (int b = 0; b < KS; b++) {
            vec_t xv[NV];
            CX_UNROLL for (int v = 0; v < NVB; v++) xv[v] = CX_LD(xi + coff[b] + v * VL, v, NVB);
            CX_UNROLL for (int r = 0; r < R; r++) {
                const int a = i - r * S;
                if (a < 0 || a >= KS) continue;
                const vec_t wv = VSET1(w[a * KS + b]);
                CX_UNROLL for (int v = 0; v < NVB; v++) acc[r][v] = VFMA(xv[v], wv, acc[r][v]);
            }
        }
    }
#else
    for (cx_idx a = 0; a < kh; a++)
        for (cx_idx b = 0; b < kw; b++) {
            const vec_t wv = VSET1(w[a * kw + b]);
            CX_UNROLL for (int r = 0; r < R; r++) {
                const CONVX_T *xt = x + (r * s + a) * x_rstride + coff[b];
                CX_UNROLL for (int v = 0; v < NVB; v++)
                    acc[r][v] = VFMA(CX_LD(xt + v * VL, v, NVB), wv, acc[r][v]);
            }
        }
#endif
    CX_UNROLL for (int r = 0; r < R; r++)
        CX_UNROLL for (int v = 0; v < NVB; v++) {
            CONVX_T *yv = y + r * y_rstride + v * VL;
            if (v == NVB - 1 && last < VL) dw_store_tail(yv, acc[r][v], last);
            else VSTORE(yv, acc[r][v]);
        }
}

#define CX_DW_ARGS last, kh, kw, s, x, x_rstride, coff, w, bias, y, y_rstride
#define CX_DW_TILE(R_, NVB_)                                                                   \
    static void dw_tile_##R_##x##NVB_(cx_idx last, cx_idx kh, cx_idx kw, cx_idx s,             \
                                      const CONVX_T *CX_RESTRICT x, cx_idx x_rstride,          \
                                      const cx_idx *CX_RESTRICT coff,                          \
                                      const CONVX_T *CX_RESTRICT w, CONVX_T bias,              \
                                      CONVX_T *CX_RESTRICT y, cx_idx y_rstride)                \
    {                                                                                          \
        dw_tile(R_, NVB_, CX_DW_ARGS);                                                         \
    }
/* rows x vectors instances: R_MAX rows at NV vectors, more rows (up to 8, while the tile
 * holds at most R_MAX * NV accumulators) when narrower, and 4 / 2 / 1 rows for the row
 * remainder; tiles the kernel never uses are not compiled (NULL in the table) */
#define CX_DW_TILES_NVB(NVB_) CX_DW_TILE(4, NVB_) CX_DW_TILE(2, NVB_) CX_DW_TILE(1, NVB_)
CX_DW_TILES_NVB(1)
#if 8 * 1 <= R_MAX * NV
CX_DW_TILE(8, 1)
#define CX_DW_T8_1 dw_tile_8x1
#else
#define CX_DW_T8_1 NULL
#endif
#if NV >= 2
CX_DW_TILES_NVB(2)
#if 8 * 2 <= R_MAX * NV
CX_DW_TILE(8, 2)
#define CX_DW_T8_2 dw_tile_8x2
#else
#define CX_DW_T8_2 NULL
#endif
#endif
#if NV >= 3
CX_DW_TILES_NVB(3)
#define CX_DW_T8_3 NULL
#endif
#if NV >= 4
CX_DW_TILES_NVB(4)
#define CX_DW_T8_4 NULL
#endif
#if NV > 4 || R_MAX != 4
#error "dwconv: NV <= 4 and R_MAX == 4"
#endif

typedef void (*dw_tile_fn)(cx_idx, cx_idx, cx_idx, cx_idx, const CONVX_T *, cx_idx,
                           const cx_idx *, const CONVX_T *, CONVX_T, CONVX_T *, cx_idx);

#define CX_DW_ROW4(NVB_) {CX_DW_T8_##NVB_, dw_tile_4x##NVB_, dw_tile_2x##NVB_, dw_tile_1x##NVB_}

void UKERNEL_NAME(cx_idx n_rows, cx_idx n, cx_idx kh, cx_idx kw, cx_idx s,
                  const CONVX_T *x, cx_idx x_rstride, const cx_idx *coff, const CONVX_T *w,
                  CONVX_T bias, CONVX_T *y, cx_idx y_rstride)
{
    assert(n_rows >= 1 && n >= 1 && kh >= 1 && kw >= 1 && s >= 1);
#if KS > 0
    assert(kh == KS && kw == KS && s == S);
#endif
    /* tiles[nvb - 1][q]: rows 8 >> q */
    static const dw_tile_fn tiles[][4] = {
        CX_DW_ROW4(1),
#if NV >= 2
        CX_DW_ROW4(2),
#endif
#if NV >= 3
        CX_DW_ROW4(3),
#endif
#if NV >= 4
        CX_DW_ROW4(4),
#endif
    };
    const cx_idx nvec = CX_CEILDIV(n, (cx_idx)VL);
    for (cx_idx v0 = 0; v0 < nvec; v0 += NV) {
        const cx_idx nvb = CX_MIN((cx_idx)NV, nvec - v0);
        const cx_idx last = v0 + nvb == nvec ? n - (nvec - 1) * VL : VL;
        /* rows per tile at this width: R_MAX * NV / nvb, a power of two, at most 8 */
        cx_idx rt = R_MAX;
        while (rt < 8 && 2 * rt * nvb <= (cx_idx)(R_MAX * NV)) rt *= 2;
        const cx_idx o = v0 * VL;
        cx_idx r = 0;
        for (int q = 0; q < 4; q++) {
            const cx_idx rows = (cx_idx)8 >> q;
            if (rows > rt) continue;
            for (; r + rows <= n_rows; r += rows)
                tiles[nvb - 1][q](last, kh, kw, s, x + r * s * x_rstride + o, x_rstride, coff,
                                  w, bias, y + r * y_rstride + o, y_rstride);
        }
    }
}

#undef CX_LD
#ifdef dw_store_tail
#undef dw_store_tail
#endif
#undef CX_DW_ARGS
#undef CX_DW_TILE
#undef CX_DW_TILES_NVB
#undef CX_DW_ROW4
#undef CX_DW_T8_1
#undef CX_DW_T8_2
#undef CX_DW_T8_3
#undef CX_DW_T8_4
