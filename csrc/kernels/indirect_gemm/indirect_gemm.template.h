/* indirect_gemm.template.h — indirect-GEMM convolution micro-kernel (one input pointer per
 * pixel, vectors over output channels), instantiated per
 * (dtype, tile, ISA) by the generated f??-indirect_gemm-*.c files next to it
 * (csrc/kernels/generate.py).
 *
 *   c[j*OCB + o] (+)= sum_{k < K} w[k*OCB + o] * px[j][koff[k]]     for j < n, o < OCB
 *
 * Vectors run over OCB = NV*VL output channels of packed weights (w: [K][OCB], one contiguous
 * stream); each of the n <= NP output pixels has its own base pointer px[j] into the (padded)
 * input, and reduction step k = (input channel, tap) reads px[j] + koff[k]. One pointer per pixel
 * means a tile can hold any NP output pixels (a run crossing row ends, strided pixels), so no
 * register lane or pixel slot is wasted on a narrow image.
 *
 * If `accumulate` is 0, sums start from bias[0..OCB) (or 0 when bias is NULL); otherwise from c.
 * Register tile: NP pixels x NV vectors, every accumulator a named variable (see gemm.template.h
 * for why). Pixels past n reuse px[0] and are never stored. Preconditions (asserted): K >= 1,
 * 1 <= n <= NP.
 */
#if !defined(CONVX_T) || !defined(NP) || !defined(NV) || !defined(UKERNEL_NAME)
#error "define CONVX_T, NP, NV and UKERNEL_NAME before including indirect_gemm.template.h"
#endif
#include "../simd.h"

#if NP == 14
#define CX_FOR_P(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13)
#elif NP == 12
#define CX_FOR_P(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)
#elif NP == 8
#define CX_FOR_P(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#elif NP == 6
#define CX_FOR_P(X) X(0) X(1) X(2) X(3) X(4) X(5)
#elif NP == 4
#define CX_FOR_P(X) X(0) X(1) X(2) X(3)
#else
#error "indirect_gemm: NP must be 4, 6, 8, 12 or 14"
#endif

#if NV == 1
#define CX_FOR_V(X, j) X(j, 0)
#elif NV == 2
#define CX_FOR_V(X, j) X(j, 0) X(j, 1)
#elif NV == 4
#define CX_FOR_V(X, j) X(j, 0) X(j, 1) X(j, 2) X(j, 3)
#else
#error "indirect_gemm: NV must be 1, 2 or 4"
#endif
#define CX_FOR_W(X) CX_FOR_V(X, _)

#define OCB (NV * VL)

#define CX_INIT(j, v) vec_t c##j##_##v = accumulate ? VLOAD(c + (j) * OCB + (v) * VL) : b##v;
#define CX_INIT_PIX(j) CX_FOR_V(CX_INIT, j)
#define CX_BIAS(j, v) const vec_t b##v = bias ? VLOAD(bias + (v) * VL) : VZERO();
#define CX_PTR(j) const CONVX_T *p##j = px[(j) < n ? (j) : 0];
#define CX_LOADW(j, v) const vec_t w##v = VLOAD(wk + (v) * VL);
#define CX_FMA(j, v) c##j##_##v = VFMA(w##v, x##j, c##j##_##v);
#define CX_PIX(j) { const vec_t x##j = VSET1(p##j[o]); CX_FOR_V(CX_FMA, j) }
#define CX_STORE(j, v) VSTORE(c + (j) * OCB + (v) * VL, c##j##_##v);
#define CX_STORE_PIX(j) if ((j) < n) { CX_FOR_V(CX_STORE, j) }

void UKERNEL_NAME(cx_idx K, const CONVX_T *CX_RESTRICT w, const CONVX_T *const *CX_RESTRICT px,
                  const cx_idx *CX_RESTRICT koff, cx_idx n, CONVX_T *CX_RESTRICT c,
                  int accumulate, const CONVX_T *CX_RESTRICT bias)
{
    assert(K >= 1 && n >= 1 && n <= NP);
    CX_FOR_W(CX_BIAS)
    CX_FOR_P(CX_INIT_PIX)
    CX_FOR_P(CX_PTR)
    for (cx_idx k = 0; k < K; k++) {
        const cx_idx o = koff[k];
        const CONVX_T *wk = w + k * OCB;
        CX_FOR_W(CX_LOADW)
        CX_FOR_P(CX_PIX)
    }
    CX_FOR_P(CX_STORE_PIX)
}
