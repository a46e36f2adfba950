/* im2col.template.h — rows of the im2col matrix, instantiated per (dtype, ISA) by the
 * f??-im2col-rows-*.c files next to it; the same C compiled with each ISA's flags, so the copy
 * loops use that ISA's vectors.
 *
 * Writes rows [r0, r1) of the im2col matrix of one image and group for output pixels
 * [p0, p0 + np): row r = (ci, kd, kh, kw) row-major over the group's input channels, column j =
 * output pixel p0 + j in (od, oh, ow) order, into col + (r - r0)*ldcol. x points at the group's
 * first input channel, [C_in/groups][D][H][W]; in/k/out/stride/pad/dil are the problem's 3-D
 * sizes (convx_conv_problem, front padding). Out-of-image taps read as zero.
 */
#if !defined(CONVX_T) || !defined(UKERNEL_NAME)
#error "define CONVX_T and UKERNEL_NAME before including im2col.template.h"
#endif
#include "../../common.h"
#define T CONVX_T

void UKERNEL_NAME(const T *x, const cx_idx *in, const cx_idx *k, const cx_idx *out,
                  const cx_idx *stride, const cx_idx *pad, const cx_idx *dil, cx_idx p0, cx_idx np,
                  cx_idx r0, cx_idx r1, T *col, cx_idx ldcol)
{
    const cx_idx ID = in[0], IH = in[1], IW = in[2];
    const cx_idx KD = k[0], KH = k[1], KW = k[2];
    const cx_idx OH = out[1], OW = out[2];
    const cx_idx sw = stride[2], pw = pad[2], dw = dil[2];
    const cx_idx od0 = p0 / (OW * OH), oh0 = (p0 / OW) % OH, ow0 = p0 % OW;
    for (cx_idx r = r0; r < r1; r++) {
        cx_idx rest = r;
        const cx_idx kw = rest % KW; rest /= KW;
        const cx_idx kh = rest % KH; rest /= KH;
        const cx_idx kd = rest % KD;
        const cx_idx ci = rest / KD;
        const T *xc = x + ci * ID * IH * IW;
        T *CX_RESTRICT dst = col + (r - r0) * ldcol;
        cx_idx od = od0, oh = oh0, ow = ow0, j = 0;
        /* output rows (od, oh) one segment at a time; short segments are the common case
         * (small images), so the copies are inline loops rather than library calls */
        while (j < np) {
            const cx_idx seg = CX_MIN(OW - ow, np - j);
            const cx_idx id = od * stride[0] - pad[0] + kd * dil[0];
            const cx_idx ih = oh * stride[1] - pad[1] + kh * dil[1];
            T *CX_RESTRICT d = dst + j;
            if (id < 0 || id >= ID || ih < 0 || ih >= IH) {
                for (cx_idx e = 0; e < seg; e++) d[e] = (T)0;
            } else {
                const T *src = xc + (id * IH + ih) * IW;
                const cx_idx iw0 = ow * sw - pw + kw * dw;      /* iw of element 0 of the segment */
                /* valid elements: 0 <= iw0 + e*sw < IW */
                cx_idx elo = iw0 >= 0 ? 0 : CX_CEILDIV(-iw0, sw);
                cx_idx ehi = iw0 < IW ? CX_CEILDIV(IW - iw0, sw) : 0;
                elo = CX_MIN(elo, seg);
                ehi = CX_MAX(elo, CX_MIN(ehi, seg));
                cx_idx e = 0;
                for (; e < elo; e++) d[e] = (T)0;
                if (sw == 1) {
                    const T *CX_RESTRICT s1 = src + iw0;
                    for (; e < ehi; e++) d[e] = s1[e];
                } else {
                    for (; e < ehi; e++) d[e] = src[iw0 + e * sw];
                }
                for (; e < seg; e++) d[e] = (T)0;
            }
            j += seg;
            ow = 0;
            if (++oh == OH) { oh = 0; od++; }
        }
    }
}
#undef T
