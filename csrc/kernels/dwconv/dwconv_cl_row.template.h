/* dwconv_cl_row.template.h — channels-last depthwise micro-kernel for runs of consecutive output
 * pixels of one row (fixed window width KS, column stride S, no column dilation), vectors over
 * channels; instantiated per (dtype, KS, S, ISA) by the generated f??-dwconv_cl_row-*.c files
 * next to it (csrc/kernels/generate.py).
 *
 *   y[i*yr + j*ys + c] = bias[c] + sum_{r < nr} sum_{kw < KS}
 *                        rows[i + r][(j*S + kw)*C + c] * wrows[r][kw*C + c]
 *                                               for output rows i < nout (1 or 2), j < n, c < C
 *
 * With nout = 2 the two output rows read input rows shifted by one (a row stride of 1, no row
 * dilation): rows holds nr + 1 pointers and each input vector feeds both rows' sums, which
 * halves the input traffic of a 3x3 window.
 * rows[r] points at the input pixel under tap (r, 0) of output pixel 0 (one input row per
 * kernel row r the caller keeps: rows inside the image); every pixel j*S + kw it reads must be
 * inside the input. Per vector of channels, PX output pixels are held in registers and each
 * input vector is loaded once and used for every (pixel, tap) pair it meets, with the KS weight
 * vectors of the row in registers. Per element the sum starts from the bias and adds the taps in
 * (r, kw) order, one FMA each: the dwconv_cl kernel's order for the same tap list. bias may be
 * NULL. Preconditions (asserted): n >= 1, C >= 1, nr >= 0.
 */
#if !defined(CONVX_T) || !defined(KS) || !defined(S) || !defined(PX) || !defined(UKERNEL_NAME)
#error "define CONVX_T, KS, S, PX and UKERNEL_NAME before including dwconv_cl_row.template.h"
#endif
#include <math.h>
#include "../simd.h"

#define T CONVX_T
/* the tail's scalar multiply-add: fused like the vector FMAs where the ISA has FMA */
#if VL > 1 && CX_T_IS_F64
#define VFMA_S(a, b, c) fma((a), (b), (c))
#elif VL > 1
#define VFMA_S(a, b, c) fmaf((a), (b), (c))
#else
#define VFMA_S(a, b, c) ((a) * (b) + (c))
#endif
#define CX_SPAN ((PX - 1) * S + KS)   /* input pixels under PX outputs */

/* one vector of channels at c (cnt lanes when MASKED), PX pixels from j0, output row 0 */
#define CX_ROW_BLOCK(LOAD, STORE)                                                              \
    {                                                                                          \
        vec_t acc[PX];                                                                         \
        _Pragma("GCC unroll 16")                                                               \
        for (int j = 0; j < PX; j++) acc[j] = bias ? LOAD(bias + c) : VZERO();                 \
        for (cx_idx r = 0; r < nr; r++) {                                                      \
            const T *xr = rows[r] + j0 * S * C + c;                                            \
            const T *wr = wrows[r] + c;                                                        \
            vec_t wv[KS];                                                                      \
            _Pragma("GCC unroll 16")                                                           \
            for (int kw = 0; kw < KS; kw++) wv[kw] = LOAD(wr + kw * C);                        \
            _Pragma("GCC unroll 64")                                                           \
            for (int q = 0; q < CX_SPAN; q++) {                                                \
                const vec_t xv = LOAD(xr + q * C);                                             \
                _Pragma("GCC unroll 16")                                                       \
                for (int kw = 0; kw < KS; kw++) {                                              \
                    const int jj = (q - kw) / S;                                               \
                    if (q - kw >= 0 && (q - kw) % S == 0 && jj < PX)                           \
                        acc[jj] = VFMA(xv, wv[kw], acc[jj]);                                   \
                }                                                                              \
            }                                                                                  \
        }                                                                                      \
        _Pragma("GCC unroll 16")                                                               \
        for (int j = 0; j < PX; j++) STORE(y + (j0 + j) * ys + c, acc[j]);                     \
    }

/* the same for two output rows: input row r feeds row 0 with weight row r and row 1 with
 * weight row r - 1 (each row's taps still in (r, kw) order) */
#define CX_ROW2_BLOCK(LOAD, STORE)                                                             \
    {                                                                                          \
        vec_t a0[PX], a1[PX];                                                                  \
        _Pragma("GCC unroll 16")                                                               \
        for (int j = 0; j < PX; j++) a0[j] = a1[j] = bias ? LOAD(bias + c) : VZERO();          \
        for (cx_idx r = 0; r <= nr; r++) {                                                     \
            const T *xr = rows[r] + j0 * S * C + c;                                            \
            const int lo_ok = r < nr, hi_ok = r > 0;                                           \
            const T *w0 = wrows[lo_ok ? r : 0] + c, *w1 = wrows[hi_ok ? r - 1 : 0] + c;        \
            vec_t wv0[KS], wv1[KS];                                                            \
            _Pragma("GCC unroll 16")                                                           \
            for (int kw = 0; kw < KS; kw++) {                                                  \
                wv0[kw] = LOAD(w0 + kw * C);                                                   \
                wv1[kw] = LOAD(w1 + kw * C);                                                   \
            }                                                                                  \
            if (lo_ok && hi_ok) {                                                              \
                _Pragma("GCC unroll 64")                                                       \
                for (int q = 0; q < CX_SPAN; q++) {                                            \
                    const vec_t xv = LOAD(xr + q * C);                                         \
                    _Pragma("GCC unroll 16")                                                   \
                    for (int kw = 0; kw < KS; kw++) {                                          \
                        const int jj = (q - kw) / S;                                           \
                        if (q - kw >= 0 && (q - kw) % S == 0 && jj < PX) {                     \
                            a0[jj] = VFMA(xv, wv0[kw], a0[jj]);                                \
                            a1[jj] = VFMA(xv, wv1[kw], a1[jj]);                                \
                        }                                                                      \
                    }                                                                          \
                }                                                                              \
            } else {                                                                           \
                _Pragma("GCC unroll 64")                                                       \
                for (int q = 0; q < CX_SPAN; q++) {                                            \
                    const vec_t xv = LOAD(xr + q * C);                                         \
                    _Pragma("GCC unroll 16")                                                   \
                    for (int kw = 0; kw < KS; kw++) {                                          \
                        const int jj = (q - kw) / S;                                           \
                        if (q - kw >= 0 && (q - kw) % S == 0 && jj < PX) {                     \
                            if (lo_ok) a0[jj] = VFMA(xv, wv0[kw], a0[jj]);                     \
                            else a1[jj] = VFMA(xv, wv1[kw], a1[jj]);                           \
                        }                                                                      \
                    }                                                                          \
                }                                                                              \
            }                                                                                  \
        }                                                                                      \
        _Pragma("GCC unroll 16")                                                               \
        for (int j = 0; j < PX; j++) {                                                         \
            STORE(y + (j0 + j) * ys + c, a0[j]);                                               \
            STORE(y + yr + (j0 + j) * ys + c, a1[j]);                                          \
        }                                                                                      \
    }

/* every vector of channels of one PX-pixel tile with BLOCK (the last one masked) */
#define CX_LD(p) VLOAD(p)
#define CX_ST(p, v) VSTORE((p), (v))
#if VL > 1
#define CX_LDN(p) VLOADN((p), cnt)
#define CX_STN(p, v) VSTOREN((p), (v), cnt)
#define CX_MASKED(BLOCK) if (c < C) { const cx_idx cnt = C - c; BLOCK(CX_LDN, CX_STN) }
#else
#define CX_MASKED(BLOCK)
#endif
#define CX_CHANNELS(BLOCK)                                                                     \
    {                                                                                          \
        cx_idx c = 0;                                                                          \
        for (; c + VL <= C; c += VL) BLOCK(CX_LD, CX_ST)                                       \
        CX_MASKED(BLOCK)                                                                       \
    }

void UKERNEL_NAME(cx_idx n, cx_idx C, cx_idx nr, const T *const *CX_RESTRICT rows,
                  const T *const *CX_RESTRICT wrows, const T *CX_RESTRICT bias,
                  T *CX_RESTRICT y, cx_idx ys, int nout, cx_idx yr)
{
    assert(n >= 1 && C >= 1 && nr >= 0 && (nout == 1 || nout == 2));
    cx_idx j0 = 0;
    if (nout == 2 && nr > 0) {
        for (; j0 + PX <= n; j0 += PX) CX_CHANNELS(CX_ROW2_BLOCK)
    } else {
        for (; j0 + PX <= n; j0 += PX) CX_CHANNELS(CX_ROW_BLOCK)
    }
    /* fewer than PX pixels left: one pixel at a time (reads only its own window) */
    for (; j0 < n; j0++) {
        for (int i = 0; i < nout; i++)
            for (cx_idx c = 0; c < C; c++) {
                T a = bias ? bias[c] : (T)0;
                for (cx_idx r = 0; r < nr; r++)
                    for (int kw = 0; kw < KS; kw++)
                        a = VFMA_S(rows[i + r][(j0 * S + kw) * C + c], wrows[r][kw * C + c], a);
                y[i * yr + j0 * ys + c] = a;
            }
    }
}

#undef CX_ROW_BLOCK
#undef CX_ROW2_BLOCK
#undef CX_CHANNELS
#undef CX_MASKED
#undef CX_LD
#undef CX_ST
#undef CX_LDN
#undef CX_STN
#undef CX_SPAN
#undef VFMA_S
#undef T
