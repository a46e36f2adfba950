/* dwconv_cl.template.h — channels-last (NHWC) depthwise micro-kernel, vectors over channels,
 * instantiated per (dtype, ISA) by the generated f??-dwconv_cl-*.c files next to it
 * (csrc/kernels/generate.py).
 *
 *   y[j*ys + c] = bias[c] + sum_{t < ntap} px[j][toff[t] + c] * w[woff[t] + c]
 *                                                       for j < n, c < C
 *
 * Each output pixel j has its own base pointer px[j] into the channels-last input (its window's
 * origin); tap t reads C contiguous channels at px[j] + toff[t] and multiplies them by C
 * contiguous weights at w + woff[t] (the caller packs the weights [tap][C]). The taps a caller
 * passes are the ones inside the input for every pixel of the call (it splits border pixels
 * off with shorter tap lists), so there is no bounds test here. bias may be NULL (zero).
 *
 * Register tile: 4 pixels x NV vectors of channels; each weight vector is loaded once per tap
 * and used for 4 pixels. Per element the sum starts from the bias and adds the taps in list
 * order with one FMA each, whatever the blocking: results do not depend on n or on which
 * pixels share a call. Preconditions (asserted): n >= 0, C >= 1, ntap >= 0.
 */
#if !defined(CONVX_T) || !defined(NV) || !defined(UKERNEL_NAME)
#error "define CONVX_T, NV and UKERNEL_NAME before including dwconv_cl.template.h"
#endif
#include "../simd.h"

#define T CONVX_T

#if NV == 4
#define CX_FOR_V(X, j) X(j, 0) X(j, 1) X(j, 2) X(j, 3)
#elif NV == 2
#define CX_FOR_V(X, j) X(j, 0) X(j, 1)
#elif NV == 1
#define CX_FOR_V(X, j) X(j, 0)
#else
#error "dwconv_cl: NV must be 1, 2 or 4"
#endif
#define CX_FOR_P(X) X(0) X(1) X(2) X(3)
#define CX_FOR_PV(X) CX_FOR_V(X, 0) CX_FOR_V(X, 1) CX_FOR_V(X, 2) CX_FOR_V(X, 3)

/* full blocks of NV vectors */
#define CX_INIT(j, v) vec_t a##j##_##v = bias ? VLOAD(bias + c + (v) * VL) : VZERO();
#define CX_LOADW(j, v) const vec_t w##v = VLOAD(wt + (v) * VL);
#define CX_FMA(j, v) a##j##_##v = VFMA(VLOAD(p##j + o + (v) * VL), w##v, a##j##_##v);
#define CX_FMA_PIX(j) CX_FOR_V(CX_FMA, j)
#define CX_STORE(j, v) VSTORE(y##j + c + (v) * VL, a##j##_##v);
#define CX_STORE_PIX(j) if ((j) < m) { CX_FOR_V(CX_STORE, j) }
/* one vector (and the masked tail) */
#define CX_INIT1(j) vec_t b##j = bias ? VLOAD(bias + c) : VZERO();
#define CX_FMA1(j) b##j = VFMA(VLOAD(p##j + o), w1, b##j);
#define CX_STORE1(j) if ((j) < m) VSTORE(y##j + c, b##j);
#if VL > 1
#define CX_INITN(j) vec_t b##j = bias ? VLOADN(bias + c, cnt) : VZERO();
#define CX_FMAN(j) b##j = VFMA(VLOADN(p##j + o, cnt), w1, b##j);
#define CX_STOREN(j) if ((j) < m) VSTOREN(y##j + c, b##j, cnt);
#endif

void UKERNEL_NAME(cx_idx n, cx_idx C, cx_idx ntap, const T *const *CX_RESTRICT px,
                  const cx_idx *CX_RESTRICT toff, const cx_idx *CX_RESTRICT woff,
                  const T *CX_RESTRICT w, const T *CX_RESTRICT bias, T *CX_RESTRICT y, cx_idx ys)
{
    assert(n >= 0 && C >= 1 && ntap >= 0);
    if (n == 1) {   /* a lone (border) pixel: one FMA chain per vector, no idle lanes of pixels */
        cx_idx c = 0;
        const T *p0 = px[0];
        for (; c + VL <= C; c += VL) {
            vec_t a = bias ? VLOAD(bias + c) : VZERO();
            for (cx_idx t = 0; t < ntap; t++)
                a = VFMA(VLOAD(p0 + toff[t] + c), VLOAD(w + woff[t] + c), a);
            VSTORE(y + c, a);
        }
#if VL > 1
        if (c < C) {
            const cx_idx cnt = C - c;
            vec_t a = bias ? VLOADN(bias + c, cnt) : VZERO();
            for (cx_idx t = 0; t < ntap; t++)
                a = VFMA(VLOADN(p0 + toff[t] + c, cnt), VLOADN(w + woff[t] + c, cnt), a);
            VSTOREN(y + c, a, cnt);
        }
#endif
        return;
    }
    for (cx_idx j0 = 0; j0 < n; j0 += 4) {
        const cx_idx m = CX_MIN((cx_idx)4, n - j0);
        /* pixels past m reuse pixel j0 and are never stored */
        const T *p0 = px[j0];
        const T *p1 = px[j0 + (m > 1 ? 1 : 0)];
        const T *p2 = px[j0 + (m > 2 ? 2 : 0)];
        const T *p3 = px[j0 + (m > 3 ? 3 : 0)];
        T *y0 = y + j0 * ys, *y1 = y0 + ys, *y2 = y1 + ys, *y3 = y2 + ys;
        cx_idx c = 0;
        for (; c + NV * VL <= C; c += NV * VL) {
            CX_FOR_PV(CX_INIT)
            for (cx_idx t = 0; t < ntap; t++) {
                const T *wt = w + woff[t] + c;
                const cx_idx o = toff[t] + c;
                CX_FOR_V(CX_LOADW, _)
                CX_FOR_P(CX_FMA_PIX)
            }
            CX_FOR_P(CX_STORE_PIX)
        }
        for (; c + VL <= C; c += VL) {
            CX_FOR_P(CX_INIT1)
            for (cx_idx t = 0; t < ntap; t++) {
                const vec_t w1 = VLOAD(w + woff[t] + c);
                const cx_idx o = toff[t] + c;
                CX_FOR_P(CX_FMA1)
            }
            CX_FOR_P(CX_STORE1)
        }
#if VL > 1
        if (c < C) {
            const cx_idx cnt = C - c;
            CX_FOR_P(CX_INITN)
            for (cx_idx t = 0; t < ntap; t++) {
                const vec_t w1 = VLOADN(w + woff[t] + c, cnt);
                const cx_idx o = toff[t] + c;
                CX_FOR_P(CX_FMAN)
            }
            CX_FOR_P(CX_STOREN)
        }
#endif
    }
}

#undef T
