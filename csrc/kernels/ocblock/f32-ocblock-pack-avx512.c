/* f32-ocblock-pack-avx512.c — weight packing for the f32 AVX-512 ocblock kernel (32 x 12).
 *
 *   dst[k*32 + o] = o < m ? w[o*ldw + k] : 0        for k < K, o < 32
 *
 * i.e. 32 weight rows (output channels) transposed into the [K][32] layout the micro-kernel
 * streams. Done per 16 x 16 block with an in-register transpose (64 shuffles per 256 values);
 * the column tail is a masked load, so nothing past w[o*ldw + K - 1] is read.
 * Written by hand (not generated): only this (dtype, ISA) has a vector transpose; the others
 * use the driver's plain loop.
 */
#include <immintrin.h>
#include "../../common.h"

#define CX_LOADROW(i)                                                                          \
    const __m512 r##i = (o0 + (i) < m) ? _mm512_maskz_loadu_ps(mask, w + (o0 + (i)) * ldw + k0) \
                                       : _mm512_setzero_ps();
#define CX_UNPACK(a, b, i)                                                                     \
    const __m512 t##i = _mm512_unpacklo_ps(r##a, r##b);                                        \
    const __m512 t##b = _mm512_unpackhi_ps(r##a, r##b);
#define CX_UNPACKPD(a, b, c, d, i)                                                             \
    const __m512 u##a = _mm512_castpd_ps(                                                      \
        _mm512_unpacklo_pd(_mm512_castps_pd(t##a), _mm512_castps_pd(t##c)));                   \
    const __m512 u##b = _mm512_castpd_ps(                                                      \
        _mm512_unpackhi_pd(_mm512_castps_pd(t##a), _mm512_castps_pd(t##c)));                   \
    const __m512 u##c = _mm512_castpd_ps(                                                      \
        _mm512_unpacklo_pd(_mm512_castps_pd(t##b), _mm512_castps_pd(t##d)));                   \
    const __m512 u##d = _mm512_castpd_ps(                                                      \
        _mm512_unpackhi_pd(_mm512_castps_pd(t##b), _mm512_castps_pd(t##d)));
/* columns q, q+4, q+8, q+12 from u_q (rows 0-3), u_{q+4} (4-7), u_{q+8}, u_{q+12} */
#define CX_COLS(q)                                                                             \
    {                                                                                          \
        const __m512 v0 = _mm512_shuffle_f32x4(u##q, u4_##q, 0x88);                            \
        const __m512 v1 = _mm512_shuffle_f32x4(u##q, u4_##q, 0xdd);                            \
        const __m512 v2 = _mm512_shuffle_f32x4(u8_##q, u12_##q, 0x88);                         \
        const __m512 v3 = _mm512_shuffle_f32x4(u8_##q, u12_##q, 0xdd);                         \
        CX_STORECOL(q, _mm512_shuffle_f32x4(v0, v2, 0x88))                                     \
        CX_STORECOL(q + 8, _mm512_shuffle_f32x4(v0, v2, 0xdd))                                 \
        CX_STORECOL(q + 4, _mm512_shuffle_f32x4(v1, v3, 0x88))                                 \
        CX_STORECOL(q + 12, _mm512_shuffle_f32x4(v1, v3, 0xdd))                                \
    }
#define CX_STORECOL(j, v)                                                                      \
    if ((j) < kk) _mm512_storeu_ps(dst + (k0 + (j)) * 32 + o0, (v));

void convx_f32_ocblock_pack__avx512(cx_idx K, cx_idx m, const float *CX_RESTRICT w, cx_idx ldw,
                                    float *CX_RESTRICT dst)
{
    assert(K >= 1 && m >= 1 && m <= 32);
    for (cx_idx o0 = 0; o0 < 32; o0 += 16) {
        for (cx_idx k0 = 0; k0 < K; k0 += 16) {
            const cx_idx kk = CX_MIN((cx_idx)16, K - k0);
            const __mmask16 mask = (__mmask16)((1u << kk) - 1u);
            CX_LOADROW(0) CX_LOADROW(1) CX_LOADROW(2) CX_LOADROW(3)
            CX_LOADROW(4) CX_LOADROW(5) CX_LOADROW(6) CX_LOADROW(7)
            CX_LOADROW(8) CX_LOADROW(9) CX_LOADROW(10) CX_LOADROW(11)
            CX_LOADROW(12) CX_LOADROW(13) CX_LOADROW(14) CX_LOADROW(15)
            /* t0/t1 from rows 0,1; t2/t3 from 2,3; ...: pairs interleaved */
            CX_UNPACK(0, 1, 0) CX_UNPACK(2, 3, 2) CX_UNPACK(4, 5, 4) CX_UNPACK(6, 7, 6)
            CX_UNPACK(8, 9, 8) CX_UNPACK(10, 11, 10) CX_UNPACK(12, 13, 12) CX_UNPACK(14, 15, 14)
            /* rows 0-3: u0..u3 hold columns {0,4,8,12}, {1,5,9,13}, {2,...}, {3,...} */
            CX_UNPACKPD(0, 1, 2, 3, 0)
            CX_UNPACKPD(4, 5, 6, 7, 4)
            CX_UNPACKPD(8, 9, 10, 11, 8)
            CX_UNPACKPD(12, 13, 14, 15, 12)
            const __m512 u4_0 = u4, u4_1 = u5, u4_2 = u6, u4_3 = u7;
            const __m512 u8_0 = u8, u8_1 = u9, u8_2 = u10, u8_3 = u11;
            const __m512 u12_0 = u12, u12_1 = u13, u12_2 = u14, u12_3 = u15;
            CX_COLS(0) CX_COLS(1) CX_COLS(2) CX_COLS(3)
        }
    }
}
