/* dwconv_cl_row.template.h — channels-last depthwise micro-kernel for runs of consecutive output
 * pixels of one row (fixed window width KS, column stride S, no column dilation), vectors over
 * channels; instantiated per (dtype, KS, S, ISA) by the generated f??-dwconv_cl_row-*.c files
 * next to it (csrc/kernels/generate.py).
 *
 *   y[j*ys + c] = bias[c] + sum_{r < nr} sum_{kw < KS} rows[r][(j*S + kw)*C + c] * wrows[r][kw*C + c]
 *                                                       for j < n, c < C
 *
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

/* one vector of channels at c (cnt lanes when MASKED), PX pixels from j0 */
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

void UKERNEL_NAME(cx_idx n, cx_idx C, cx_idx nr, const T *const *CX_RESTRICT rows,
                  const T *const *CX_RESTRICT wrows, const T *CX_RESTRICT bias,
                  T *CX_RESTRICT y, cx_idx ys)
{
    assert(n >= 1 && C >= 1 && nr >= 0);
    cx_idx j0 = 0;
    for (; j0 + PX <= n; j0 += PX) {
        cx_idx c = 0;
        for (; c + VL <= C; c += VL) {
#define CX_LD(p) VLOAD(p)
#define CX_ST(p, v) VSTORE((p), (v))
            CX_ROW_BLOCK(CX_LD, CX_ST)
#undef CX_LD
#undef CX_ST
        }
#if VL > 1
        if (c < C) {
            const cx_idx cnt = C - c;
#define CX_LD(p) VLOADN((p), cnt)
#define CX_ST(p, v) VSTOREN((p), (v), cnt)
            CX_ROW_BLOCK(CX_LD, CX_ST)
#undef CX_LD
#undef CX_ST
        }
#endif
    }
    /* fewer than PX pixels left: one pixel at a time (reads only its own window) */
    for (; j0 < n; j0++) {
        for (cx_idx c = 0; c < C; c++) {
            T a = bias ? bias[c] : (T)0;
            for (cx_idx r = 0; r < nr; r++)
                for (int kw = 0; kw < KS; kw++)
                    a = VFMA_S(rows[r][(j0 * S + kw) * C + c], wrows[r][kw * C + c], a);
            y[j0 * ys + c] = a;
        }
    }
}

#undef CX_ROW_BLOCK
#undef CX_SPAN
#undef VFMA_S
#undef T
