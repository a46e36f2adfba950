/* conv/depthwise.template.c — depthwise driver (variant "depthwise"), one dtype.
 *
 * Instantiated for f32 and f64 by conv/depthwise.c (csrc/instantiate.h); the entry point
 * (csrc/conv.template.c) runs it when convx_conv_select (csrc/conv.c) picks it: one input
 * channel per group (C_in / groups == 1, any channel multiplier C_out / groups), 1-D or 2-D
 * windows (kD == 1; the depth axis is then a plain loop), NCDHW layouts, and an ISA whose table
 * has dwconv kernels. It declines (CONVX_DECLINED, before touching y) anything else, and
 * problems whose padded rows would be mostly padding.
 *
 * Work is cut into tasks (image, group, depth, band of output rows). A task copies its band's
 * input rows once into a per-thread slab (zero padding, columns split by stride phase: the
 * sliding driver's pack_row kernel), then runs one dwconv micro-kernel per output channel of
 * the group over it (kernels/dwconv/dwconv.template.h): the K x K stride-S kernel when the
 * table has one for the window, else the generic one. f32 3x3 at stride 1 or 2 on AVX-512
 * skips the slab: the dwconv_inplace kernels read the input rows in place. Row dilation d and stride s become the
 * kernels' row stride s / gcd(s, d) over every (d / gcd)-th output row. Narrow stride-1 maps
 * (7x7 on 16-lane vectors) run "flat": the band's rows as one long row over the slab's row
 * pitch, vectors spanning row ends, the columns past the output width dropped on the copy-out.
 * Every output's sum runs in the same order in every kernel and tile, and bands do not change
 * it, so results are bit-identical for any `workers`.
 */
#if !defined(CONVX_T) || !defined(CONVX_DT)
#error "conv/depthwise.template.c needs CONVX_T and CONVX_DT (include it from conv/depthwise.c)"
#endif

#define T CONVX_T

typedef void (*CONVX_CAT(dw_ukernel_t_, CONVX_DT))(cx_idx, cx_idx, cx_idx, cx_idx, cx_idx,
                                                   const T *, cx_idx, const cx_idx *, const T *,
                                                   T, T *, cx_idx);

int CONVX_NAME(conv_depthwise)(const convx_conv_problem *p, const T *x, const T *w,
                               const T *bias, T *y, int workers, const convx_table *tbl,
                               convx_cancel *cc)
{
    const cx_idx G = p->groups, Cog = p->C_out / G;
    const cx_idx ID = p->in[0], IH = p->in[1], IW = p->in[2];
    const cx_idx KH = p->k[1], KW = p->k[2];
    const cx_idx OD = p->out[0], OH = p->out[1], OW = p->out[2];
    const cx_idx sd = p->stride[0], sh = p->stride[1], sw = p->stride[2];
    const cx_idx pd = p->pad[0], ph = p->pad[1], pw = p->pad[2];
    const cx_idx dh = p->dil[1], dw = p->dil[2];
    const CONVX_CAT(dw_ukernel_t_, CONVX_DT) *uk = tbl->CONVX_CAT(dwconv_, CONVX_DT);
    const CONVX_CAT3(convx_, CONVX_DT, _pack_row_fn) pack_row = tbl->CONVX_CAT(pack_row_, CONVX_DT);
    if (p->C_in != G || p->k[0] != 1 || !uk[CONVX_DWCONV_GENERIC]) return CONVX_DECLINED;
    const cx_idx Wp = (OW - 1) * sw + (KW - 1) * dw + 1;
    /* padding far wider than the input (or strides far larger than a row): the slab would be
     * mostly zeros; the GEMM variants form each output from its taps alone */
    if (Wp > 4 * IW + 4096 || (KH - 1) * dh + 1 > 4 * IH + 4096) return CONVX_DECLINED;
    const cx_idx Wq = CX_CEILDIV(Wp, sw);
    const cx_idx rl = CX_MIN(sw, Wp) * Wq;   /* slab row pitch: sw phases of Wq columns */
    /* rows: output row oh0 + q + j*step reads slab row q*sh + dh*(j*S + a) for tap row a */
    cx_idx gg = sh, t_ = dh;
    while (t_) { const cx_idx r_ = gg % t_; gg = t_; t_ = r_; }
    const cx_idx S = sh / gg, step = dh / gg;
    const int slot = KH == KW ? CONVX_DWCONV_SLOT(KH, S) : CONVX_DWCONV_GENERIC;
    const CONVX_CAT(dw_ukernel_t_, CONVX_DT) k = uk[slot] ? uk[slot] : uk[CONVX_DWCONV_GENERIC];
    /* lanes of the ISA's vectors, for the flat-or-rows choice only */
    const cx_idx VLn = (tbl->isa == CONVX_ISA_AVX512 ? 64 : 32) / (cx_idx)sizeof(T);

    /* band of output rows per task: the slab stays within the sliding slab budget (L2), then
     * bands are halved until the team has work (bands do not change results) */
    cx_idx B = OH;
    {
        const cx_idx rowbytes = rl * (cx_idx)sizeof(T);
        const cx_idx max_rows = tbl->sliding_slab_bytes / CX_MAX((cx_idx)1, rowbytes);
        const cx_idx b_slab = max_rows > (KH - 1) * dh ? (max_rows - (KH - 1) * dh - 1) / sh + 1 : 1;
        B = CX_MAX((cx_idx)1, CX_MIN(B, b_slab));
        const cx_idx outer = p->N * G * OD;
        while (B > 1 && outer * CX_CEILDIV(OH, B) < 4 * (cx_idx)workers) B = CX_CEILDIV(B, 2);
    }
    const cx_idx nb = CX_CEILDIV(OH, B);
    const cx_idx IHb = (B - 1) * sh + (KH - 1) * dh + 1;
    /* flat: stride 1, no row dilation, and a quarter fewer vectors than row by row */
    const int flat = sh == 1 && dh == 1 && B > 1 &&
                     4 * CX_CEILDIV((B - 1) * rl + OW, VLn) < 3 * B * CX_CEILDIV(OW, VLn);
    cx_idx slab_elems, ntask;
    if (cx_mul_overflow(IHb, rl, &slab_elems)) return CONVX_ERR_NOMEM;
    if (cx_mul_overflow(p->N * G * OD, nb, &ntask)) return CONVX_ERR_NOMEM;
    /* per thread: [slab][flat output rows (flat only)][KW column offsets][IHb row pointers],
     * 64-byte aligned */
    /* the kernels load whole vectors past a row's end: 64 bytes of slack after the slab */
    const size_t tmp_at = CX_ALIGN64((size_t)slab_elems * sizeof(T) + 64);
    const size_t coff_at = tmp_at + (flat ? CX_ALIGN64((size_t)(B * rl) * sizeof(T)) : 0);
    const size_t rows_at = CX_ALIGN64(coff_at + (size_t)KW * sizeof(cx_idx));
    const size_t ws_bytes = rows_at + (size_t)IHb * sizeof(T *);
#if !CX_T_IS_F64
    /* 3x3, stride 1 or 2 on both axes, no dilation (f32, AVX-512): kernels that read the input
     * rows in place, zero padding from masked loads: no slab copy, measured 1.3-1.6x faster
     * than the slab kernels on the MobileNet layers */
    const convx_f32_dwconv_inplace_ukernel_fn ipk =
        (KH == 3 && KW == 3 && dh == 1 && dw == 1 && sh == sw)
            ? (sh == 1 ? tbl->dwconv_inplace3x3s1_f32 : sh == 2 ? tbl->dwconv_inplace3x3s2_f32 : NULL)
            : NULL;
#endif
    if (ws_bytes > convx_ws_cap_bytes()) return CONVX_DECLINED;
    const cx_idx task_chunk = CX_MAX((cx_idx)1, ntask / (16 * (cx_idx)workers));
    const cx_idx task_every = cx_poll_every((double)B * OW * Cog * KH * KW);
    const cx_idx ysp = OD * OH * OW;   /* stride between output channels */

    int fail = 0;
#ifdef _OPENMP
#pragma omp parallel num_threads(workers) reduction(| : fail)
#endif
    {
        size_t got = 0;
        T *slab = (T *)convx_ws_acquire(ws_bytes, &got);
        T *tmp = slab ? (T *)(void *)((char *)slab + tmp_at) : NULL;
        cx_idx *coff = slab ? (cx_idx *)(void *)((char *)slab + coff_at) : NULL;
        if (!slab) {
            fail = 1;
        } else {
            for (cx_idx b = 0; b < KW; b++) coff[b] = ((b * dw) % sw) * Wq + (b * dw) / sw;
            memset(slab + slab_elems, 0, 64);   /* the slack the kernels' last vectors read */
        }
#ifdef _OPENMP
#pragma omp for schedule(dynamic, task_chunk) nowait
#endif
        for (cx_idx task = 0; task < ntask; task++) {
            if (!slab || cx_cancelled_every(cc, task, task_every)) continue;
            cx_idx rest = task;
            const cx_idx bi = rest % nb; rest /= nb;
            const cx_idx od = rest % OD; rest /= OD;
            const cx_idx g = rest % G;
            const cx_idx n = rest / G;
            const cx_idx oh0 = bi * B, Bt = CX_MIN(OH, oh0 + B) - oh0;
            const cx_idx IHt = (Bt - 1) * sh + (KH - 1) * dh + 1;
            T *yt = y + ((n * p->C_out + g * Cog) * OD + od) * OH * OW + oh0 * OW;
            const cx_idx id = od * sd - pd;
            if (id < 0 || id >= ID) {   /* a padding plane (kD == 1): the bias alone */
                for (cx_idx j = 0; j < Cog; j++) {
                    const T bv = bias ? bias[g * Cog + j] : (T)0;
                    for (cx_idx i = 0; i < Bt * OW; i++) yt[j * ysp + i] = bv;
                }
                continue;
            }
            const T *xc = x + ((n * p->C_in + g) * ID + id) * IH * IW;
#if !CX_T_IS_F64
            if (ipk) {   /* row pointers into the input (NULL: a padding row), no slab */
                const T **rows = (const T **)(void *)((char *)slab + rows_at);
                for (cx_idx i = 0; i < IHt; i++) {
                    const cx_idx ih = oh0 * sh - ph + i;
                    rows[i] = (ih >= 0 && ih < IH) ? xc + ih * IW : NULL;
                }
                for (cx_idx j = 0; j < Cog; j++)
                    ipk(Bt, OW, rows, IW, pw, w + (g * Cog + j) * 9,
                        bias ? bias[g * Cog + j] : (T)0, yt + j * ysp, OW);
                continue;
            }
#endif
            /* slab rows r hold input rows ih = oh0*sh - ph + r: valid r in [rlo, rhi) */
            const cx_idx ih0 = oh0 * sh - ph;
            const cx_idx rlo = CX_MIN(IHt, CX_MAX((cx_idx)0, -ih0));
            const cx_idx rhi = CX_MAX(rlo, CX_MIN(IHt, IH - ih0));
            if (rlo > 0) memset(slab, 0, (size_t)(rlo * rl) * sizeof(T));
            if (rhi > rlo && sw == 1) {   /* memcpy: AVX2's pack_row ends rows with masked
                                            * stores, microcoded on AMD (most of a 7x7 layer) */
                const cx_idx lo = CX_MIN(pw, rl), nc = CX_MAX((cx_idx)0, CX_MIN(IW, rl - pw));
                for (cx_idx r = rlo; r < rhi; r++) {
                    T *d = slab + r * rl;
                    memset(d, 0, (size_t)lo * sizeof(T));
                    memcpy(d + lo, xc + (ih0 + r) * IW, (size_t)nc * sizeof(T));
                    memset(d + lo + nc, 0, (size_t)(rl - lo - nc) * sizeof(T));
                }
            } else if (rhi > rlo) {
                pack_row(rhi - rlo, slab + rlo * rl, rl, xc + (ih0 + rlo) * IW, IW, IW, pw, Wp,
                         sw, Wq);
            }
            if (rhi < IHt) memset(slab + rhi * rl, 0, (size_t)((IHt - rhi) * rl) * sizeof(T));
            for (cx_idx j = 0; j < Cog; j++) {
                const cx_idx oc = g * Cog + j;
                const T *wc = w + oc * KH * KW;
                const T bv = bias ? bias[oc] : (T)0;
                T *yc = yt + j * ysp;
                if (flat) {   /* one long row at pitch rl, then drop the columns past OW */
                    k(1, (Bt - 1) * rl + OW, KH, KW, 1, slab, rl, coff, wc, bv, tmp, 0);
                    for (cx_idx r = 0; r < Bt; r++)
                        memcpy(yc + r * OW, tmp + r * rl, (size_t)OW * sizeof(T));
                    continue;
                }
                for (cx_idx q = 0; q < CX_MIN(step, Bt); q++)
                    k(CX_CEILDIV(Bt - q, step), OW, KH, KW, S, slab + q * sh * rl, dh * rl, coff,
                      wc, bv, yc + q * OW, step * OW);
            }
        }
        convx_cancel_team_wait(cc);
        if (slab) convx_ws_release(slab, got);
    }
    return fail ? CONVX_ERR_NOMEM : CONVX_OK;
}

#undef T
