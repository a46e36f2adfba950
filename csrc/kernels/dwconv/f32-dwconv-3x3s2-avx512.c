/* f32-dwconv-3x3s2-avx512.c — depthwise 3x3, stride 2, dilation 1 micro-kernel, AVX-512.
 * Compiled with the avx512 flags (file suffix).
 *
 * Reads one channel's stride-phase-split slab (kernels/pack/: each padded row stored as its
 * even columns P0[0, Wq) then its odd columns P1[0, Wq), row stride x_rstride = 2*Wq):
 *
 *   y[r*y_rstride + o] = bias + sum_{kh < 3} (w[kh*3] * P0_{2r+kh}[o] + w[kh*3+1] * P1_{2r+kh}[o]
 *                                             + w[kh*3+2] * P0_{2r+kh}[o+1])
 *
 * for r < n_rows, o < n. The o+1 tap is built in registers with valignd. Four output rows share
 * nine input rows; every (row, kh) pair has its own accumulator, summed at the end. Columns past
 * n are masked on store; loads may read up to 32 elements past a phase row's valid part (the
 * caller's slab has that much slack). Preconditions: n_rows, n >= 1, Wq >= n + 1.
 */
#include <immintrin.h>
#include "../../common.h"

#define ROT1(b, a) _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(b), _mm512_castps_si512(a), 1))

void convx_f32_dwconv_ukernel_3x3s2__avx512(cx_idx n_rows, cx_idx n, const float *x,
                                            cx_idx x_rstride, const float *w, float bias,
                                            float *y, cx_idx y_rstride)
{
    const cx_idx Wq = x_rstride / 2;
    const __m512 w00 = _mm512_set1_ps(w[0]), w01 = _mm512_set1_ps(w[1]), w02 = _mm512_set1_ps(w[2]);
    const __m512 w10 = _mm512_set1_ps(w[3]), w11 = _mm512_set1_ps(w[4]), w12 = _mm512_set1_ps(w[5]);
    const __m512 w20 = _mm512_set1_ps(w[6]), w21 = _mm512_set1_ps(w[7]), w22 = _mm512_set1_ps(w[8]);
    const __m512 vb = _mm512_set1_ps(bias);
#define ROW(i, BODY)                                                                           \
    {                                                                                          \
        const float *p0 = x0 + (i) * x_rstride + o;                                            \
        const __m512 v0 = _mm512_loadu_ps(p0), vn = _mm512_loadu_ps(p0 + 16);                 \
        const __m512 v1 = _mm512_loadu_ps(p0 + Wq), v2 = ROT1(vn, v0);                         \
        BODY                                                                                   \
    }
#define TAP(acc, k0, k1, k2)                                                                   \
    acc = _mm512_fmadd_ps(v0, k0, acc);                                                        \
    acc = _mm512_fmadd_ps(v1, k1, acc);                                                        \
    acc = _mm512_fmadd_ps(v2, k2, acc);
#define STORE(dst, v)                                                                          \
    if (o + 16 <= n) _mm512_storeu_ps((dst) + o, v);                                           \
    else _mm512_mask_storeu_ps((dst) + o, (__mmask16)((1u << (n - o)) - 1u), v);
    cx_idx r = 0;
    for (; r + 4 <= n_rows; r += 4) {
        const float *x0 = x + 2 * r * x_rstride;
        float *y0 = y + r * y_rstride;
        for (cx_idx o = 0; o < n; o += 16) {
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
        const float *x0 = x + 2 * r * x_rstride;
        float *y0 = y + r * y_rstride;
        for (cx_idx o = 0; o < n; o += 16) {
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
}
