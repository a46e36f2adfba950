/* conv/sliding.template.c — sliding-window driver (variant "sliding"), one dtype.
 *
 * Instantiated for f32 and f64 by conv/sliding.c (csrc/instantiate.h); the entry point
 * (csrc/conv.template.c) runs it when convx_conv_select (csrc/conv.c) picks it. 3-D problem
 * (1-D/2-D have leading sizes of 1), NCDHW layouts, front zero padding; blocks are cut from the
 * problem alone and each output's reduction runs in one thread in a fixed order, so results are
 * bit-identical for any `workers`.
 */
#if !defined(CONVX_T) || !defined(CONVX_DT)
#error "conv/sliding.template.c needs CONVX_T and CONVX_DT (include it from conv/sliding.c)"
#endif

#define T CONVX_T

typedef void (*CONVX_CAT(sliding_ukernel_t_, CONVX_DT))(cx_idx, cx_idx, cx_idx, cx_idx,
                                                        const cx_idx *, cx_idx, cx_idx, const T *,
                                                        const T *, T *, cx_idx, cx_idx, cx_idx,
                                                        const T *);

int CONVX_NAME(conv_sliding)(const convx_conv_problem *p, const T *x, const T *w, const T *bias,
                             T *y, int workers, const convx_table *tbl,
                             convx_cancel *cc)
{
    const cx_idx G = p->groups, Cig = p->C_in / G, Cog = p->C_out / G;
    const cx_idx ID = p->in[0], IH = p->in[1], IW = p->in[2];
    const cx_idx KD = p->k[0], KH = p->k[1], KW = p->k[2];
    const cx_idx OD = p->out[0], OH = p->out[1], OW = p->out[2];
    const cx_idx sd = p->stride[0], sh = p->stride[1], sw = p->stride[2];
    const cx_idx pd = p->pad[0], ph = p->pad[1], pw = p->pad[2];
    const cx_idx dd = p->dil[0], dh = p->dil[1], dw = p->dil[2];
    const cx_idx ntaps = KD * KH * KW;
    const cx_idx Wp = (OW - 1) * sw + (KW - 1) * dw + 1;
    /* the slab stores padded rows: with padding far wider than the input (or strides far
     * larger than a row) that is mostly zeros; leave such problems to the GEMM variant, which
     * forms each output from its taps alone */
    if (Wp > 4 * IW + 4096 || (KH - 1) * dh + 1 > 4 * IH + 4096 || (KD - 1) * dd + 1 > 4 * ID + 4096)
        return CONVX_DECLINED;
    const cx_idx Wq = CX_CEILDIV(Wp, sw);
    /* phases >= Wp would be empty (a stride wider than the padded row): not stored */
    const cx_idx row_len = CX_MIN(sw, Wp) * Wq;
    const cx_idx ysp = OD * OH * OW;           /* stride between output channels */
    const CONVX_CAT(sliding_ukernel_t_, CONVX_DT) *uk = tbl->CONVX_CAT(sliding_, CONVX_DT);
    const CONVX_CAT3(convx_, CONVX_DT, _pack_row_fn) pack_row = tbl->CONVX_CAT(pack_row_, CONVX_DT);
    int status = CONVX_OK;

    /* output-channel blocks of one group: greedy full blocks, then a (possibly partial) middle
     * block for 3+ leftover rows, then single rows */
    cx_idx *blk_oc0 = NULL, *blk_m = NULL, *blk_kind = NULL, *blk_woff = NULL;
    cx_idx nblk = 0, wpack_per_group = 0;
    T *wpack = NULL, *bpack = NULL;
    size_t wpack_got = 0;
    blk_oc0 = (cx_idx *)malloc((size_t)Cog * 4 * sizeof(cx_idx));
    if (!blk_oc0) return CONVX_ERR_NOMEM;
    blk_m = blk_oc0 + Cog; blk_kind = blk_m + Cog; blk_woff = blk_kind + Cog;
    for (cx_idx oc = 0; oc < Cog; nblk++) {
        cx_idx rem = Cog - oc;
        int kind = rem >= tbl->sliding_ocb[0] ? 0 : (rem >= 3 ? 1 : 2);
        cx_idx m = CX_MIN(tbl->sliding_ocb[kind], rem);
        blk_oc0[nblk] = oc; blk_m[nblk] = m; blk_kind[nblk] = kind;
        blk_woff[nblk] = wpack_per_group;
        wpack_per_group += Cig * ntaps * tbl->sliding_ocb[kind];
        oc += m;
    }

    /* pack weights: per group, per block, [Cig][ntaps][OCB], zero rows past m */
    cx_idx wpack_elems;
    if (cx_mul_overflow(wpack_per_group, G, &wpack_elems)) { status = CONVX_ERR_NOMEM; goto cleanup; }
    wpack = (T *)convx_ws_acquire((size_t)wpack_elems * sizeof(T), &wpack_got);
    if (!wpack) { status = CONVX_ERR_NOMEM; goto cleanup; }
    /* bias (or zeros), padded so a block can read OCB values past the group's last channel */
    bpack = (T *)calloc((size_t)(p->C_out + 8), sizeof(T));
    if (!bpack) { status = CONVX_ERR_NOMEM; goto cleanup; }
    if (bias) memcpy(bpack, bias, (size_t)p->C_out * sizeof(T));
    const cx_idx pack_every = cx_poll_every((double)Cig * ntaps * tbl->sliding_ocb[0]);
    for (cx_idx g = 0; g < G; g++) {
        T *dst = wpack + g * wpack_per_group;
        for (cx_idx b = 0; b < nblk; b++) {
            if (cx_cancelled_every(cc, g * nblk + b, pack_every)) goto cleanup;
            cx_idx ocb = tbl->sliding_ocb[blk_kind[b]];
            for (cx_idx c = 0; c < Cig; c++)
                for (cx_idx t = 0; t < ntaps; t++)
                    for (cx_idx j = 0; j < ocb; j++) {
                        cx_idx oc = g * Cog + blk_oc0[b] + j;
                        *dst++ = j < blk_m[b] ? w[(oc * Cig + c) * ntaps + t] : (T)0;
                    }
        }
    }

    /* band of output rows per task: slab (Cig x KD x IHb rows) and output block fit the caches;
     * then split further so the team has work (band size does not change results). */
    const cx_idx rowbytes = row_len * (cx_idx)sizeof(T);
    cx_idx B = OH;
    {
        cx_idx max_ihb = tbl->sliding_slab_bytes / CX_MAX((cx_idx)1, Cig * KD * rowbytes);
        cx_idx b_slab = max_ihb > (KH - 1) * dh ? (max_ihb - (KH - 1) * dh - 1) / sh + 1 : 1;
        cx_idx b_out = tbl->sliding_out_bytes / CX_MAX((cx_idx)1, Cog * OW * (cx_idx)sizeof(T));
        B = CX_MAX((cx_idx)1, CX_MIN(B, CX_MIN(b_slab, b_out)));
        cx_idx outer = p->N * G * OD;
        while (B > 1 && outer * CX_CEILDIV(OH, B) < 4 * (cx_idx)workers) B = CX_CEILDIV(B, 2);
    }
    const cx_idx nb = CX_CEILDIV(OH, B);
    const cx_idx IHb = (B - 1) * sh + (KH - 1) * dh + 1;
    cx_idx cchunk = tbl->sliding_slab_bytes / CX_MAX((cx_idx)1, KD * IHb * rowbytes);
    cchunk = CX_MAX((cx_idx)1, CX_MIN(cchunk, Cig));
    cx_idx ch_stride;
    if (cx_mul_overflow(KD * IHb, row_len, &ch_stride)) { status = CONVX_DECLINED; goto cleanup; }
    cx_idx slab_elems, ntask;
    if (cx_mul_overflow(cchunk, ch_stride, &slab_elems)) { status = CONVX_ERR_NOMEM; goto cleanup; }
    if (cx_mul_overflow(p->N * G * OD, nb, &ntask)) { status = CONVX_ERR_NOMEM; goto cleanup; }
    /* one buffer per thread: [slab_elems + ntaps T][ntaps tap offsets (cx_idx)], the table at a
     * 64-byte boundary (right after an odd count of floats it would be misaligned) */
    const size_t tap_off_at = CX_ALIGN64((size_t)(slab_elems + ntaps) * sizeof(T));
    const size_t slab_bytes = tap_off_at + (size_t)ntaps * sizeof(cx_idx);
    /* many tiny tasks (depthwise on small planes): hand them out in chunks */
    const cx_idx task_chunk = CX_MAX((cx_idx)1, ntask / (16 * (cx_idx)workers));
    const cx_idx task_every = cx_poll_every((double)B * OW * Cog * Cig * ntaps);

    int fail = 0;
#ifdef _OPENMP
#pragma omp parallel num_threads(workers) reduction(| : fail)
#endif
    {
        size_t got = 0;
        T *slab = (T *)convx_ws_acquire(slab_bytes, &got);
        cx_idx *tap_off = slab ? (cx_idx *)(void *)((char *)slab + tap_off_at) : NULL;
        CX_ASSERT_ALIGNED(tap_off, 64);
        if (!slab) fail = 1;
        if (slab) {   /* tap offsets relative to a band's first output row: the same for every task */
            cx_idx t = 0;
            for (cx_idx kd = 0; kd < KD; kd++)
                for (cx_idx kh = 0; kh < KH; kh++)
                    for (cx_idx kw = 0; kw < KW; kw++, t++)
                        tap_off[t] = (kd * IHb + kh * dh) * row_len +
                                     ((kw * dw) % sw) * Wq + (kw * dw) / sw;
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
            const cx_idx oh0 = bi * B, oh1 = CX_MIN(OH, oh0 + B), Bt = oh1 - oh0;
            const cx_idx IHt = (Bt - 1) * sh + (KH - 1) * dh + 1;
            T *ytask = y + ((n * p->C_out + g * Cog) * OD + od) * OH * OW + oh0 * OW;
            for (cx_idx c0 = 0; c0 < Cig; c0 += cchunk) {
                if (c0 > 0 && cx_cancelled(cc)) break;
                const cx_idx cn = CX_MIN(cchunk, Cig - c0);
                for (cx_idx ci = 0; ci < cn; ci++) {
                    const T *xc = x + ((n * p->C_in + g * Cig + c0 + ci) * ID) * IH * IW;
                    for (cx_idx kd = 0; kd < KD; kd++) {
                        const cx_idx id = od * sd - pd + kd * dd;
                        T *dk = slab + ci * ch_stride + kd * IHb * row_len;
                        if (id < 0 || id >= ID) {
                            memset(dk, 0, (size_t)(IHt * row_len) * sizeof(T));
                            continue;
                        }
                        /* slab rows r hold input rows ih = oh0*sh - ph + r: valid r in [rlo, rhi) */
                        const cx_idx ih0 = oh0 * sh - ph;
                        const cx_idx rlo = CX_MIN(IHt, CX_MAX((cx_idx)0, -ih0));
                        const cx_idx rhi = CX_MAX(rlo, CX_MIN(IHt, IH - ih0));
                        if (rlo > 0) memset(dk, 0, (size_t)(rlo * row_len) * sizeof(T));
                        if (rhi > rlo)
                            pack_row(rhi - rlo, dk + rlo * row_len, row_len,
                                     xc + (id * IH + ih0 + rlo) * IW, IW, IW, pw, Wp, sw, Wq);
                        if (rhi < IHt)
                            memset(dk + rhi * row_len, 0, (size_t)((IHt - rhi) * row_len) * sizeof(T));
                    }
                }
                for (cx_idx b = 0; b < nblk; b++) {
                    const T *wb = wpack + g * wpack_per_group + blk_woff[b] +
                                  c0 * ntaps * tbl->sliding_ocb[blk_kind[b]];
                    /* the first chunk starts from the bias (zeros without one) */
                    const T *bb = c0 ? NULL : bpack + g * Cog + blk_oc0[b];
                    uk[blk_kind[b]](Bt, OW, cn, ntaps, tap_off, ch_stride, sh * row_len, slab,
                                    wb, ytask + blk_oc0[b] * ysp, ysp, OW, blk_m[b], bb);
                }
            }
        }
        convx_cancel_team_wait(cc);
        if (slab) convx_ws_release(slab, got);
    }
    if (fail) status = CONVX_ERR_NOMEM;
cleanup:
    if (wpack) convx_ws_release(wpack, wpack_got);
    free(blk_oc0);
    free(bpack);
    return status;
}

#undef T
