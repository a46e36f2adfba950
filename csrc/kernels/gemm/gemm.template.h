/* gemm.template.h — GEMM micro-kernel, instantiated per (dtype, tile, ISA) by the generated
 * f??-gemm-*.c files next to it (csrc/kernels/generate.py).
 *
 *   C[i*ldc + j] (+)= sum_{k < K} A[i*lda + k] * B[k*ldb + j]      for i < m, j < n
 *
 * with m <= MR and n <= NR = NV*VL. If `accumulate` is 0, C is not read: sums start from
 * bias[i] (or 0 when bias is NULL); otherwise they start from C. A is read in place (row-major
 * weights, MR row streams broadcast one element at a time); B is a panel whose rows hold NR
 * consecutive output pixels (an im2col tile, or the input itself for 1x1 convs).
 *
 * Register tile: MR rows x nv vectors (nv = ceil(n / VL) <= NV), every accumulator a named
 * variable (GCC keeps arrays of vector accumulators in memory when a function has many inlined
 * variants, which halves throughput). The last vector is masked: nothing past column n is read
 * or written. Rows past m reuse row 0 of A (always valid memory) and are never stored, so edge
 * blocks run the same code as full ones. Preconditions (asserted): K >= 1, 1 <= m <= MR,
 * 1 <= n <= NR.
 */
#if !defined(CONVX_T) || !defined(MR) || !defined(NV) || !defined(UKERNEL_NAME)
#error "define CONVX_T, MR, NV and UKERNEL_NAME before including gemm.template.h"
#endif
#include "../simd.h"

#if MR == 12
#define CX_FOR_R(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)
#elif MR == 8
#define CX_FOR_R(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#elif MR == 6
#define CX_FOR_R(X) X(0) X(1) X(2) X(3) X(4) X(5)
#elif MR == 4
#define CX_FOR_R(X) X(0) X(1) X(2) X(3)
#else
#error "gemm: MR must be 4, 6, 8 or 12"
#endif

/* per-vector-count expansions: vectors 0..NVV-2 are full, vector NVV-1 is masked to `last` */
#define CX_V1(X, i) X##_LAST(i, 0)
#define CX_V2(X, i) X(i, 0) X##_LAST(i, 1)
#define CX_V3(X, i) X(i, 0) X(i, 1) X##_LAST(i, 2)
#define CX_V4(X, i) X(i, 0) X(i, 1) X(i, 2) X##_LAST(i, 3)

#define CX_INIT(i, v) vec_t c##i##_##v = (i) >= m ? VZERO() : !accumulate ? VSET1(bias ? bias[i] : (CONVX_T)0) : VLOAD(C + (i) * ldc + (v) * VL);
#define CX_INIT_LAST(i, v) vec_t c##i##_##v = (i) >= m ? VZERO() : !accumulate ? VSET1(bias ? bias[i] : (CONVX_T)0) : VLOADN(C + (i) * ldc + (v) * VL, last);
#define CX_APTR(i) const CONVX_T *a##i = A + ((i) < m ? (i) : 0) * lda;
#define CX_LOADB(i, v) const vec_t b##v = VLOAD(bk + (v) * VL);
#define CX_LOADB_LAST(i, v) const vec_t b##v = VLOADN(bk + (v) * VL, last);
#define CX_FMA(i, v) c##i##_##v = VFMA(av##i, b##v, c##i##_##v);
#define CX_FMA_LAST(i, v) CX_FMA(i, v)
#define CX_STORE(i, v) VSTORE(C + (i) * ldc + (v) * VL, c##i##_##v);
#define CX_STORE_LAST(i, v) VSTOREN(C + (i) * ldc + (v) * VL, c##i##_##v, last);

#ifdef CX_GEMM_SHIFTED
#define CX_BARG const cx_idx *CX_RESTRICT boff
#define CX_BROW(k) (B + boff[k])
#define CX_BPASS boff
#else
#define CX_BARG cx_idx ldb
#define CX_BROW(k) (B + (k) * ldb)
#define CX_BPASS ldb
#endif

#define CX_DEFINE_TILE(NVV)                                                                    \
    static void gemm_tile_##NVV(cx_idx K, const CONVX_T *CX_RESTRICT A, cx_idx lda,            \
                                const CONVX_T *CX_RESTRICT B, CX_BARG,                         \
                                CONVX_T *CX_RESTRICT C, cx_idx ldc, cx_idx m, cx_idx last,     \
                                int accumulate, const CONVX_T *CX_RESTRICT bias)               \
    {                                                                                          \
        CX_FOR_R(CX_INIT_ROW_##NVV)                                                            \
        CX_FOR_R(CX_APTR)                                                                      \
        for (cx_idx k = 0; k < K; k++) {                                                       \
            const CONVX_T *bk = CX_BROW(k);                                                    \
            CX_V##NVV(CX_LOADB, 0)                                                             \
            CX_FOR_R(CX_ROWFMA_##NVV)                                                          \
        }                                                                                      \
        CX_FOR_R(CX_STORE_ROW_##NVV)                                                           \
    }

#define CX_INIT_ROW_1(i) CX_V1(CX_INIT, i)
#define CX_INIT_ROW_2(i) CX_V2(CX_INIT, i)
#define CX_INIT_ROW_3(i) CX_V3(CX_INIT, i)
#define CX_INIT_ROW_4(i) CX_V4(CX_INIT, i)
#define CX_ROWFMA_1(i) { const vec_t av##i = VSET1(a##i[k]); CX_V1(CX_FMA, i) }
#define CX_ROWFMA_2(i) { const vec_t av##i = VSET1(a##i[k]); CX_V2(CX_FMA, i) }
#define CX_ROWFMA_3(i) { const vec_t av##i = VSET1(a##i[k]); CX_V3(CX_FMA, i) }
#define CX_ROWFMA_4(i) { const vec_t av##i = VSET1(a##i[k]); CX_V4(CX_FMA, i) }
#define CX_STORE_ROW_1(i) if ((i) < m) { CX_V1(CX_STORE, i) }
#define CX_STORE_ROW_2(i) if ((i) < m) { CX_V2(CX_STORE, i) }
#define CX_STORE_ROW_3(i) if ((i) < m) { CX_V3(CX_STORE, i) }
#define CX_STORE_ROW_4(i) if ((i) < m) { CX_V4(CX_STORE, i) }

CX_DEFINE_TILE(1)
#if NV >= 2
CX_DEFINE_TILE(2)
#endif
#if NV >= 3
CX_DEFINE_TILE(3)
#endif
#if NV >= 4
CX_DEFINE_TILE(4)
#endif

void UKERNEL_NAME(cx_idx K, const CONVX_T *CX_RESTRICT A, cx_idx lda, const CONVX_T *CX_RESTRICT B,
                  CX_BARG, CONVX_T *CX_RESTRICT C, cx_idx ldc, cx_idx m, cx_idx n,
                  int accumulate, const CONVX_T *CX_RESTRICT bias)
{
    assert(K >= 1 && m >= 1 && m <= MR && n >= 1 && n <= NV * VL);
    const int nv = (int)CX_CEILDIV(n, (cx_idx)VL);
    const cx_idx last = n - (cx_idx)(nv - 1) * VL;
    switch (nv) {
#if NV >= 4
    case 4: gemm_tile_4(K, A, lda, B, CX_BPASS, C, ldc, m, last, accumulate, bias); break;
#endif
#if NV >= 3
    case 3: gemm_tile_3(K, A, lda, B, CX_BPASS, C, ldc, m, last, accumulate, bias); break;
#endif
#if NV >= 2
    case 2: gemm_tile_2(K, A, lda, B, CX_BPASS, C, ldc, m, last, accumulate, bias); break;
#endif
    default: gemm_tile_1(K, A, lda, B, CX_BPASS, C, ldc, m, last, accumulate, bias); break;
    }
}
