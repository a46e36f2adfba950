/* simd.h — a thin vector vocabulary for templated micro-kernels.
 *
 * Include after defining CONVX_T (float or double) and exactly one of CX_ISA_SCALAR, CX_ISA_AVX2,
 * CX_ISA_AVX512. Defines vec_t, VL (lanes), and VLOAD/VSTORE/VSET1/VFMA/VZERO plus masked
 * VLOADN/VSTOREN that touch only the first `cnt` (< VL) lanes — tails never read or write past
 * the end of a row. Only macros and static inline functions: safe in any ISA's library.
 */
#ifndef CONVX_KERNELS_SIMD_H
#define CONVX_KERNELS_SIMD_H

#include "../common.h"

#if !defined(CONVX_T)
#error "define CONVX_T before including simd.h"
#endif

#if defined(CX_ISA_AVX512)
#include <immintrin.h>
#if CX_T_IS_F64
typedef __m512d vec_t;
#define VL 8
#define VLOAD(p) _mm512_loadu_pd(p)
#define VSTORE(p, v) _mm512_storeu_pd((p), (v))
#define VSET1(s) _mm512_set1_pd(s)
#define VFMA(a, b, c) _mm512_fmadd_pd((a), (b), (c))
#define VZERO() _mm512_setzero_pd()
#define VLOADN(p, cnt) _mm512_maskz_loadu_pd((__mmask8)((1u << (cnt)) - 1u), (p))
#define VSTOREN(p, v, cnt) _mm512_mask_storeu_pd((p), (__mmask8)((1u << (cnt)) - 1u), (v))
#else
typedef __m512 vec_t;
#define VL 16
#define VLOAD(p) _mm512_loadu_ps(p)
#define VSTORE(p, v) _mm512_storeu_ps((p), (v))
#define VSET1(s) _mm512_set1_ps(s)
#define VFMA(a, b, c) _mm512_fmadd_ps((a), (b), (c))
#define VZERO() _mm512_setzero_ps()
#define VLOADN(p, cnt) _mm512_maskz_loadu_ps((__mmask16)((1u << (cnt)) - 1u), (p))
#define VSTOREN(p, v, cnt) _mm512_mask_storeu_ps((p), (__mmask16)((1u << (cnt)) - 1u), (v))
#endif

#elif defined(CX_ISA_AVX2)
#include <immintrin.h>
#if CX_T_IS_F64
typedef __m256d vec_t;
#define VL 4
CX_INLINE __m256i cx_tailmask64(cx_idx cnt)
{
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x(cnt), _mm256_setr_epi64x(0, 1, 2, 3));
}
#define VLOAD(p) _mm256_loadu_pd(p)
#define VSTORE(p, v) _mm256_storeu_pd((p), (v))
#define VSET1(s) _mm256_set1_pd(s)
#define VFMA(a, b, c) _mm256_fmadd_pd((a), (b), (c))
#define VZERO() _mm256_setzero_pd()
#define VLOADN(p, cnt) _mm256_maskload_pd((p), cx_tailmask64(cnt))
#define VSTOREN(p, v, cnt) _mm256_maskstore_pd((p), cx_tailmask64(cnt), (v))
#else
typedef __m256 vec_t;
#define VL 8
CX_INLINE __m256i cx_tailmask32(cx_idx cnt)
{
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)cnt), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
#define VLOAD(p) _mm256_loadu_ps(p)
#define VSTORE(p, v) _mm256_storeu_ps((p), (v))
#define VSET1(s) _mm256_set1_ps(s)
#define VFMA(a, b, c) _mm256_fmadd_ps((a), (b), (c))
#define VZERO() _mm256_setzero_ps()
#define VLOADN(p, cnt) _mm256_maskload_ps((p), cx_tailmask32(cnt))
#define VSTOREN(p, v, cnt) _mm256_maskstore_ps((p), cx_tailmask32(cnt), (v))
#endif

#elif defined(CX_ISA_SCALAR)
typedef CONVX_T vec_t;
#define VL 1
#define VLOAD(p) (*(p))
#define VSTORE(p, v) (*(p) = (v))
#define VSET1(s) (s)
#define VFMA(a, b, c) ((a) * (b) + (c))
#define VZERO() ((CONVX_T)0)
#define VLOADN(p, cnt) (*(p))
#define VSTOREN(p, v, cnt) (*(p) = (v))
#else
#error "define one of CX_ISA_SCALAR, CX_ISA_AVX2, CX_ISA_AVX512"
#endif

#endif
