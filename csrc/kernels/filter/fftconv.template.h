/* fftconv.template.h — the `fftconv` micro-kernel: one N x N tile of an FFT correlation.
 *
 *   forward:  (re, im) <- F2(re + i*im)                       when kre == NULL
 *   full:     (re, im) <- F2^-1( F2(re + i*im) * (kre + i*kim) )   (unnormalised)
 *
 * re, im: N x N split-complex tile, row-major, leading dimension N = 2^logn, 64-byte aligned,
 * N >= 2*VL. tw: N/2 twiddles exp(-2*pi*i*j/N) as twr[j] + i*twi[j]. The forward transform is
 * radix-2 decimation in frequency along axis 0, an in-place transpose, the same along axis 0
 * again: the spectrum is left transposed and bit-reversed on both axes, a layout the pointwise
 * product does not care about as long as (kre, kim) was made by this same kernel. The inverse
 * is decimation in time (bit-reversed in, natural out) with conjugate twiddles, then transpose,
 * then the same again: the result is in natural order, scaled by N^2 (the caller folds 1/N^2
 * into the kernel spectrum).
 *
 * Each 1-D pass is vectorised across columns: a strip of SW = 2*VL columns (N rows, 16 KiB for
 * N = 128 float AVX2) goes through all log2(N) stages before the next strip, so the stages run
 * from L1. The caller packs two real tiles as re and im: the kernel is real, so the real and
 * imaginary parts of the result are the two tiles' correlations.
 *
 * Instantiated per (dtype, ISA) by generate.py: CONVX_T, CX_T_IS_F64, one CX_ISA_* and
 * UKERNEL_NAME are defined by the including file. No allocation, no threads.
 */
#include "../simd.h"

#define FC_CAT_(a, b) a##b
#define FC_CAT(a, b) FC_CAT_(a, b)
#define FC_FWD FC_CAT(UKERNEL_NAME, _fwd_cols)
#define FC_INV FC_CAT(UKERNEL_NAME, _inv_cols)
#define FC_TRANSPOSE FC_CAT(UKERNEL_NAME, _transpose)

#if defined(CX_ISA_SCALAR)
#define VADD(a, b) ((a) + (b))
#define VSUB(a, b) ((a) - (b))
#define VMUL(a, b) ((a) * (b))
#define VFMS(a, b, c) ((a) * (b) - (c))
#elif defined(CX_ISA_AVX512)
#if CX_T_IS_F64
#define VADD(a, b) _mm512_add_pd(a, b)
#define VSUB(a, b) _mm512_sub_pd(a, b)
#define VMUL(a, b) _mm512_mul_pd(a, b)
#define VFMS(a, b, c) _mm512_fmsub_pd(a, b, c)
#else
#define VADD(a, b) _mm512_add_ps(a, b)
#define VSUB(a, b) _mm512_sub_ps(a, b)
#define VMUL(a, b) _mm512_mul_ps(a, b)
#define VFMS(a, b, c) _mm512_fmsub_ps(a, b, c)
#endif
#else
#if CX_T_IS_F64
#define VADD(a, b) _mm256_add_pd(a, b)
#define VSUB(a, b) _mm256_sub_pd(a, b)
#define VMUL(a, b) _mm256_mul_pd(a, b)
#define VFMS(a, b, c) _mm256_fmsub_pd(a, b, c)
#else
#define VADD(a, b) _mm256_add_ps(a, b)
#define VSUB(a, b) _mm256_sub_ps(a, b)
#define VMUL(a, b) _mm256_mul_ps(a, b)
#define VFMS(a, b, c) _mm256_fmsub_ps(a, b, c)
#endif
#endif

#define SW (2 * VL)

/* One radix-2 butterfly on vector v of rows p and p + h (DIF: (a + b, (a - b) w)) and its DIT
 * inverse ((a + b conj(w), a - b conj(w))); w = wr + i wi. */
#define FC_DIF(PR, PI, QR, QI, WR, WI)                                                         \
    {                                                                                          \
        vec_t ar_ = PR, ai_ = PI, br_ = QR, bi_ = QI;                                          \
        PR = VADD(ar_, br_);                                                                   \
        PI = VADD(ai_, bi_);                                                                   \
        vec_t dr_ = VSUB(ar_, br_), di_ = VSUB(ai_, bi_);                                      \
        QR = VFMS(dr_, WR, VMUL(di_, WI));                                                     \
        QI = VFMA(dr_, WI, VMUL(di_, WR));                                                     \
    }
#define FC_DIT(PR, PI, QR, QI, WR, WI)                                                         \
    {                                                                                          \
        vec_t tr_ = VFMA(QR, WR, VMUL(QI, WI)), ti_ = VFMS(QI, WR, VMUL(QR, WI));              \
        vec_t ar_ = PR, ai_ = PI;                                                              \
        PR = VADD(ar_, tr_);                                                                   \
        PI = VADD(ai_, ti_);                                                                   \
        QR = VSUB(ar_, tr_);                                                                   \
        QI = VSUB(ai_, ti_);                                                                   \
    }

/* forward DIF along axis 0 for every column, strip by strip: natural in, bit-reversed out.
 * Stages go in pairs (half = 2q, then q) on four rows held in registers: the same operations
 * as two radix-2 passes, half the loads and stores. */
static void FC_FWD(cx_idx n, CONVX_T *re, CONVX_T *im, const CONVX_T *twr, const CONVX_T *twi)
{
    for (cx_idx c = 0; c < n; c += SW) {
        cx_idx half = n >> 1;
        for (; half >= 2; half >>= 2) {
            const cx_idx q = half >> 1, sa = n / (2 * half), sb = n / half;
            for (cx_idx b = 0; b < n; b += 2 * half) {
                for (cx_idx j = 0; j < q; j++) {
                    const vec_t war = VSET1(twr[j * sa]), wai = VSET1(twi[j * sa]);
                    const vec_t wbr = VSET1(twr[(j + q) * sa]), wbi = VSET1(twi[(j + q) * sa]);
                    const vec_t wcr = VSET1(twr[j * sb]), wci = VSET1(twi[j * sb]);
                    CONVX_T *r0 = re + (b + j) * n + c, *i0 = im + (b + j) * n + c;
                    const cx_idx d = q * n;
                    for (int v = 0; v < SW; v += VL) {
                        vec_t x0r = VLOAD(r0 + v), x0i = VLOAD(i0 + v);
                        vec_t x1r = VLOAD(r0 + d + v), x1i = VLOAD(i0 + d + v);
                        vec_t x2r = VLOAD(r0 + 2 * d + v), x2i = VLOAD(i0 + 2 * d + v);
                        vec_t x3r = VLOAD(r0 + 3 * d + v), x3i = VLOAD(i0 + 3 * d + v);
                        FC_DIF(x0r, x0i, x2r, x2i, war, wai)
                        FC_DIF(x1r, x1i, x3r, x3i, wbr, wbi)
                        FC_DIF(x0r, x0i, x1r, x1i, wcr, wci)
                        FC_DIF(x2r, x2i, x3r, x3i, wcr, wci)
                        VSTORE(r0 + v, x0r); VSTORE(i0 + v, x0i);
                        VSTORE(r0 + d + v, x1r); VSTORE(i0 + d + v, x1i);
                        VSTORE(r0 + 2 * d + v, x2r); VSTORE(i0 + 2 * d + v, x2i);
                        VSTORE(r0 + 3 * d + v, x3r); VSTORE(i0 + 3 * d + v, x3i);
                    }
                }
            }
        }
        if (half == 1) {   /* odd log2(n): the last stage alone (twiddle 1) */
            const vec_t one = VSET1((CONVX_T)1), zero = VZERO();
            for (cx_idx b = 0; b < n; b += 2) {
                CONVX_T *r0 = re + b * n + c, *i0 = im + b * n + c;
                for (int v = 0; v < SW; v += VL) {
                    vec_t x0r = VLOAD(r0 + v), x0i = VLOAD(i0 + v);
                    vec_t x1r = VLOAD(r0 + n + v), x1i = VLOAD(i0 + n + v);
                    FC_DIF(x0r, x0i, x1r, x1i, one, zero)
                    VSTORE(r0 + v, x0r); VSTORE(i0 + v, x0i);
                    VSTORE(r0 + n + v, x1r); VSTORE(i0 + n + v, x1i);
                }
            }
        }
    }
}

/* inverse DIT along axis 0 (conjugate twiddles): bit-reversed in, natural out, unscaled; the
 * exact reverse of FC_FWD's stage order and pairing */
static void FC_INV(cx_idx n, CONVX_T *re, CONVX_T *im, const CONVX_T *twr, const CONVX_T *twi)
{
    int logn = 0;
    while (((cx_idx)1 << logn) < n) logn++;
    for (cx_idx c = 0; c < n; c += SW) {
        if (logn & 1) {   /* FC_FWD's lone last stage (half = 1) comes first */
            const vec_t one = VSET1((CONVX_T)1), zero = VZERO();
            for (cx_idx b = 0; b < n; b += 2) {
                CONVX_T *r0 = re + b * n + c, *i0 = im + b * n + c;
                for (int v = 0; v < SW; v += VL) {
                    vec_t x0r = VLOAD(r0 + v), x0i = VLOAD(i0 + v);
                    vec_t x1r = VLOAD(r0 + n + v), x1i = VLOAD(i0 + n + v);
                    FC_DIT(x0r, x0i, x1r, x1i, one, zero)
                    VSTORE(r0 + v, x0r); VSTORE(i0 + v, x0i);
                    VSTORE(r0 + n + v, x1r); VSTORE(i0 + n + v, x1i);
                }
            }
        }
        for (cx_idx q = (logn & 1) ? 2 : 1; q < n; q <<= 2) {   /* stages half = q, then 2q */
            const cx_idx half = 2 * q, sa = n / (2 * half), sb = n / half;
            for (cx_idx b = 0; b < n; b += 2 * half) {
                for (cx_idx j = 0; j < q; j++) {
                    const vec_t war = VSET1(twr[j * sa]), wai = VSET1(twi[j * sa]);
                    const vec_t wbr = VSET1(twr[(j + q) * sa]), wbi = VSET1(twi[(j + q) * sa]);
                    const vec_t wcr = VSET1(twr[j * sb]), wci = VSET1(twi[j * sb]);
                    CONVX_T *r0 = re + (b + j) * n + c, *i0 = im + (b + j) * n + c;
                    const cx_idx d = q * n;
                    for (int v = 0; v < SW; v += VL) {
                        vec_t x0r = VLOAD(r0 + v), x0i = VLOAD(i0 + v);
                        vec_t x1r = VLOAD(r0 + d + v), x1i = VLOAD(i0 + d + v);
                        vec_t x2r = VLOAD(r0 + 2 * d + v), x2i = VLOAD(i0 + 2 * d + v);
                        vec_t x3r = VLOAD(r0 + 3 * d + v), x3i = VLOAD(i0 + 3 * d + v);
                        FC_DIT(x0r, x0i, x1r, x1i, wcr, wci)
                        FC_DIT(x2r, x2i, x3r, x3i, wcr, wci)
                        FC_DIT(x0r, x0i, x2r, x2i, war, wai)
                        FC_DIT(x1r, x1i, x3r, x3i, wbr, wbi)
                        VSTORE(r0 + v, x0r); VSTORE(i0 + v, x0i);
                        VSTORE(r0 + d + v, x1r); VSTORE(i0 + d + v, x1i);
                        VSTORE(r0 + 2 * d + v, x2r); VSTORE(i0 + 2 * d + v, x2i);
                        VSTORE(r0 + 3 * d + v, x3r); VSTORE(i0 + 3 * d + v, x3i);
                    }
                }
            }
        }
    }
}

#if defined(CX_ISA_AVX2) || defined(CX_ISA_AVX512)
/* in-place transpose of an n x n matrix in TB x TB register blocks (AVX2 shuffles; the AVX-512
 * build has them too): block (i, j) and block (j, i) are loaded, transposed and swapped */
#if CX_T_IS_F64
#define TB 4
typedef __m256d tb_t;
#define TB_LOAD(p) _mm256_loadu_pd(p)
#define TB_STORE(p, v) _mm256_storeu_pd((p), (v))
static inline void FC_CAT(UKERNEL_NAME, _tblock)(tb_t *r)
{
    __m256d t0 = _mm256_unpacklo_pd(r[0], r[1]), t1 = _mm256_unpackhi_pd(r[0], r[1]);
    __m256d t2 = _mm256_unpacklo_pd(r[2], r[3]), t3 = _mm256_unpackhi_pd(r[2], r[3]);
    r[0] = _mm256_permute2f128_pd(t0, t2, 0x20);
    r[1] = _mm256_permute2f128_pd(t1, t3, 0x20);
    r[2] = _mm256_permute2f128_pd(t0, t2, 0x31);
    r[3] = _mm256_permute2f128_pd(t1, t3, 0x31);
}
#else
#define TB 8
typedef __m256 tb_t;
#define TB_LOAD(p) _mm256_loadu_ps(p)
#define TB_STORE(p, v) _mm256_storeu_ps((p), (v))
static inline void FC_CAT(UKERNEL_NAME, _tblock)(tb_t *r)
{
    __m256 t[8], u[8];
    for (int i = 0; i < 4; i++) {
        t[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    for (int i = 0; i < 2; i++) {
        u[4 * i + 0] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], _MM_SHUFFLE(1, 0, 1, 0));
        u[4 * i + 1] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], _MM_SHUFFLE(3, 2, 3, 2));
        u[4 * i + 2] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], _MM_SHUFFLE(1, 0, 1, 0));
        u[4 * i + 3] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    for (int i = 0; i < 4; i++) {
        r[i] = _mm256_permute2f128_ps(u[i], u[4 + i], 0x20);
        r[4 + i] = _mm256_permute2f128_ps(u[i], u[4 + i], 0x31);
    }
}
#endif
static void FC_TRANSPOSE(cx_idx n, CONVX_T *a)
{
    tb_t x[TB], y[TB];
    for (cx_idx i0 = 0; i0 < n; i0 += TB) {
        for (cx_idx j0 = i0; j0 < n; j0 += TB) {
            CONVX_T *p = a + i0 * n + j0, *q = a + j0 * n + i0;
            for (int r = 0; r < TB; r++) x[r] = TB_LOAD(p + r * n);
            FC_CAT(UKERNEL_NAME, _tblock)(x);
            if (j0 == i0) {
                for (int r = 0; r < TB; r++) TB_STORE(p + r * n, x[r]);
                continue;
            }
            for (int r = 0; r < TB; r++) y[r] = TB_LOAD(q + r * n);
            FC_CAT(UKERNEL_NAME, _tblock)(y);
            for (int r = 0; r < TB; r++) {
                TB_STORE(q + r * n, x[r]);
                TB_STORE(p + r * n, y[r]);
            }
        }
    }
}
#undef TB
#undef TB_LOAD
#undef TB_STORE
#else
/* in-place transpose of an n x n matrix, in 8 x 8 blocks (both blocks of a pair stay in L1) */
static void FC_TRANSPOSE(cx_idx n, CONVX_T *a)
{
    for (cx_idx i0 = 0; i0 < n; i0 += 8)
        for (cx_idx j0 = i0; j0 < n; j0 += 8)
            for (cx_idx i = i0; i < i0 + 8; i++)
                for (cx_idx j = (j0 == i0 ? i + 1 : j0); j < j0 + 8; j++) {
                    CONVX_T t = a[i * n + j];
                    a[i * n + j] = a[j * n + i];
                    a[j * n + i] = t;
                }
}
#endif

void UKERNEL_NAME(cx_idx logn, CONVX_T *re, CONVX_T *im, const CONVX_T *kre,
                  const CONVX_T *kim, const CONVX_T *twr, const CONVX_T *twi)
{
    const cx_idx n = (cx_idx)1 << logn;
    assert(n >= SW && n >= 8);
    FC_FWD(n, re, im, twr, twi);
    FC_TRANSPOSE(n, re);
    FC_TRANSPOSE(n, im);
    FC_FWD(n, re, im, twr, twi);
    if (!kre) return;
    for (cx_idx e = 0; e < n * n; e += VL) {
        vec_t xr = VLOAD(re + e), xi = VLOAD(im + e);
        vec_t kr = VLOAD(kre + e), ki = VLOAD(kim + e);
        VSTORE(re + e, VFMS(xr, kr, VMUL(xi, ki)));
        VSTORE(im + e, VFMA(xr, ki, VMUL(xi, kr)));
    }
    FC_INV(n, re, im, twr, twi);
    FC_TRANSPOSE(n, re);
    FC_TRANSPOSE(n, im);
    FC_INV(n, re, im, twr, twi);
}

#undef VADD
#undef VSUB
#undef VMUL
#undef VFMS
#undef SW
#undef FC_DIF
#undef FC_DIT
#undef FC_FWD
#undef FC_INV
#undef FC_TRANSPOSE
