/* f32-dwconv_inplace-3x3s2-avx512.c — depthwise 3x3, stride 2, dilation 1 micro-kernel, AVX-512.
 * Compiled with the avx512 flags (file suffix).
 *
 *   y[r*y_rstride + o] = bias + sum_{kh, kw < 3} w[kh*3 + kw] * X(2r + kh, 2o + kw - pw)
 *
 * for r < n_rows, o < n, where X(i, c) = rows[i][c] for 0 <= c < IW and 0 otherwise, and
 * rows[i] == NULL is an all-zero (padding) row. The input is read in place with masked loads
 * (the padding is never materialised); per 16 outputs each input row gives 48 consecutive
 * padded columns in three loads, deinterleaved in registers (vpermt2ps) into the even and odd
 * columns, the kw = 2 tap being the even columns shifted by one (valignd). Four output rows
 * share nine input rows; every (row, kh) pair has its own accumulator. Columns past n are
 * masked on store. Preconditions: n_rows, n >= 1; rows has 2*n_rows + 1 entries.
 */
#include "dwconv_inplace.h"



void convx_f32_dwconv_inplace_ukernel_3x3s2__avx512(cx_idx n_rows, cx_idx n, const float *const *rows,
                                            cx_idx IW, cx_idx pw, const float *w, float bias,
                                            float *y, cx_idx y_rstride)
{
    CX_DW_WEIGHTS(w, bias);
    const __m512i ie = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i io = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
#define ROW(i, BODY)                                                                           \
    {                                                                                          \
        const float *xi = rows[2 * r + (i)];                                                   \
        __m512 v0 = _mm512_setzero_ps(), v1 = _mm512_setzero_ps(), v2 = _mm512_setzero_ps();   \
        if (xi) {                                                                              \
            const float *pc = xi + 2 * o - pw;                                                 \
            const __m512 A = _mm512_maskz_loadu_ps(m0, pc), B = _mm512_maskz_loadu_ps(m1, pc + 16); \
            const __m512 C = _mm512_maskz_loadu_ps(m2, pc + 32);                               \
            v0 = _mm512_permutex2var_ps(A, ie, B);                                             \
            v1 = _mm512_permutex2var_ps(A, io, B);                                             \
            v2 = CX_ROT1(C, v0);                                                                  \
        }                                                                                      \
        BODY                                                                                   \
    }
#define TAP(acc, k0, k1, k2)                                                                   \
    acc = _mm512_fmadd_ps(v0, k0, acc);                                                        \
    acc = _mm512_fmadd_ps(v1, k1, acc);                                                        \
    acc = _mm512_fmadd_ps(v2, k2, acc);
#define STORE(dst, v)                                                                          \
    if (o + 16 <= n) _mm512_storeu_ps((dst) + o, v);                                           \
    else _mm512_mask_storeu_ps((dst) + o, (__mmask16)((1u << (n - o)) - 1u), v);
#define MASKS                                                                                  \
    const __mmask16 m0 = cx_valid_lanes(2 * o, pw, IW), m1 = cx_valid_lanes(2 * o + 16, pw, IW); \
    const __mmask16 m2 = cx_valid_lanes(2 * o + 32, pw, IW);
    cx_idx r = 0;
    for (; r + 4 <= n_rows; r += 4) {
        float *y0 = y + r * y_rstride;
        for (cx_idx o = 0; o < n; o += 16) {
            MASKS
            __m512 a00 = vb, a01 = _mm512_setzero_ps(), a02 = _mm512_setzero_ps();
            __m512 a10 = vb, a11 = _mm512_setzero_ps(), a12 = _mm512_setzero_ps();
            __m512 a20 = vb, a21 = _mm512_setzero_ps(), a22 = _mm512_setzero_ps();
            __m512 a30 = vb, a31 = _mm512_setzero_ps(), a32 = _mm512_setzero_ps();
            ROW(0, TAP(a00, w00, w01, w02))
            ROW(1, TAP(a01, w10, w11, w12))
            ROW(2, TAP(a02, w20, w21, w22) TAP(a10, w00, w01, w02))
            ROW(3, TAP(a11, w10, w11, w12))
            ROW(4, TAP(a12, w20, w21, w22) TAP(a20, w00, w01, w02))
            ROW(5, TAP(a21, w10, w11, w12))
            ROW(6, TAP(a22, w20, w21, w22) TAP(a30, w00, w01, w02))
            ROW(7, TAP(a31, w10, w11, w12))
            ROW(8, TAP(a32, w20, w21, w22))
            STORE(y0, _mm512_add_ps(_mm512_add_ps(a00, a01), a02))
            STORE(y0 + y_rstride, _mm512_add_ps(_mm512_add_ps(a10, a11), a12))
            STORE(y0 + 2 * y_rstride, _mm512_add_ps(_mm512_add_ps(a20, a21), a22))
            STORE(y0 + 3 * y_rstride, _mm512_add_ps(_mm512_add_ps(a30, a31), a32))
        }
    }
    for (; r < n_rows; r++) {
        float *y0 = y + r * y_rstride;
        for (cx_idx o = 0; o < n; o += 16) {
            MASKS
            __m512 a00 = vb, a01 = _mm512_setzero_ps(), a02 = _mm512_setzero_ps();
            ROW(0, TAP(a00, w00, w01, w02))
            ROW(1, TAP(a01, w10, w11, w12))
            ROW(2, TAP(a02, w20, w21, w22))
            STORE(y0, _mm512_add_ps(_mm512_add_ps(a00, a01), a02))
        }
    }
#undef ROW
#undef TAP
#undef STORE
#undef MASKS
}
