/* conv_transpose_subpixel.template.c — the sub-pixel transposed-convolution driver, one dtype
 * (the decomposition is described in conv_transpose_subpixel.c).
 *
 * Included twice by conv_transpose_subpixel.c (csrc/instantiate.h). For every combination of
 * per-axis phase classes: pack the stacked, flipped sub-kernels [G][phases][Cog][Cig][taps] (and
 * the bias repeated per phase), run one forward convolution through convx_conv_select and the
 * variants of csrc/conv/ into a scratch output (or straight into y when the problem is a single
 * stride-1 phase without dropped outputs), then copy each phase's plane to its interleaved
 * positions of y. Output positions of phases without taps get the bias.
 * Determinism: the forward variants are bit-identical for any `workers`; the problem split
 * (classes, batch chunks) depends on the problem only; packing and interleaving are copies.
 * Workspace: the packed weights (at most the weights' size) and a scratch output of at most
 * about convx_ws_cap_bytes() / 2 (the batch is cut into chunks of images; a single image may
 * need more).
 * Interrupts: the forward variants poll the call's `cc`; packing and interleaving poll per
 * block; a cancelled call skips the rest.
 */
#if !defined(CONVX_T) || !defined(CONVX_DT)
#error "conv_transpose_subpixel.template.c needs CONVX_T and CONVX_DT"
#endif

#define T CONVX_T

/* One forward convolution by the variants convx_conv_select orders for it (algorithm "auto");
 * a variant may decline at setup, the last one never does. */
static int CONVX_NAME(ct_sp_conv)(const convx_conv_problem *q, const T *x, const T *w,
                                  const T *b, T *y, int workers, const convx_table *tbl,
                                  convx_cancel *cc, int *variant)
{
    int order[CONVX_VARIANT_TRIES];
    const int n = convx_conv_select(q, CONVX_ALGO_AUTO, CX_T_IS_F64, tbl->isa, order);
    const double work = (double)q->N * (double)q->C_out * (double)(q->C_in / q->groups) *
                        (double)(q->k[0] * q->k[1] * q->k[2]) *
                        (double)(q->out[0] * q->out[1] * q->out[2]);
    workers = cx_team_size(workers, work, CX_CONV_TEAM_MIN_WORK);
    int st = CONVX_ERR_INTERNAL;
    for (int i = 0; i < n; i++) {
        switch (order[i]) {
        case CONVX_VARIANT_DEPTHWISE:
            st = CONVX_NAME(conv_depthwise)(q, x, w, b, y, workers, tbl, cc); break;
        case CONVX_VARIANT_SLIDING:
            st = CONVX_NAME(conv_sliding)(q, x, w, b, y, workers, tbl, cc); break;
        case CONVX_VARIANT_INDIRECT_GEMM:
            st = CONVX_NAME(conv_indirect_gemm)(q, x, w, b, y, workers, tbl, cc); break;
        case CONVX_VARIANT_SHIFTED_GEMM:
            st = CONVX_NAME(conv_shifted_gemm)(q, x, w, b, y, workers, tbl, cc); break;
        case CONVX_VARIANT_PANEL_GEMM:
            st = CONVX_NAME(conv_panel_gemm)(q, x, w, b, y, workers, tbl, cc); break;
        case CONVX_VARIANT_BLAS_GEMM:
            st = CONVX_NAME(conv_blas_gemm)(q, x, w, b, y, workers, tbl, cc); break;
        default: return CONVX_ERR_INTERNAL;
        }
        if (st != CONVX_DECLINED) {
            if (st == CONVX_OK) *variant = order[i];
            return st;
        }
    }
    return st;
}

/* wq[((g*P + ph)*Cog + co)*Cig + ci][jd][jh][jw] = w[g*Cig + ci][co][td][th][tw], the taps of
 * phase ph = (rd, rh, rw) (members mem[0..2][]) flipped: t = t0[r] + (n - 1 - j)*step; and
 * bq[(g*P + ph)*Cog + co] = bias[g*Cog + co]. A (ci, co) transpose, walked in 16 x 16 blocks so
 * both sides stay in cache lines (whole weight rows are Cog*taps elements apart). */
static void CONVX_NAME(ct_sp_pack)(const convx_conv_transpose_problem *p, const cx_idx *off,
                                   cx_idx P, cx_idx nt, const T *w, const T *bias, T *wq, T *bq,
                                   int workers, convx_cancel *cc)
{
    const cx_idx G = p->groups, Cig = p->C_in / G, Cog = p->C_out / G;
    const cx_idx ktaps = p->k[0] * p->k[1] * p->k[2];
    const cx_idx cob = CX_CEILDIV(Cog, 16), blocks = G * cob;
    const cx_idx every = cx_poll_every((double)16 * Cig * nt * P);
    if (bq)
        for (cx_idx row = 0; row < G * P * Cog; row++)
            bq[row] = bias[(row / (Cog * P)) * Cog + row % Cog];
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(workers)
#endif
    for (cx_idx blk = 0; blk < blocks; blk++) {
        if (cx_cancelled_every(cc, blk, every)) continue;
        const cx_idx g = blk / cob, co0 = (blk % cob) * 16, co1 = CX_MIN(Cog, co0 + 16);
        for (cx_idx ci0 = 0; ci0 < Cig; ci0 += 16) {
            const cx_idx ci1 = CX_MIN(Cig, ci0 + 16);
            for (cx_idx ph = 0; ph < P; ph++) {
                const cx_idx *CX_RESTRICT o = off + ph * nt;
                for (cx_idx co = co0; co < co1; co++) {
                    const T *CX_RESTRICT ws = w + ((g * Cig + ci0) * Cog + co) * ktaps;
                    T *CX_RESTRICT dst = wq + (((g * P + ph) * Cog + co) * Cig + ci0) * nt;
                    for (cx_idx ci = 0; ci < ci1 - ci0; ci++)
                        for (cx_idx j = 0; j < nt; j++)
                            dst[ci * nt + j] = ws[ci * Cog * ktaps + o[j]];
                }
            }
        }
    }
}

/* off[ph*nt + j]: the tap (kd*KH + kh)*KW + kw of w that phase ph's flipped sub-kernel holds at
 * j = (jd*n1 + jh)*n2 + jw */
static void CONVX_NAME(ct_sp_taps)(const convx_conv_transpose_problem *p, const ct_sp_axis *ax,
                                   const int c[3], const cx_idx *const mem[3], cx_idx *off)
{
    const cx_idx n0 = ax[0].ntap[c[0]], n1 = ax[1].ntap[c[1]], n2 = ax[2].ntap[c[2]];
    const cx_idx P1 = ax[1].nmem[c[1]], P2 = ax[2].nmem[c[2]];
    const cx_idx P = ax[0].nmem[c[0]] * P1 * P2, nt = n0 * n1 * n2;
    for (cx_idx ph = 0; ph < P; ph++) {
        const cx_idx rd = mem[0][ph / (P1 * P2)], rh = mem[1][(ph / P2) % P1];
        const cx_idx rw = mem[2][ph % P2];
        cx_idx j = 0;
        for (cx_idx jd = 0; jd < n0; jd++)
            for (cx_idx jh = 0; jh < n1; jh++)
                for (cx_idx jw = 0; jw < n2; jw++, j++) {
                    const cx_idx td = ax[0].t0[rd] + (n0 - 1 - jd) * ax[0].step;
                    const cx_idx th = ax[1].t0[rh] + (n1 - 1 - jh) * ax[1].step;
                    const cx_idx tw = ax[2].t0[rw] + (n2 - 1 - jw) * ax[2].step;
                    off[ph * nt + j] = (td * p->k[1] + th) * p->k[2] + tw;
                }
    }
}

/* y[n0 + n][g*Cog + co] at the positions of the class's phases := the scratch planes
 * tmp[n][(g*P + ph)*Cog + co] without their `lead` leading outputs. */
static void CONVX_NAME(ct_sp_interleave)(const convx_conv_transpose_problem *p,
                                         const ct_sp_axis *ax, const int c[3],
                                         const cx_idx *const mem[3], const T *tmp, cx_idx n0,
                                         cx_idx nb, T *y, int workers, convx_cancel *cc)
{
    const cx_idx G = p->groups, Cog = p->C_out / G;
    const cx_idx OH = p->out[1], OW = p->out[2], Pout = p->out[0] * OH * OW;
    const cx_idx sd = ax[0].s, sh = ax[1].s, sw = ax[2].s;
    const cx_idx P0 = ax[0].nmem[c[0]], P1 = ax[1].nmem[c[1]], P2 = ax[2].nmem[c[2]];
    const cx_idx P = P0 * P1 * P2;
    const cx_idx ld = ax[0].lead[c[0]], lh = ax[1].lead[c[1]], lw = ax[2].lead[c[2]];
    const cx_idx mh = ax[1].mout[c[1]], mw = ax[2].mout[c[2]];
    const cx_idx vol = ax[0].mout[c[0]] * mh * mw;
    const cx_idx planes = nb * p->C_out, every = cx_poll_every((double)Pout / (sd * sh * sw) * P);
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(workers)
#endif
    for (cx_idx pl = 0; pl < planes; pl++) {
        if (cx_cancelled_every(cc, pl, every)) continue;
        const cx_idx n = pl / p->C_out, ch = pl % p->C_out, g = ch / Cog, co = ch % Cog;
        T *yp = y + ((n0 + n) * p->C_out + ch) * Pout;
        /* output rows in ascending order (a, rd, b, rh), all W phases of a row together:
         * a row stays in L1 while the class's phases fill it */
        const T *src0 = tmp + (n * p->C_out * P + g * P * Cog + co) * vol;
        for (cx_idx a = 0; a < ax[0].mout[c[0]] - ld; a++)
            for (cx_idx i0 = 0; i0 < P0; i0++) {
                const cx_idx rd = mem[0][i0];
                if (a >= ax[0].M[rd]) continue;
                for (cx_idx b = 0; b < mh - lh; b++)
                    for (cx_idx i1 = 0; i1 < P1; i1++) {
                        const cx_idx rh = mem[1][i1];
                        if (b >= ax[1].M[rh]) continue;
                        T *CX_RESTRICT d0 = yp + ((rd + sd * a) * OH + rh + sh * b) * OW;
                        const T *sp[CT_SUBPIXEL_MAX_STRIDE];
                        cx_idx common = OW;
                        for (cx_idx i2 = 0; i2 < P2; i2++) {
                            const cx_idx ph = (i0 * P1 + i1) * P2 + i2;
                            sp[i2] = src0 + ph * Cog * vol + ((a + ld) * mh + b + lh) * mw + lw;
                            common = CX_MIN(common, ax[2].M[mem[2][i2]]);
                        }
                        cx_idx e0 = 0;
                        if (P2 > 1) {   /* the W phases side by side: runs of adjacent stores */
                            const cx_idx *CX_RESTRICT rws = mem[2];
                            for (; e0 < common; e0++)
                                for (cx_idx i2 = 0; i2 < P2; i2++)
                                    d0[e0 * sw + rws[i2]] = sp[i2][e0];
                        }
                        for (cx_idx i2 = 0; i2 < P2; i2++) {
                            const cx_idx rw = mem[2][i2], Mw = ax[2].M[rw];
                            const T *CX_RESTRICT s = sp[i2];
                            T *CX_RESTRICT d = d0 + rw;
                            if (sw == 1) {
                                memcpy(d + e0, s + e0, (size_t)(Mw - e0) * sizeof(T));
                            } else if (sw == 2) {
                                for (cx_idx e = e0; e < Mw; e++) d[2 * e] = s[e];
                            } else {
                                for (cx_idx e = e0; e < Mw; e++) d[e * sw] = s[e];
                            }
                        }
                    }
            }
    }
}

/* the bias (or zero) at the output positions of phases without taps */
static void CONVX_NAME(ct_sp_fill_empty)(const convx_conv_transpose_problem *p,
                                         const ct_sp_axis *ax, const T *bias, T *y, int workers,
                                         convx_cancel *cc)
{
    const cx_idx OD = p->out[0], OH = p->out[1], OW = p->out[2], Pout = OD * OH * OW;
    const cx_idx planes = p->N * p->C_out, every = cx_poll_every((double)Pout);
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(workers)
#endif
    for (cx_idx pl = 0; pl < planes; pl++) {
        if (cx_cancelled_every(cc, pl, every)) continue;
        const T v = bias ? bias[pl % p->C_out] : (T)0;
        T *yp = y + pl * Pout;
        for (cx_idx od = 0; od < OD; od++) {
            const int ed = ax[0].cls[od % ax[0].s] < 0;
            for (cx_idx oh = 0; oh < OH; oh++) {
                T *row = yp + (od * OH + oh) * OW;
                if (ed || ax[1].cls[oh % ax[1].s] < 0) {
                    for (cx_idx ow = 0; ow < OW; ow++) row[ow] = v;
                } else if (ax[2].any_empty) {
                    for (cx_idx rw = 0; rw < ax[2].s && rw < OW; rw++)
                        if (ax[2].cls[rw] < 0)
                            for (cx_idx ow = rw; ow < OW; ow += ax[2].s) row[ow] = v;
                }
            }
        }
    }
}

int CONVX_NAME(ct_subpixel)(const convx_conv_transpose_problem *p, const T *x, const T *w,
                            const T *bias, T *y, int workers, const convx_table *tbl,
                            convx_cancel *cc, int *phase_variant)
{
    ct_sp_axis ax[3];
    for (int a = 0; a < 3; a++)
        if (!ct_sp_axis_plan(&ax[a], p->k[a], p->stride[a], p->pad[a], p->dil[a], p->out[a],
                             p->in[a]))
            return CONVX_DECLINED;
    const cx_idx G = p->groups, Cig = p->C_in / G;
    const cx_idx Pin = p->in[0] * p->in[1] * p->in[2];
    /* a single stride-1 phase that drops nothing is a forward convolution into y itself */
    const int inplace = ax[0].s == 1 && ax[1].s == 1 && ax[2].s == 1 && ax[0].ncls == 1 &&
                        ax[1].ncls == 1 && ax[2].ncls == 1 && ax[0].lead[0] == 0 &&
                        ax[1].lead[0] == 0 && ax[2].lead[0] == 0;
    if (ax[0].any_empty || ax[1].any_empty || ax[2].any_empty)
        CONVX_NAME(ct_sp_fill_empty)(p, ax, bias, y, workers, cc);
    int st = CONVX_OK;
    double best = -1.0;
    cx_idx memd[CT_SUBPIXEL_MAX_STRIDE], memh[CT_SUBPIXEL_MAX_STRIDE];
    cx_idx memw[CT_SUBPIXEL_MAX_STRIDE];
    const cx_idx *mem[3] = {memd, memh, memw};
    int c[3];
    for (c[0] = 0; c[0] < ax[0].ncls && st == CONVX_OK; c[0]++) {
        ct_sp_members(&ax[0], c[0], memd);
        for (c[1] = 0; c[1] < ax[1].ncls && st == CONVX_OK; c[1]++) {
            ct_sp_members(&ax[1], c[1], memh);
            for (c[2] = 0; c[2] < ax[2].ncls && st == CONVX_OK; c[2]++) {
                ct_sp_members(&ax[2], c[2], memw);
                if (cx_cancelled(cc)) break;
                convx_conv_problem q;
                const cx_idx P = ax[0].nmem[c[0]] * ax[1].nmem[c[1]] * ax[2].nmem[c[2]];
                q.C_in = p->C_in; q.C_out = p->C_out * P; q.groups = G;
                for (int a = 0; a < 3; a++) {
                    q.in[a] = p->in[a]; q.k[a] = ax[a].ntap[c[a]]; q.out[a] = ax[a].mout[c[a]];
                    q.stride[a] = 1; q.pad[a] = ax[a].pad[c[a]]; q.dil[a] = ax[a].dd;
                }
                const cx_idx nt = q.k[0] * q.k[1] * q.k[2];
                const cx_idx vol = q.out[0] * q.out[1] * q.out[2];
                cx_idx wn, per_image, nb;
                if (cx_mul_overflow(q.C_out, Cig * nt, &wn) ||
                    cx_mul_overflow(q.C_out, vol, &per_image)) { st = CONVX_ERR_NOMEM; break; }
                nb = inplace ? p->N
                     : CX_MAX((cx_idx)1, CX_MIN(p->N, (cx_idx)(convx_ws_cap_bytes() / 2 /
                                                               sizeof(T)) / per_image));
                size_t wgot = 0, tgot = 0;
                const size_t wbytes = (size_t)(CX_CEILDIV(wn, 16) * 16 + (bias ? q.C_out : 0));
                T *wq = (T *)convx_ws_acquire(wbytes * sizeof(T), &wgot);
                T *tmp = inplace ? NULL : (T *)convx_ws_acquire((size_t)(nb * per_image) *
                                                                sizeof(T), &tgot);
                cx_idx *off = (cx_idx *)malloc((size_t)(P * nt) * sizeof(cx_idx));
                if (!wq || !off || (!inplace && !tmp)) {
                    st = CONVX_ERR_NOMEM;
                } else {
                    T *bq = bias ? wq + CX_CEILDIV(wn, 16) * 16 : NULL;
                    CONVX_NAME(ct_sp_taps)(p, ax, c, mem, off);
                    CONVX_NAME(ct_sp_pack)(p, off, P, nt, w, bias, wq, bq, workers, cc);
                    int v = CONVX_VARIANT_NONE;
                    for (cx_idx n0 = 0; n0 < p->N && st == CONVX_OK; n0 += nb) {
                        if (cx_cancelled(cc)) break;
                        q.N = CX_MIN(nb, p->N - n0);
                        st = CONVX_NAME(ct_sp_conv)(&q, x + n0 * p->C_in * Pin, wq, bq,
                                                    inplace ? y : tmp, workers, tbl, cc, &v);
                        if (st == CONVX_OK && !inplace)
                            CONVX_NAME(ct_sp_interleave)(p, ax, c, mem, tmp, n0, q.N, y,
                                                         workers, cc);
                    }
                    /* the variant of the largest phase convolution is the one reported */
                    const double work = (double)wn * (double)vol;
                    if (st == CONVX_OK && work > best) { best = work; *phase_variant = v; }
                }
                free(off);
                if (tmp) convx_ws_release(tmp, tgot);
                if (wq) convx_ws_release(wq, wgot);
            }
        }
    }
    return st;
}

#undef T
