/* pack.template.h — builds one row of the sliding driver's input slab, instantiated per
 * (dtype, ISA) by the generated f??-pack-row-*.c files next to it (csrc/kernels/generate.py).
 *
 * Packs n_rows input rows (src + r*src_rstride) into slab rows (dst + r*dst_rstride). In each,
 * padded columns c in [0, Wp) hold src[c - pw] when 0 <= c - pw < IW, else 0. The row is stored
 * split by the stride phase: column c goes to dst[(c % sw) * Wq + c / sw], so a strided, dilated
 * tap reads contiguous memory. dst has sw * Wq elements; slots past Wp are zeroed. The SIMD
 * versions read src with masked loads (never outside [0, IW)) and deinterleave stride 2 in
 * registers (AVX-512: permutes, AVX2: shuffles); other strides use the scalar loop.
 */
#if !defined(CONVX_T) || !defined(UKERNEL_NAME)
#error "define CONVX_T and UKERNEL_NAME before including pack.template.h"
#endif
#include <string.h>
#include "../simd.h"

/* lanes [0, VL) of the padded row starting at padded column c0, zeros outside the input */
#if defined(CX_ISA_AVX512)
CX_INLINE vec_t cx_padded_chunk(const CONVX_T *src, cx_idx IW, cx_idx c0, cx_idx pw)
{
    const cx_idx i0 = c0 - pw;
    cx_idx lo = i0 < 0 ? -i0 : 0;                /* first valid lane */
    cx_idx hi = IW - i0;                         /* one past the last valid lane */
    if (hi > VL) hi = VL;
    if (lo >= hi) return VZERO();
#if CX_T_IS_F64
    __mmask8 m = (__mmask8)(((1u << hi) - 1u) & ~((1u << lo) - 1u));
    return _mm512_maskz_loadu_pd(m, src + i0);
#else
    __mmask16 m = (__mmask16)(((1u << hi) - 1u) & ~((1u << lo) - 1u));
    return _mm512_maskz_loadu_ps(m, src + i0);
#endif
}
#endif

static inline void pack_row(CONVX_T *CX_RESTRICT dst, const CONVX_T *CX_RESTRICT src, cx_idx IW,
                            cx_idx pw, cx_idx Wp, cx_idx sw, cx_idx Wq)
{
    const cx_idx row_len = CX_MIN(sw, Wp) * Wq;
#if !defined(CX_ISA_SCALAR)
    if (sw == 1) {
        /* [0, lo) zeros, [lo, lo + n_copy) = src[0, n_copy), then zeros up to row_len */
        const cx_idx lo = CX_MIN(pw, row_len);
        const cx_idx n_copy = CX_MAX((cx_idx)0, CX_MIN(IW, row_len - pw));
        cx_idx c = 0;
        for (; c + VL <= lo; c += VL) VSTORE(dst + c, VZERO());
        if (c < lo) VSTOREN(dst + c, VZERO(), lo - c);
        CONVX_T *d = dst + lo;
        cx_idx i = 0;
        for (; i + VL <= n_copy; i += VL) VSTORE(d + i, VLOAD(src + i));
        if (i < n_copy) VSTOREN(d + i, VLOADN(src + i, n_copy - i), n_copy - i);
        c = lo + n_copy;
        for (; c + VL <= row_len; c += VL) VSTORE(dst + c, VZERO());
        if (c < row_len) VSTOREN(dst + c, VZERO(), row_len - c);
        return;
    }
#endif
#if defined(CX_ISA_AVX512)
    if (sw == 2) {
#if CX_T_IS_F64
        const __m512i ie = _mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14);
        const __m512i io = _mm512_setr_epi64(1, 3, 5, 7, 9, 11, 13, 15);
#define CX_PERM2 _mm512_permutex2var_pd
#else
        const __m512i ie = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        const __m512i io = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
#define CX_PERM2 _mm512_permutex2var_ps
#endif
        CONVX_T *d0 = dst, *d1 = dst + Wq;
        for (cx_idx q = 0; q < Wq; q += VL) {
            const cx_idx c = 2 * q, i0 = c - pw;
            vec_t a, b;
            if (i0 >= 0 && i0 + 2 * VL <= IW) {   /* interior: plain loads */
                a = VLOAD(src + i0);
                b = VLOAD(src + i0 + VL);
            } else {
                a = cx_padded_chunk(src, IW, c, pw);
                b = cx_padded_chunk(src, IW, c + VL, pw);
            }
            vec_t e = CX_PERM2(a, ie, b), o = CX_PERM2(a, io, b);
            if (q + VL <= Wq) {
                VSTORE(d0 + q, e);
                VSTORE(d1 + q, o);
            } else {
                VSTOREN(d0 + q, e, Wq - q);
                VSTOREN(d1 + q, o, Wq - q);
            }
        }
#undef CX_PERM2
        /* padded columns >= Wp are never read by the micro-kernel: no need to clear them */
        return;
    }
#endif
#if defined(CX_ISA_AVX2)
    if (sw == 2) {   /* deinterleave in registers; edges through a zero-padded stack chunk, and
                      * no masked stores (microcoded on AMD Zen) */
        CONVX_T *d0 = dst, *d1 = dst + Wq;
        CONVX_T buf[2 * VL], eo[2 * VL];
        for (cx_idx q = 0; q < Wq; q += VL) {
            const cx_idx c = 2 * q, i0 = c - pw;
            vec_t a, b;
            if (i0 >= 0 && i0 + 2 * VL <= IW) {
                a = VLOAD(src + i0);
                b = VLOAD(src + i0 + VL);
            } else if (IW < ((cx_idx)1 << 30) && i0 > -((cx_idx)1 << 30)) {
                /* masked loads (fast on AVX2, unlike masked stores); masked-off lanes never
                 * fault, whatever src + i0 points at */
#if CX_T_IS_F64
                const __m256i ia = _mm256_add_epi64(_mm256_set1_epi64x((long long)i0),
                                                    _mm256_setr_epi64x(0, 1, 2, 3));
                const __m256i ib = _mm256_add_epi64(ia, _mm256_set1_epi64x(VL));
                const __m256i lim = _mm256_set1_epi64x((long long)IW);
                a = _mm256_maskload_pd(src + i0, _mm256_andnot_si256(_mm256_cmpgt_epi64(_mm256_setzero_si256(), ia),
                                                                     _mm256_cmpgt_epi64(lim, ia)));
                b = _mm256_maskload_pd(src + i0 + VL, _mm256_andnot_si256(_mm256_cmpgt_epi64(_mm256_setzero_si256(), ib),
                                                                          _mm256_cmpgt_epi64(lim, ib)));
#else
                const __m256i ia = _mm256_add_epi32(_mm256_set1_epi32((int)i0),
                                                    _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
                const __m256i ib = _mm256_add_epi32(ia, _mm256_set1_epi32(VL));
                const __m256i lim = _mm256_set1_epi32((int)IW);
                a = _mm256_maskload_ps(src + i0, _mm256_andnot_si256(_mm256_cmpgt_epi32(_mm256_setzero_si256(), ia),
                                                                     _mm256_cmpgt_epi32(lim, ia)));
                b = _mm256_maskload_ps(src + i0 + VL, _mm256_andnot_si256(_mm256_cmpgt_epi32(_mm256_setzero_si256(), ib),
                                                                          _mm256_cmpgt_epi32(lim, ib)));
#endif
            } else {
                for (cx_idx l = 0; l < 2 * VL; l++)
                    buf[l] = (i0 + l >= 0 && i0 + l < IW) ? src[i0 + l] : (CONVX_T)0;
                a = VLOAD(buf);
                b = VLOAD(buf + VL);
            }
#if CX_T_IS_F64
            const vec_t e = _mm256_permute4x64_pd(_mm256_unpacklo_pd(a, b), _MM_SHUFFLE(3, 1, 2, 0));
            const vec_t o = _mm256_permute4x64_pd(_mm256_unpackhi_pd(a, b), _MM_SHUFFLE(3, 1, 2, 0));
#else
            const vec_t e = _mm256_castpd_ps(_mm256_permute4x64_pd(
                _mm256_castps_pd(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0))), _MM_SHUFFLE(3, 1, 2, 0)));
            const vec_t o = _mm256_castpd_ps(_mm256_permute4x64_pd(
                _mm256_castps_pd(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1))), _MM_SHUFFLE(3, 1, 2, 0)));
#endif
            if (q + VL <= Wq) {
                VSTORE(d0 + q, e);
                if (Wp > 1) VSTORE(d1 + q, o);
            } else {
                VSTORE(eo, e);
                VSTORE(eo + VL, o);
                for (cx_idx l = 0; l < Wq - q; l++) {
                    d0[q + l] = eo[l];
                    if (Wp > 1) d1[q + l] = eo[VL + l];
                }
            }
        }
        return;
    }
#endif
    if (sw == 1) {
        cx_idx lo = CX_MIN(pw, row_len);
        cx_idx n_copy = CX_MAX((cx_idx)0, CX_MIN(IW, row_len - pw));
        memset(dst, 0, (size_t)lo * sizeof(CONVX_T));
        if (n_copy > 0) memcpy(dst + lo, src, (size_t)n_copy * sizeof(CONVX_T));
        cx_idx done = lo + n_copy;
        if (row_len > done) memset(dst + done, 0, (size_t)(row_len - done) * sizeof(CONVX_T));
        return;
    }
    for (cx_idx ph = 0; ph < CX_MIN(sw, Wp); ph++) {   /* phases >= Wp are not stored */
        CONVX_T *d = dst + ph * Wq;
        /* padded column q*sw + ph holds src[q*sw + ph - pw]: valid q in [qlo, qhi) */
        cx_idx first = pw - ph;                                   /* q*sw >= first */
        cx_idx qlo = first <= 0 ? 0 : CX_CEILDIV(first, sw);
        cx_idx lim = IW + pw - ph;                                /* q*sw < lim */
        cx_idx qhi = lim <= 0 ? 0 : CX_CEILDIV(lim, sw);
        qlo = CX_MIN(qlo, Wq);
        qhi = CX_MAX(qlo, CX_MIN(qhi, Wq));
        for (cx_idx q = 0; q < qlo; q++) d[q] = 0;
        const CONVX_T *s = src + ph - pw;
        for (cx_idx q = qlo; q < qhi; q++) d[q] = s[q * sw];
        for (cx_idx q = qhi; q < Wq; q++) d[q] = 0;
    }
    (void)Wp;
}

void UKERNEL_NAME(cx_idx n_rows, CONVX_T *CX_RESTRICT dst, cx_idx dst_rstride,
                  const CONVX_T *CX_RESTRICT src, cx_idx src_rstride, cx_idx IW, cx_idx pw,
                  cx_idx Wp, cx_idx sw, cx_idx Wq)
{
    for (cx_idx r = 0; r < n_rows; r++)
        pack_row(dst + r * dst_rstride, src + r * src_rstride, IW, pw, Wp, sw, Wq);
}
