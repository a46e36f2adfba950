/* f32-dwconv-3x3s1-avx512.c — depthwise 3x3, stride 1, dilation 1 micro-kernel, AVX-512.
 * Compiled with the avx512 flags (file suffix).
 *
 *   y[r*y_rstride + o] = bias + sum_{kh, kw < 3} w[kh*3 + kw] * x[(r + kh)*x_rstride + o + kw]
 *
 * for r < n_rows, o < n, over one channel's padded slab (see kernels/pack/). Each input row is
 * loaded once per 16 outputs and the kw = 1, 2 taps are built in registers with valignd instead
 * of two more unaligned loads; four output rows share six input rows. Every (row, kh) pair has
 * its own accumulator (12 independent FMA chains), summed at the end. Columns past n are masked
 * on store; loads may read up to 32 elements past a row's last valid column, so the caller's
 * slab has that much slack after its last row. Preconditions: n_rows, n >= 1.
 */
#include <immintrin.h>
#include "../../common.h"

#define ROT1(b, a) _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(b), _mm512_castps_si512(a), 1))
#define ROT2(b, a) _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(b), _mm512_castps_si512(a), 2))

void convx_f32_dwconv_ukernel_3x3s1__avx512(cx_idx n_rows, cx_idx n, const float *x,
                                            cx_idx x_rstride, const float *w, float bias,
                                            float *y, cx_idx y_rstride)
{
    const __m512 w00 = _mm512_set1_ps(w[0]), w01 = _mm512_set1_ps(w[1]), w02 = _mm512_set1_ps(w[2]);
    const __m512 w10 = _mm512_set1_ps(w[3]), w11 = _mm512_set1_ps(w[4]), w12 = _mm512_set1_ps(w[5]);
    const __m512 w20 = _mm512_set1_ps(w[6]), w21 = _mm512_set1_ps(w[7]), w22 = _mm512_set1_ps(w[8]);
    const __m512 vb = _mm512_set1_ps(bias);
    cx_idx r = 0;
    for (; r + 4 <= n_rows; r += 4) {
        const float *x0 = x + r * x_rstride;
        float *y0 = y + r * y_rstride;
        for (cx_idx o = 0; o < n; o += 16) {
            __m512 a00 = vb, a01 = _mm512_setzero_ps(), a02 = _mm512_setzero_ps();
            __m512 a10 = vb, a11 = _mm512_setzero_ps(), a12 = _mm512_setzero_ps();
            __m512 a20 = vb, a21 = _mm512_setzero_ps(), a22 = _mm512_setzero_ps();
            __m512 a30 = vb, a31 = _mm512_setzero_ps(), a32 = _mm512_setzero_ps();
#define ROW(i, BODY)                                                                           \
            {                                                                                  \
                const float *xi = x0 + (i) * x_rstride + o;                                    \
                const __m512 v0 = _mm512_loadu_ps(xi), vn = _mm512_loadu_ps(xi + 16);          \
                const __m512 v1 = ROT1(vn, v0), v2 = ROT2(vn, v0);                             \
                BODY                                                                           \
            }
#define TAP(acc, k0, k1, k2)                                                                   \
            acc = _mm512_fmadd_ps(v0, k0, acc);                                                \
            acc = _mm512_fmadd_ps(v1, k1, acc);                                                \
            acc = _mm512_fmadd_ps(v2, k2, acc);
            ROW(0, TAP(a00, w00, w01, w02))
            ROW(1, TAP(a01, w10, w11, w12) TAP(a10, w00, w01, w02))
            ROW(2, TAP(a02, w20, w21, w22) TAP(a11, w10, w11, w12) TAP(a20, w00, w01, w02))
            ROW(3, TAP(a12, w20, w21, w22) TAP(a21, w10, w11, w12) TAP(a30, w00, w01, w02))
            ROW(4, TAP(a22, w20, w21, w22) TAP(a31, w10, w11, w12))
            ROW(5, TAP(a32, w20, w21, w22))
            const __m512 s0 = _mm512_add_ps(_mm512_add_ps(a00, a01), a02);
            const __m512 s1 = _mm512_add_ps(_mm512_add_ps(a10, a11), a12);
            const __m512 s2 = _mm512_add_ps(_mm512_add_ps(a20, a21), a22);
            const __m512 s3 = _mm512_add_ps(_mm512_add_ps(a30, a31), a32);
            if (o + 16 <= n) {
                _mm512_storeu_ps(y0 + o, s0);
                _mm512_storeu_ps(y0 + y_rstride + o, s1);
                _mm512_storeu_ps(y0 + 2 * y_rstride + o, s2);
                _mm512_storeu_ps(y0 + 3 * y_rstride + o, s3);
            } else {
                const __mmask16 m = (__mmask16)((1u << (n - o)) - 1u);
                _mm512_mask_storeu_ps(y0 + o, m, s0);
                _mm512_mask_storeu_ps(y0 + y_rstride + o, m, s1);
                _mm512_mask_storeu_ps(y0 + 2 * y_rstride + o, m, s2);
                _mm512_mask_storeu_ps(y0 + 3 * y_rstride + o, m, s3);
            }
        }
    }
    for (; r < n_rows; r++) {
        const float *x0 = x + r * x_rstride;
        float *y0 = y + r * y_rstride;
        for (cx_idx o = 0; o < n; o += 16) {
            __m512 a00 = vb, a01 = _mm512_setzero_ps(), a02 = _mm512_setzero_ps();
            ROW(0, TAP(a00, w00, w01, w02))
            ROW(1, TAP(a01, w10, w11, w12))
            ROW(2, TAP(a02, w20, w21, w22))
            const __m512 s0 = _mm512_add_ps(_mm512_add_ps(a00, a01), a02);
            if (o + 16 <= n) _mm512_storeu_ps(y0 + o, s0);
            else _mm512_mask_storeu_ps(y0 + o, (__mmask16)((1u << (n - o)) - 1u), s0);
        }
    }
#undef ROW
#undef TAP
}
