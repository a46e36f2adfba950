/* conv_transpose_col2im.template.h — the col2im half of the GEMM + col2im transposed-convolution
 * drivers (csrc/conv_transpose_gemm.template.c), one dtype: output fill, the scatter-add of
 * col rows into output planes, and the problem-fixed tiling of input pixels.
 *
 * Included by conv_transpose_gemm.template.c after `#define T CONVX_T` (no include guard: once
 * per instantiation); everything here is static. The order of additions into an output element
 * is fixed by the problem ((input row, kd, kh, kw)), never by the thread that runs it.
 */
#if !defined(CONVX_T) || !defined(CONVX_DT)
#error "conv_transpose_col2im.template.h needs CONVX_T and CONVX_DT"
#endif

#define CT_ROW_CHUNK 2048   /* longer input rows are tiled in chunks of this many pixels */

/* y plane(s) := bias value (or zero) */
static void CONVX_NAME(ct_fill)(T *yc, cx_idx n, T v)
{
    for (cx_idx i = 0; i < n; i++) yc[i] = v;
}

/* Fill the output rows (od, oh) of one channel plane that belong to input rows [r0, r1)
 * (flattened id*IH + ih) when rows do not overlap: row (od, oh) belongs to input row
 * (min((od + pd) / sd, ID - 1), min((oh + ph) / sh, IH - 1)), the only one that reaches it. */
static void CONVX_NAME(ct_fill_rows)(const convx_conv_transpose_problem *p, T *yc, T v, cx_idx r0,
                                     cx_idx r1)
{
    const cx_idx ID = p->in[0], IH = p->in[1];
    const cx_idx OD = p->out[0], OH = p->out[1], OW = p->out[2];
    for (cx_idx od = 0; od < OD; od++) {
        const cx_idx id = CX_MIN((od + p->pad[0]) / p->stride[0], ID - 1);
        const cx_idx ih_a = CX_MAX((cx_idx)0, r0 - id * IH), ih_b = CX_MIN(IH, r1 - id * IH);
        if (ih_a >= ih_b) continue;
        cx_idx oh_a = ih_a == 0 ? 0 : ih_a * p->stride[1] - p->pad[1];
        cx_idx oh_b = ih_b == IH ? OH : ih_b * p->stride[1] - p->pad[1];
        oh_a = CX_MIN(OH, CX_MAX((cx_idx)0, oh_a));
        oh_b = CX_MIN(OH, CX_MAX(oh_a, oh_b));
        CONVX_NAME(ct_fill)(yc + (od * OH + oh_a) * OW, (oh_b - oh_a) * OW, v);
    }
}

/* yc[o] += col[t*ts + j*ps] for one output channel: taps t = (kd*KH + kh)*KW + kw, input pixel
 * p0 + j for j in [0, np). ps == 1: tap rows of pixels (col); ts == 1: pixel rows of taps
 * (the transposed col). yc is the channel's output plane. The order of additions into an
 * output element is (input row, kd, kh, kw) in both layouts. */
static void CONVX_NAME(ct_scatter)(const convx_conv_transpose_problem *p, const T *col,
                                   cx_idx ts, cx_idx ps, cx_idx p0, cx_idx np,
                                   T *CX_RESTRICT yc)
{
    const cx_idx IH = p->in[1], IW = p->in[2];
    const cx_idx KD = p->k[0], KH = p->k[1], KW = p->k[2];
    const cx_idx OD = p->out[0], OH = p->out[1], OW = p->out[2];
    const cx_idx sd = p->stride[0], sh = p->stride[1], sw = p->stride[2];
    const cx_idx pd = p->pad[0], ph = p->pad[1], pw = p->pad[2];
    const cx_idx dd = p->dil[0], dh = p->dil[1], dw = p->dil[2];
    for (cx_idx j = 0; j < np;) {
        const cx_idx pix = p0 + j;
        const cx_idx iw0 = pix % IW, ih = (pix / IW) % IH, id = pix / (IW * IH);
        const cx_idx seg = CX_MIN(IW - iw0, np - j);
        for (cx_idx kd = 0; kd < KD; kd++) {
            const cx_idx od = id * sd - pd + kd * dd;
            if (od < 0 || od >= OD) continue;
            for (cx_idx kh = 0; kh < KH; kh++) {
                const cx_idx oh = ih * sh - ph + kh * dh;
                if (oh < 0 || oh >= OH) continue;
                T *CX_RESTRICT yrow = yc + (od * OH + oh) * OW;
                cx_idx kw = 0;
                /* taps kw .. kw+sw-1 (dw == 1) write sw adjacent outputs per input pixel, each
                 * output at most once per group, so a group is one pass over the row without
                 * changing the order in which an element's contributions arrive (kw order) */
                if (dw == 1 && sw > 1 && KW >= sw) {
                    for (; kw + sw <= KW; kw += sw) {
                        cx_idx glo = iw0, ghi = iw0 + seg;
                        for (cx_idx u = 0; u < sw; u++) {
                            const cx_idx off = kw + u - pw;
                            const cx_idx lo = off >= 0 ? 0 : CX_CEILDIV(-off, sw);
                            const cx_idx hi = OW - 1 - off < 0 ? 0 : (OW - 1 - off) / sw + 1;
                            glo = CX_MAX(glo, lo);
                            ghi = CX_MIN(ghi, hi);
                        }
                        if (ghi < glo) ghi = glo;
                        for (cx_idx u = 0; u < sw; u++) {
                            const cx_idx off = kw + u - pw;
                            const cx_idx lo = CX_MAX(iw0, off >= 0 ? 0 : CX_CEILDIV(-off, sw));
                            const cx_idx hi_o = OW - 1 - off < 0 ? 0 : (OW - 1 - off) / sw + 1;
                            const cx_idx hi = CX_MIN(iw0 + seg, hi_o);
                            const cx_idx base =
                                ((kd * KH + kh) * KW + kw + u) * ts + (j - iw0) * ps;
                            /* the edges outside the group's common range, tap by tap */
                            for (cx_idx iw = lo; iw < CX_MIN(hi, glo); iw++)
                                yrow[iw * sw + off] += col[base + iw * ps];
                            for (cx_idx iw = CX_MAX(lo, ghi); iw < hi; iw++)
                                yrow[iw * sw + off] += col[base + iw * ps];
                        }
                        if (ghi <= glo) continue;
                        const T *CX_RESTRICT c0 = col + ((kd * KH + kh) * KW + kw) * ts +
                                                  (j + glo - iw0) * ps;
                        T *CX_RESTRICT yo = yrow + glo * sw + kw - pw;
                        const cx_idx cnt = ghi - glo;
                        if (sw == 2 && ts == 1) {
                            for (cx_idx e = 0; e < cnt; e++) {
                                yo[2 * e] += c0[e * ps];
                                yo[2 * e + 1] += c0[e * ps + 1];
                            }
                        } else if (sw == 2 && ps == 1) {
                            const T *CX_RESTRICT c1 = c0 + ts;
                            for (cx_idx e = 0; e < cnt; e++) {
                                yo[2 * e] += c0[e];
                                yo[2 * e + 1] += c1[e];
                            }
                        } else {
                            for (cx_idx e = 0; e < cnt; e++)
                                for (cx_idx u = 0; u < sw; u++)
                                    yo[e * sw + u] += c0[e * ps + u * ts];
                        }
                    }
                }
                for (; kw < KW; kw++) {
                    /* ow = iw*sw + off; keep 0 <= ow < OW and iw in [iw0, iw0 + seg) */
                    const cx_idx off = kw * dw - pw;
                    cx_idx lo = off >= 0 ? 0 : CX_CEILDIV(-off, sw);
                    if (OW - 1 - off < 0) continue;
                    cx_idx hi = (OW - 1 - off) / sw + 1;
                    lo = CX_MAX(lo, iw0);
                    hi = CX_MIN(hi, iw0 + seg);
                    if (hi <= lo) continue;
                    /* c[iw] is column j + (iw - iw0) of tap row t */
                    const T *CX_RESTRICT c = col + ((kd * KH + kh) * KW + kw) * ts +
                                             (j + (lo - iw0)) * ps;
                    const cx_idx cnt = hi - lo;
                    T *CX_RESTRICT yo = yrow + lo * sw + off;
                    if (ps != 1) {
                        for (cx_idx e = 0; e < cnt; e++) yo[e * sw] += c[e * ps];
                    } else if (sw == 1) {
                        for (cx_idx e = 0; e < cnt; e++) yo[e] += c[e];
                    } else if (sw == 2) {
                        for (cx_idx e = 0; e < cnt; e++) yo[2 * e] += c[e];
                    } else {
                        for (cx_idx e = 0; e < cnt; e++) yo[e * sw] += c[e];
                    }
                }
            }
        }
        j += seg;
    }
}

/* Pixel tiling fixed by the problem: whole rows (R rows per tile) or row chunks. */
typedef struct {
    cx_idx rows_per_tile;   /* > 0: tiles are R whole input rows; 0: chunked rows */
    cx_idx chunks_per_row;
    cx_idx width;           /* max pixels per tile (the col buffer's row stride) */
    cx_idx ntiles;
} CONVX_CAT(ct_tiling_, CONVX_DT);

static CONVX_CAT(ct_tiling_, CONVX_DT) CONVX_NAME(ct_tiling)(const convx_conv_transpose_problem *p,
                                                             cx_idx rows_m, cx_idx target_bytes)
{
    CONVX_CAT(ct_tiling_, CONVX_DT) tl;
    const cx_idx IW = p->in[2], nrows = p->in[0] * p->in[1];
    if (IW <= CT_ROW_CHUNK) {
        cx_idx R = target_bytes / CX_MAX((cx_idx)1, rows_m * IW * (cx_idx)sizeof(T));
        R = CX_MAX((cx_idx)1, CX_MIN(R, nrows));
        tl.rows_per_tile = R;
        tl.chunks_per_row = 1;
        tl.width = R * IW;
        tl.ntiles = CX_CEILDIV(nrows, R);
    } else {
        tl.rows_per_tile = 0;
        tl.chunks_per_row = CX_CEILDIV(IW, CT_ROW_CHUNK);
        tl.width = CT_ROW_CHUNK;
        tl.ntiles = nrows * tl.chunks_per_row;
    }
    return tl;
}

static void CONVX_NAME(ct_tile)(const convx_conv_transpose_problem *p,
                                const CONVX_CAT(ct_tiling_, CONVX_DT) *tl, cx_idx i, cx_idx *p0,
                                cx_idx *np)
{
    const cx_idx IW = p->in[2], Pin = p->in[0] * p->in[1] * IW;
    if (tl->rows_per_tile > 0) {
        *p0 = i * tl->rows_per_tile * IW;
        *np = CX_MIN(tl->width, Pin - *p0);
    } else {
        const cx_idx row = i / tl->chunks_per_row, c = i % tl->chunks_per_row;
        *p0 = row * IW + c * CT_ROW_CHUNK;
        *np = CX_MIN((cx_idx)CT_ROW_CHUNK, IW - c * CT_ROW_CHUNK);
    }
}
