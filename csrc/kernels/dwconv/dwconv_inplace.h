/* dwconv_inplace.h — helpers shared by the in-place depthwise 3x3 micro-kernels (AVX-512 only: include from -avx512
 * files). Only static inline functions and macros. */
#ifndef CONVX_KERNELS_DWCONV_INPLACE_H
#define CONVX_KERNELS_DWCONV_INPLACE_H
#include <immintrin.h>
#include "../../common.h"

/* b:a shifted right by one or two lanes: the kw = 1, 2 taps from two consecutive vectors */
#define CX_ROT1(b, a) _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(b), _mm512_castps_si512(a), 1))
#define CX_ROT2(b, a) _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(b), _mm512_castps_si512(a), 2))

/* lanes l of a 16-wide load at padded column c that hold input columns 0 <= c + l - pw < IW */
static inline __mmask16 cx_valid_lanes(cx_idx c, cx_idx pw, cx_idx IW)
{
    cx_idx lo = pw - c, hi = IW + pw - c;
    if (lo < 0) lo = 0;
    if (hi > 16) hi = 16;
    if (hi <= lo) return 0;
    return (__mmask16)(((1u << hi) - 1u) & ~((1u << lo) - 1u));
}

/* the 3x3 weights broadcast, named wKhKw, and the bias */
#define CX_DW_WEIGHTS(w, bias)                                                                 \
    const __m512 w00 = _mm512_set1_ps(w[0]), w01 = _mm512_set1_ps(w[1]), w02 = _mm512_set1_ps(w[2]); \
    const __m512 w10 = _mm512_set1_ps(w[3]), w11 = _mm512_set1_ps(w[4]), w12 = _mm512_set1_ps(w[5]); \
    const __m512 w20 = _mm512_set1_ps(w[6]), w21 = _mm512_set1_ps(w[7]), w22 = _mm512_set1_ps(w[8]); \
    const __m512 vb = _mm512_set1_ps(bias)

#endif
