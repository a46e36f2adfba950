/* f32-transpose-16x16-avx512.c — strided f32 matrix transpose for AVX-512.
 *
 *   dst[c*ldd + r] = src[r*lds + c]        for r < R, c < C
 *
 * Per 16 x 16 block: 16 (masked) row loads, an in-register transpose (64 shuffles for 256
 * values), 16 (masked) column stores, so nothing outside the R x C source and destination
 * windows is read or written. The indirect_gemm driver uses it both ways: packing weight rows into
 * the [K][32] layout its micro-kernel streams, and writing the kernel's [pixel][channel] tiles
 * out as [channel][pixel] rows. Written by hand (listed in csrc/kernels/generate.py): only this (dtype, ISA) has it; the
 * others use the driver's plain loops.
 */
#include <immintrin.h>
#include "../../common.h"

#define CX_LOADROW(i)                                                                          \
    const __m512 r##i = ((i) < rn) ? _mm512_maskz_loadu_ps(cmask, s + (i) * lds)               \
                                   : _mm512_setzero_ps();
/* t_a / t_b: rows a, b interleaved (per 128-bit lane) */
#define CX_UNPACK(a, b)                                                                        \
    const __m512 t##a = _mm512_unpacklo_ps(r##a, r##b);                                        \
    const __m512 t##b = _mm512_unpackhi_ps(r##a, r##b);
/* rows a..a+3: u_a .. u_{a+3} hold their columns {0,4,8,12}, {1,5,9,13}, {2,..}, {3,..} */
#define CX_UNPACKPD(a, b, c, d)                                                                \
    const __m512 u##a = _mm512_castpd_ps(                                                      \
        _mm512_unpacklo_pd(_mm512_castps_pd(t##a), _mm512_castps_pd(t##c)));                   \
    const __m512 u##b = _mm512_castpd_ps(                                                      \
        _mm512_unpackhi_pd(_mm512_castps_pd(t##a), _mm512_castps_pd(t##c)));                   \
    const __m512 u##c = _mm512_castpd_ps(                                                      \
        _mm512_unpacklo_pd(_mm512_castps_pd(t##b), _mm512_castps_pd(t##d)));                   \
    const __m512 u##d = _mm512_castpd_ps(                                                      \
        _mm512_unpackhi_pd(_mm512_castps_pd(t##b), _mm512_castps_pd(t##d)));
/* columns q, q+4, q+8, q+12 from the four row quartets' u vectors */
#define CX_COLS(q, uq, uq4, uq8, uq12)                                                         \
    {                                                                                          \
        const __m512 v0 = _mm512_shuffle_f32x4(uq, uq4, 0x88);                                 \
        const __m512 v1 = _mm512_shuffle_f32x4(uq, uq4, 0xdd);                                 \
        const __m512 v2 = _mm512_shuffle_f32x4(uq8, uq12, 0x88);                               \
        const __m512 v3 = _mm512_shuffle_f32x4(uq8, uq12, 0xdd);                               \
        CX_STORECOL(q, _mm512_shuffle_f32x4(v0, v2, 0x88))                                     \
        CX_STORECOL(q + 8, _mm512_shuffle_f32x4(v0, v2, 0xdd))                                 \
        CX_STORECOL(q + 4, _mm512_shuffle_f32x4(v1, v3, 0x88))                                 \
        CX_STORECOL(q + 12, _mm512_shuffle_f32x4(v1, v3, 0xdd))                                \
    }
#define CX_STORECOL(j, v)                                                                      \
    if ((j) < cn) _mm512_mask_storeu_ps(d + (j) * ldd, rmask, (v));

void convx_f32_transpose_ukernel_16x16__avx512(cx_idx R, cx_idx C, const float *CX_RESTRICT src,
                                               cx_idx lds, float *CX_RESTRICT dst, cx_idx ldd)
{
    assert(R >= 0 && C >= 0);
    for (cx_idx r0 = 0; r0 < R; r0 += 16) {
        const cx_idx rn = CX_MIN((cx_idx)16, R - r0);
        const __mmask16 rmask = (__mmask16)((1u << rn) - 1u);
        for (cx_idx c0 = 0; c0 < C; c0 += 16) {
            const cx_idx cn = CX_MIN((cx_idx)16, C - c0);
            const __mmask16 cmask = (__mmask16)((1u << cn) - 1u);
            const float *s = src + r0 * lds + c0;
            float *d = dst + c0 * ldd + r0;
            CX_LOADROW(0) CX_LOADROW(1) CX_LOADROW(2) CX_LOADROW(3)
            CX_LOADROW(4) CX_LOADROW(5) CX_LOADROW(6) CX_LOADROW(7)
            CX_LOADROW(8) CX_LOADROW(9) CX_LOADROW(10) CX_LOADROW(11)
            CX_LOADROW(12) CX_LOADROW(13) CX_LOADROW(14) CX_LOADROW(15)
            CX_UNPACK(0, 1) CX_UNPACK(2, 3) CX_UNPACK(4, 5) CX_UNPACK(6, 7)
            CX_UNPACK(8, 9) CX_UNPACK(10, 11) CX_UNPACK(12, 13) CX_UNPACK(14, 15)
            CX_UNPACKPD(0, 1, 2, 3)
            CX_UNPACKPD(4, 5, 6, 7)
            CX_UNPACKPD(8, 9, 10, 11)
            CX_UNPACKPD(12, 13, 14, 15)
            CX_COLS(0, u0, u4, u8, u12)
            CX_COLS(1, u1, u5, u9, u13)
            CX_COLS(2, u2, u6, u10, u14)
            CX_COLS(3, u3, u7, u11, u15)
        }
    }
}
