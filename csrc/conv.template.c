/* conv.template.c — forward convolution drivers (direct and im2col+GEMM), one dtype.
 *
 * Included twice by conv.c with CONVX_T (float/double) and CONVX_DT (f32/f64) defined; every
 * function here is static or named through CONVX_NAME. Compiled with baseline flags plus OpenMP:
 * ISA-specific work happens only in micro-kernels reached through the dispatch table.
 *
 * The direct algorithm has four variants, picked in convx_conv_* at the end of this file:
 * conv_direct (sliding window; depthwise 3x3 kernels), conv_ocblock (vectors over output
 * channels), conv_igemm (indirect GEMM over a padded copy) and conv_gemm (im2col panels + GEMM
 * micro-kernel); conv_im2col is the OpenBLAS algorithm.
 *
 * All drivers take a 3-D problem (1-D/2-D have leading sizes of 1), NCDHW layouts, zero padding
 * given as front pads (the back pad is implied by the output size). Determinism: blocks are cut
 * from the problem alone, each output element's reduction runs in one thread in a fixed order, so
 * results are bit-identical for any `workers`.
 */
#if !defined(CONVX_T) || !defined(CONVX_DT)
#error "conv.template.c needs CONVX_T and CONVX_DT (include it from conv.c)"
#endif

#define T CONVX_T

/* ------------------------------------------------------------------------------------------ */
/* direct driver                                                                              */
/* ------------------------------------------------------------------------------------------ */

typedef void (*CONVX_CAT(direct_ukernel_t_, CONVX_DT))(cx_idx, cx_idx, cx_idx, cx_idx,
                                                       const cx_idx *, cx_idx, cx_idx, const T *,
                                                       const T *, T *, cx_idx, cx_idx, cx_idx,
                                                       const T *);

static int CONVX_NAME(conv_direct)(const convx_conv_problem *p, const T *x, const T *w,
                                   const T *bias, T *y, int workers, const convx_table *tbl)
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
    const CONVX_CAT(direct_ukernel_t_, CONVX_DT) *uk = tbl->CONVX_CAT(direct_, CONVX_DT);
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
        int kind = rem >= tbl->direct_ocb[0] ? 0 : (rem >= 3 ? 1 : 2);
        cx_idx m = CX_MIN(tbl->direct_ocb[kind], rem);
        blk_oc0[nblk] = oc; blk_m[nblk] = m; blk_kind[nblk] = kind;
        blk_woff[nblk] = wpack_per_group;
        wpack_per_group += Cig * ntaps * tbl->direct_ocb[kind];
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
    for (cx_idx g = 0; g < G; g++) {
        T *dst = wpack + g * wpack_per_group;
        for (cx_idx b = 0; b < nblk; b++) {
            cx_idx ocb = tbl->direct_ocb[blk_kind[b]];
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
        cx_idx max_ihb = tbl->direct_slab_bytes / CX_MAX((cx_idx)1, Cig * KD * rowbytes);
        cx_idx b_slab = max_ihb > (KH - 1) * dh ? (max_ihb - (KH - 1) * dh - 1) / sh + 1 : 1;
        cx_idx b_out = tbl->direct_out_bytes / CX_MAX((cx_idx)1, Cog * OW * (cx_idx)sizeof(T));
        B = CX_MAX((cx_idx)1, CX_MIN(B, CX_MIN(b_slab, b_out)));
        cx_idx outer = p->N * G * OD;
        while (B > 1 && outer * CX_CEILDIV(OH, B) < 4 * (cx_idx)workers) B = CX_CEILDIV(B, 2);
    }
    const cx_idx nb = CX_CEILDIV(OH, B);
    const cx_idx IHb = (B - 1) * sh + (KH - 1) * dh + 1;
    cx_idx cchunk = tbl->direct_slab_bytes / CX_MAX((cx_idx)1, KD * IHb * rowbytes);
    cchunk = CX_MAX((cx_idx)1, CX_MIN(cchunk, Cig));
    cx_idx ch_stride;
    if (cx_mul_overflow(KD * IHb, row_len, &ch_stride)) { status = CONVX_DECLINED; goto cleanup; }
    cx_idx slab_elems, ntask;
    if (cx_mul_overflow(cchunk, ch_stride, &slab_elems)) { status = CONVX_ERR_NOMEM; goto cleanup; }
    if (cx_mul_overflow(p->N * G * OD, nb, &ntask)) { status = CONVX_ERR_NOMEM; goto cleanup; }
    const size_t slab_bytes = (size_t)(slab_elems + ntaps) * sizeof(T) + (size_t)ntaps * sizeof(cx_idx) +
                              (size_t)IHb * sizeof(T *);   /* row pointers of the dwconv path */
#if !CX_T_IS_F64
    /* depthwise 3x3 (stride 1 or 2, dilation 1, same stride on both axes): register-blocked
     * kernel that loads each input row once per 16 outputs */
    const convx_f32_dwconv_ukernel_fn dwk =
        (Cig == 1 && KD == 1 && KH == 3 && KW == 3 && dh == 1 && dw == 1 && sh == sw)
            ? (sh == 1 ? tbl->dwconv3x3s1_f32 : sh == 2 ? tbl->dwconv3x3s2_f32 : NULL) : NULL;
#endif
    /* many tiny tasks (depthwise on small planes): hand them out in chunks */
    const cx_idx task_chunk = CX_MAX((cx_idx)1, ntask / (16 * (cx_idx)workers));

    int fail = 0;
#ifdef _OPENMP
#pragma omp parallel num_threads(workers) reduction(| : fail)
#endif
    {
        size_t got = 0;
        T *slab = (T *)convx_ws_acquire(slab_bytes, &got);
        cx_idx *tap_off = slab ? (cx_idx *)(slab + slab_elems + ntaps) : NULL;
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
#pragma omp for schedule(dynamic, task_chunk)
#endif
        for (cx_idx task = 0; task < ntask; task++) {
            if (!slab) continue;
            cx_idx rest = task;
            const cx_idx bi = rest % nb; rest /= nb;
            const cx_idx od = rest % OD; rest /= OD;
            const cx_idx g = rest % G;
            const cx_idx n = rest / G;
            const cx_idx oh0 = bi * B, oh1 = CX_MIN(OH, oh0 + B), Bt = oh1 - oh0;
            const cx_idx IHt = (Bt - 1) * sh + (KH - 1) * dh + 1;
            T *ytask = y + ((n * p->C_out + g * Cog) * OD + od) * OH * OW + oh0 * OW;
#if !CX_T_IS_F64
            if (dwk) {   /* Cig == KD == 1: the kernel reads the input rows in place, no slab */
                const T **rows = (const T **)(void *)slab;
                const cx_idx id = od * sd - pd;
                const T *xc = x + (n * p->C_in + g) * ID * IH * IW;
                for (cx_idx i = 0; i < IHt; i++) {
                    const cx_idx ih = oh0 * sh - ph + i;
                    rows[i] = (id >= 0 && id < ID && ih >= 0 && ih < IH) ? xc + (id * IH + ih) * IW : NULL;
                }
                for (cx_idx oc = 0; oc < Cog; oc++)
                    dwk(Bt, OW, rows, IW, pw, w + (g * Cog + oc) * 9, bpack[g * Cog + oc],
                        ytask + oc * ysp, OW);
                continue;
            }
#endif
            for (cx_idx c0 = 0; c0 < Cig; c0 += cchunk) {
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
                                  c0 * ntaps * tbl->direct_ocb[blk_kind[b]];
                    /* the first chunk starts from the bias (zeros without one) */
                    const T *bb = c0 ? NULL : bpack + g * Cog + blk_oc0[b];
                    uk[blk_kind[b]](Bt, OW, cn, ntaps, tap_off, ch_stride, sh * row_len, slab,
                                    wb, ytask + blk_oc0[b] * ysp, ysp, OW, blk_m[b], bb);
                }
            }
        }
        if (slab) convx_ws_release(slab, got);
    }
    if (fail) status = CONVX_ERR_NOMEM;
cleanup:
    if (wpack) convx_ws_release(wpack, wpack_got);
    free(blk_oc0);
    free(bpack);
    return status;
}

/* ------------------------------------------------------------------------------------------ */
/* im2col + GEMM driver                                                                       */
/* ------------------------------------------------------------------------------------------ */

static void CONVX_NAME(blas_gemm)(cx_idx M, cx_idx N, cx_idx K, const T *A, cx_idx lda, const T *Bm,
                             cx_idx ldb, T *C, cx_idx ldc)
{
#if CX_T_IS_F64
    scipy_cblas_dgemm(CX_CblasRowMajor, CX_CblasNoTrans, CX_CblasNoTrans, (int)M, (int)N, (int)K,
                      1.0, A, (int)lda, Bm, (int)ldb, 0.0, C, (int)ldc);
#else
    scipy_cblas_sgemm(CX_CblasRowMajor, CX_CblasNoTrans, CX_CblasNoTrans, (int)M, (int)N, (int)K,
                      1.0f, A, (int)lda, Bm, (int)ldb, 0.0f, C, (int)ldc);
#endif
}

/* C[m][j] += bias[m] for an mm x nn block with row stride ldc (no-op without bias). */
static void CONVX_NAME(add_bias)(T *C, cx_idx ldc, cx_idx mm, cx_idx nn, const T *bias)
{
    if (!bias) return;
    for (cx_idx m = 0; m < mm; m++) {
        const T bv = bias[m];
        T *c = C + m * ldc;
        for (cx_idx j = 0; j < nn; j++) c[j] += bv;
    }
}

/* Column rows [r0, r1) of the im2col matrix for output pixels [p0, p0 + np) of image n, group g
 * (see kernels/im2col/im2col.template.h; compiled per ISA so the copies use the widest vectors). */
static void CONVX_NAME(im2col_rows)(const convx_conv_problem *p, const T *x, cx_idx n, cx_idx g,
                                    cx_idx p0, cx_idx np, cx_idx r0, cx_idx r1, T *col, cx_idx ldcol)
{
    const convx_table *tbl = convx_active_table();
    const cx_idx Cig = p->C_in / p->groups;
    tbl->CONVX_CAT(im2col_, CONVX_DT)(x + (n * p->C_in + g * Cig) * p->in[0] * p->in[1] * p->in[2],
                                       p->in, p->k, p->out, p->stride, p->pad, p->dil, p0, np, r0,
                                       r1, col, ldcol);
}

/* What every scheduling mode of the im2col driver shares: the problem, its super-tiles of Pt
 * output pixels, and the fixed GEMM blocks (nbw pixels x mbw channels) cut from them. */
typedef struct {
    const convx_conv_problem *p;
    const T *x, *w, *bias;
    T *y;
    cx_idx G, Cig, Cog, K, P, Pin, Pt, npt, nbw, mbw;
    int pointwise;
} CONVX_CAT(im2col_ctx_, CONVX_DT);
#define ICTX CONVX_CAT(im2col_ctx_, CONVX_DT)

/* super-tile st -> image n, group g, pixels [p0, p0 + np) */
static void CONVX_NAME(im2col_tile)(const ICTX *c, cx_idx st, cx_idx *n, cx_idx *g, cx_idx *p0,
                                    cx_idx *np)
{
    *n = st / (c->npt * c->G);
    *g = (st / c->npt) % c->G;
    *p0 = (st % c->npt) * c->Pt;
    *np = CX_MIN(c->Pt, c->P - *p0);
}

/* The GEMM's B for a tile: the input itself for 1x1 stride-1 convs, else `col` (the caller
 * fills it with the tile's im2col rows, leading dimension np). */
static const T *CONVX_NAME(im2col_b)(const ICTX *c, cx_idx n, cx_idx g, cx_idx p0, cx_idx np,
                                     const T *col, cx_idx *ldb)
{
    if (c->pointwise) {
        *ldb = c->Pin;
        return c->x + (n * c->p->C_in + g * c->Cig) * c->Pin + p0;
    }
    *ldb = np;
    return col;
}

static cx_idx CONVX_NAME(im2col_nblocks)(const ICTX *c, cx_idx np)
{
    return CX_CEILDIV(c->Cog, c->mbw) * CX_CEILDIV(np, c->nbw);
}

/* GEMM block blk of a tile (single-threaded BLAS), then its bias. */
static void CONVX_NAME(im2col_block)(const ICTX *c, cx_idx n, cx_idx g, cx_idx p0, cx_idx np,
                                     const T *Bm, cx_idx ldb, cx_idx blk)
{
    const cx_idx nnb = CX_CEILDIV(np, c->nbw);
    const cx_idx m0 = (blk / nnb) * c->mbw, j0 = (blk % nnb) * c->nbw;
    const cx_idx mm = CX_MIN(c->mbw, c->Cog - m0), nn = CX_MIN(c->nbw, np - j0);
    T *Cb = c->y + (n * c->p->C_out + g * c->Cog) * c->P + p0 + m0 * c->P + j0;
    CONVX_NAME(blas_gemm)(mm, nn, c->K, c->w + (g * c->Cog + m0) * c->K, c->K, Bm + j0, ldb, Cb,
                          c->P);
    CONVX_NAME(add_bias)(Cb, c->P, mm, nn, c->bias ? c->bias + g * c->Cog + m0 : NULL);
}

static int CONVX_NAME(conv_im2col)(const convx_conv_problem *p, const T *x, const T *w,
                                   const T *bias, T *y, int workers, const convx_table *tbl)
{
    ICTX c;
    c.p = p; c.x = x; c.w = w; c.bias = bias; c.y = y;
    c.G = p->groups; c.Cig = p->C_in / c.G; c.Cog = p->C_out / c.G;
    c.K = c.Cig * p->k[0] * p->k[1] * p->k[2];
    c.P = p->out[0] * p->out[1] * p->out[2];
    c.Pin = p->in[0] * p->in[1] * p->in[2];
    c.pointwise = convx_conv_pointwise(p);
    const cx_idx K = c.K, P = c.P;
    const int blas_threads = convx_gemm_blas_threaded();
    if (P > CX_BLAS_INT_MAX || K > CX_BLAS_INT_MAX || c.Cog > CX_BLAS_INT_MAX) return CONVX_ERR_SHAPE;

    /* super-tile of output pixels: im2col columns K x Pt */
    const cx_idx esz = (cx_idx)sizeof(T);
    const cx_idx cap_cols = (cx_idx)convx_ws_cap_bytes() / CX_MAX((cx_idx)1, K * esz);
    if (!c.pointwise && cap_cols < 1) return CONVX_ERR_NOMEM;
    cx_idx Pt = tbl->col_tile_bytes / CX_MAX((cx_idx)1, K * esz);
    Pt = CX_MAX(Pt, tbl->gemm_nb);
    if (Pt < P) Pt = CX_MAX(tbl->gemm_nb, Pt / tbl->gemm_nb * tbl->gemm_nb);
    c.Pt = Pt = CX_MIN(CX_MIN(Pt, P), c.pointwise ? P : cap_cols);
    c.npt = CX_CEILDIV(P, Pt);

    /* GEMM blocks (from the problem only): nb output pixels x mb output channels */
    c.nbw = CX_MIN(tbl->gemm_nb, Pt);
    c.mbw = CX_MIN(tbl->gemm_mb, c.Cog);
    if (CX_CEILDIV(Pt, c.nbw) == 1) {   /* narrow tiles (small images): cut channels finer */
        c.mbw = CX_MAX((cx_idx)16, CX_CEILDIV(CX_CEILDIV(c.Cog, 8), 16) * 16);
        c.mbw = CX_MIN(c.mbw, c.Cog);
    }
    const size_t col_bytes = c.pointwise ? 0 : (size_t)(K * Pt * esz);
    const cx_idx nst = p->N * c.G * c.npt;
    const cx_idx nrc = CX_CEILDIV(K, 8);   /* team im2col: 8-row chunks keep writes apart */

    if (!blas_threads && nst >= 2 * (cx_idx)workers) {
        /* many independent super-tiles (batches, many groups): each thread takes whole tiles
         * with its own column buffer and single-threaded GEMMs, no barriers. The GEMM calls are
         * the same blocks as in the team mode, so the results are too. */
        int fail = 0;
#ifdef _OPENMP
#pragma omp parallel num_threads(workers) reduction(| : fail)
#endif
        {
            size_t got = 0;
            T *cb = c.pointwise ? NULL : (T *)convx_ws_acquire(col_bytes, &got);
            if (!c.pointwise && !cb) fail = 1;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
            for (cx_idx st = 0; st < nst; st++) {
                if (!c.pointwise && !cb) continue;
                cx_idx n, g, p0, np, ldb;
                CONVX_NAME(im2col_tile)(&c, st, &n, &g, &p0, &np);
                if (!c.pointwise) CONVX_NAME(im2col_rows)(p, x, n, g, p0, np, 0, K, cb, np);
                const T *Bm = CONVX_NAME(im2col_b)(&c, n, g, p0, np, cb, &ldb);
                for (cx_idx blk = 0; blk < CONVX_NAME(im2col_nblocks)(&c, np); blk++)
                    CONVX_NAME(im2col_block)(&c, n, g, p0, np, Bm, ldb, blk);
            }
            if (cb) convx_ws_release(cb, got);
        }
        return fail ? CONVX_ERR_NOMEM : CONVX_OK;
    }

    /* the team modes share one column buffer */
    size_t col_got = 0;
    T *col = NULL;
    if (!c.pointwise) {
        col = (T *)convx_ws_acquire(col_bytes, &col_got);
        if (!col) return CONVX_ERR_NOMEM;
    }

    if (blas_threads) {
        /* the alternative policy, kept for measurement: team im2col, then one threaded BLAS call
         * per super-tile from this thread (OpenBLAS splits it over `workers` threads) */
        for (cx_idx st = 0; st < nst; st++) {
            cx_idx n, g, p0, np, ldb;
            CONVX_NAME(im2col_tile)(&c, st, &n, &g, &p0, &np);
            if (!c.pointwise) {
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(workers)
#endif
                for (cx_idx rc = 0; rc < nrc; rc++)
                    CONVX_NAME(im2col_rows)(p, x, n, g, p0, np, rc * 8, CX_MIN(K, rc * 8 + 8),
                                            col + rc * 8 * np, np);
            }
            const T *Bm = CONVX_NAME(im2col_b)(&c, n, g, p0, np, col, &ldb);
            T *Cst = y + (n * p->C_out + g * c.Cog) * P + p0;
            convx_blas_set_threads(workers);
            CONVX_NAME(blas_gemm)(c.Cog, np, K, w + g * c.Cog * K, K, Bm, ldb, Cst, P);
            convx_blas_set_threads(1);
            CONVX_NAME(add_bias)(Cst, P, c.Cog, np, bias ? bias + g * c.Cog : NULL);
        }
        if (col) convx_ws_release(col, col_got);
        return CONVX_OK;
    }

    /* team mode: the team builds each super-tile's columns, then shares its GEMM blocks */
#ifdef _OPENMP
#pragma omp parallel num_threads(workers)
#endif
    for (cx_idx st = 0; st < nst; st++) {
        cx_idx n, g, p0, np, ldb;
        CONVX_NAME(im2col_tile)(&c, st, &n, &g, &p0, &np);
        if (!c.pointwise) {
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
            for (cx_idx rc = 0; rc < nrc; rc++)
                CONVX_NAME(im2col_rows)(p, x, n, g, p0, np, rc * 8, CX_MIN(K, rc * 8 + 8),
                                        col + rc * 8 * np, np);
        }
        const T *Bm = CONVX_NAME(im2col_b)(&c, n, g, p0, np, col, &ldb);
        const cx_idx nblocks = CONVX_NAME(im2col_nblocks)(&c, np);
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
        for (cx_idx blk = 0; blk < nblocks; blk++)
            CONVX_NAME(im2col_block)(&c, n, g, p0, np, Bm, ldb, blk);
    }
    if (col) convx_ws_release(col, col_got);
    return CONVX_OK;
}
#undef ICTX

/* ------------------------------------------------------------------------------------------ */
/* direct, implicit-GEMM variant (dense convolutions)                                         */
/* ------------------------------------------------------------------------------------------ */

/* Team variant of the implicit GEMM for images with few pixels (deep, small-spatial layers):
 * the team builds one shared im2col super-tile [K][Pt] (rows split across threads), then runs
 * the GEMM jobs (NR-pixel blocks x output-channel ranges) on it, so no panel is built twice. */
static int CONVX_NAME(conv_gemm_team)(const convx_conv_problem *p, const T *x, const T *w,
                                      const T *bias, T *y, int workers, const convx_table *tbl)
{
    const cx_idx G = p->groups, Cig = p->C_in / G, Cog = p->C_out / G;
    const cx_idx K = Cig * p->k[0] * p->k[1] * p->k[2];
    const cx_idx P = p->out[0] * p->out[1] * p->out[2];
    const cx_idx MR = CX_GEMM_MR(tbl), NR = CX_GEMM_NR(tbl);
    const CONVX_CAT3(convx_, CONVX_DT, _gemm_ukernel_fn) uk = tbl->CONVX_CAT(gemm_, CONVX_DT);
    const cx_idx kc = CX_MAX((cx_idx)1, tbl->gemm_kc);
    const cx_idx esz = (cx_idx)sizeof(T);
    cx_idx Pt = tbl->col_tile_bytes / CX_MAX((cx_idx)1, K * esz) / NR * NR;
    Pt = CX_MIN(CX_MAX(Pt, NR), CX_CEILDIV(P, NR) * NR);
    if (K * Pt * esz > (cx_idx)convx_ws_cap_bytes()) Pt = NR;
    if (K * Pt * esz > (cx_idx)convx_ws_cap_bytes()) return CONVX_ERR_NOMEM;
    const cx_idx npt = CX_CEILDIV(P, Pt);
    const cx_idx mblocks = CX_CEILDIV(Cog, MR);
    size_t got = 0;
    T *col = (T *)convx_ws_acquire((size_t)(K * Pt * esz), &got);
    if (!col) return CONVX_ERR_NOMEM;
    const cx_idx nst = p->N * G * npt;
#ifdef _OPENMP
#pragma omp parallel num_threads(workers)
#endif
    for (cx_idx st = 0; st < nst; st++) {
        const cx_idx ti = st % npt, g = (st / npt) % G, n = st / (npt * G);
        const cx_idx p0 = ti * Pt, np = CX_MIN(Pt, P - p0);
        const cx_idx nrc = CX_CEILDIV(K, 8);
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
        for (cx_idx rc = 0; rc < nrc; rc++)
            CONVX_NAME(im2col_rows)(p, x, n, g, p0, np, rc * 8, CX_MIN(K, rc * 8 + 8),
                                    col + rc * 8 * Pt, Pt);
        const cx_idx nnb = CX_CEILDIV(np, NR);
        const T *Ag = w + g * Cog * K;
        T *Cg = y + (n * p->C_out + g * Cog) * P + p0;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
        for (cx_idx job = 0; job < nnb * mblocks; job++) {
            const cx_idx js = (job % nnb) * NR, m = (job / nnb) * MR;
            const cx_idx nn = CX_MIN(NR, np - js);
            for (cx_idx k0 = 0; k0 < K; k0 += kc) {
                const cx_idx kn = CX_MIN(kc, K - k0);
                uk(kn, Ag + m * K + k0, K, col + k0 * Pt + js, Pt, Cg + m * P + js, P,
                   CX_MIN(MR, Cog - m), nn, k0 > 0, bias ? bias + g * Cog + m : NULL);
            }
        }
    }
    convx_ws_release(col, got);
    return CONVX_OK;
}

/* out[g][m][pixel] = sum_k w[g][m][k] * col[k][pixel] without materialising the image's im2col:
 * each job packs one K x NR panel of im2col columns (NR output pixels) into a per-thread buffer
 * and runs convx's GEMM micro-kernel over MR-row blocks of the weights, which are read in place.
 * 1x1 stride-1 unpadded convs read the input itself as the panel. Jobs are (image, group, pixel
 * block, output-channel range); a job's shape never changes an element's arithmetic, so results
 * do not depend on `workers`. */
static int CONVX_NAME(conv_gemm)(const convx_conv_problem *p, const T *x, const T *w,
                                 const T *bias, T *y, int workers, const convx_table *tbl)
{
    const cx_idx G = p->groups, Cig = p->C_in / G, Cog = p->C_out / G;
    const cx_idx ntaps = p->k[0] * p->k[1] * p->k[2];
    const cx_idx K = Cig * ntaps;
    const cx_idx P = p->out[0] * p->out[1] * p->out[2];
    const cx_idx Pin = p->in[0] * p->in[1] * p->in[2];
    const int pointwise = convx_conv_pointwise(p);
    const cx_idx MR = CX_GEMM_MR(tbl), NR = CX_GEMM_NR(tbl);
    const CONVX_CAT3(convx_, CONVX_DT, _gemm_ukernel_fn) uk = tbl->CONVX_CAT(gemm_, CONVX_DT);
    const cx_idx kc = CX_MAX((cx_idx)1, tbl->gemm_kc);
    /* a job's pixel block: up to 4 NR-wide panels side by side ([K][Wb], about 512 KiB, in L2)
     * so im2col copies whole output rows; narrower when the team needs more jobs. The width
     * only changes ldb, never an element's arithmetic. */
    cx_idx wmul = CX_MAX((cx_idx)1, CX_MIN((cx_idx)4, (cx_idx)(512 << 10) / CX_MAX((cx_idx)1, K * NR * (cx_idx)sizeof(T))));
    while (wmul > 1 && p->N * G * CX_CEILDIV(P, wmul * NR) < 8 * (cx_idx)workers) wmul--;
    const cx_idx Wb = CX_MIN(wmul * NR, CX_CEILDIV(P, NR) * NR);
    const cx_idx nblk = CX_CEILDIV(P, Wb);
    cx_idx panel_elems;
    if (cx_mul_overflow(K, Wb, &panel_elems)) return CONVX_ERR_NOMEM;
    if (!pointwise && (size_t)panel_elems * sizeof(T) > convx_ws_cap_bytes()) return CONVX_ERR_NOMEM;

    /* split output channels when there are too few pixel blocks to feed the team */
    const cx_idx outer = p->N * G * nblk;
    cx_idx msplit = 1;
    const cx_idx mblocks = CX_CEILDIV(Cog, MR);
    while (outer * msplit < 4 * (cx_idx)workers && msplit * 2 <= mblocks) msplit *= 2;
    const cx_idx mstep = CX_CEILDIV(mblocks, msplit) * MR;
    msplit = CX_CEILDIV(Cog, mstep);
    cx_idx njobs;
    if (cx_mul_overflow(outer, msplit, &njobs)) return CONVX_ERR_NOMEM;

    if (!pointwise && outer < 8 * (cx_idx)workers)
        return CONVX_NAME(conv_gemm_team)(p, x, w, bias, y, workers, tbl);

    int fail = 0;
#ifdef _OPENMP
#pragma omp parallel num_threads(workers) reduction(| : fail)
#endif
    {
        size_t got = 0;
        T *panel = NULL;
        if (!pointwise) {
            panel = (T *)convx_ws_acquire((size_t)panel_elems * sizeof(T), &got);
            if (!panel) fail = 1;
        }
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
        for (cx_idx job = 0; job < njobs; job++) {
            if (!pointwise && !panel) continue;
            cx_idx rest = job;
            const cx_idx ms = rest % msplit; rest /= msplit;
            const cx_idx jb = rest % nblk; rest /= nblk;
            const cx_idx g = rest % G;
            const cx_idx n = rest / G;
            const cx_idx j0 = jb * Wb, nw = CX_MIN(Wb, P - j0);
            const cx_idx m0 = ms * mstep, m1 = CX_MIN(Cog, m0 + mstep);
            const T *Bm;
            cx_idx ldb;
            if (pointwise) {
                Bm = x + (n * p->C_in + g * Cig) * Pin + j0;
                ldb = Pin;
            } else {
                CONVX_NAME(im2col_rows)(p, x, n, g, j0, nw, 0, K, panel, Wb);
                Bm = panel;
                ldb = Wb;
            }
            const T *Ag = w + g * Cog * K;
            T *Cg = y + (n * p->C_out + g * Cog) * P + j0;
            for (cx_idx js = 0; js < nw; js += NR) {
                const cx_idx nn = CX_MIN(NR, nw - js);
                for (cx_idx k0 = 0; k0 < K; k0 += kc) {
                    const cx_idx kn = CX_MIN(kc, K - k0);
                    for (cx_idx m = m0; m < m1; m += MR)
                        uk(kn, Ag + m * K + k0, K, Bm + k0 * ldb + js, ldb, Cg + m * P + js, P,
                           CX_MIN(MR, m1 - m), nn, k0 > 0, bias ? bias + g * Cog + m : NULL);
                }
            }
        }
        if (panel) convx_ws_release(panel, got);
    }
    return fail ? CONVX_ERR_NOMEM : CONVX_OK;
}

/* Geometry of the stride-1 indirect-GEMM variant (conv_igemm below). */
typedef struct {
    cx_idx Cig, Cog, K, P, ID, IH, IW, OD, OH, OW, Dp, Hp, Wp, CS, Q, MR, NR, kc, Wb, nblk;
    cx_idx mstep, msplit, pad_elems;
} CONVX_CAT(igemm_geom_, CONVX_DT);
#define IGEOM CONVX_CAT(igemm_geom_, CONVX_DT)

/* Row `row` (channel, padded depth, padded height) of the group's zero-padded copy. */
static void CONVX_NAME(igemm_pad_row)(const convx_conv_problem *p, const IGEOM *q, const T *xg,
                                      T *xp, cx_idx row)
{
    const cx_idx ci = row / (q->Dp * q->Hp), dz = (row / q->Hp) % q->Dp, hz = row % q->Hp;
    const cx_idx id = dz - p->pad[0], ih = hz - p->pad[1];
    T *dst = xp + row * q->Wp;
    if (id < 0 || id >= q->ID || ih < 0 || ih >= q->IH) {
        for (cx_idx c = 0; c < q->Wp; c++) dst[c] = (T)0;
        return;
    }
    const T *src = xg + (ci * q->ID + id) * q->IH * q->IW + ih * q->IW;
    const cx_idx lo = CX_MIN(p->pad[2], q->Wp), hi = CX_MIN(q->Wp, p->pad[2] + q->IW);
    cx_idx c = 0;
    for (; c < lo; c++) dst[c] = (T)0;
    for (; c < hi; c++) dst[c] = src[c - p->pad[2]];
    for (; c < q->Wp; c++) dst[c] = (T)0;
}

/* One job: padded-grid columns [q0, q0 + Wb) x output channels [m0, m0 + mstep) of a group. */
static void CONVX_NAME(igemm_job)(const convx_conv_problem *p, const IGEOM *q,
                                  const convx_table *tbl, const T *xp, const cx_idx *boff,
                                  const T *Ag, const T *bias_g, T *yg, T *tile, cx_idx job)
{
    const CONVX_CAT3(convx_, CONVX_DT, _igemm_ukernel_fn) uk = tbl->CONVX_CAT(igemm_, CONVX_DT);
    const cx_idx q0 = (job / q->msplit) * q->Wb, m0 = (job % q->msplit) * q->mstep;
    const cx_idx m1 = CX_MIN(q->Cog, m0 + q->mstep), nw = CX_MIN(q->Wb, q->Q - q0);
    const cx_idx NR = q->NR, MR = q->MR, K = q->K;
    for (cx_idx js = 0; js < nw; js += NR) {
        const cx_idx nn = CX_MIN(NR, nw - js);
        for (cx_idx k0 = 0; k0 < K; k0 += q->kc) {
            const cx_idx kn = CX_MIN(q->kc, K - k0);
            for (cx_idx m = m0; m < m1; m += MR)
                uk(kn, Ag + m * K + k0, K, xp + q0 + js, boff + k0, tile + (m - m0) * NR, NR,
                   CX_MIN(MR, m1 - m), nn, k0 > 0, bias_g ? bias_g + m : NULL);
        }
        /* copy the valid columns out: runs of consecutive ow within one (od, oh) */
        for (cx_idx j = 0; j < nn;) {
            const cx_idx qq = q0 + js + j;
            const cx_idx ow = qq % q->Wp, oh = (qq / q->Wp) % q->Hp, od = qq / (q->Wp * q->Hp);
            const cx_idx run = CX_MIN(q->Wp - ow, nn - j);
            if (oh < q->OH && ow < q->OW) {
                const cx_idx len = CX_MIN(run, q->OW - ow);
                const cx_idx dstp = (od * q->OH + oh) * q->OW + ow;
                for (cx_idx m = m0; m < m1; m++) {
                    const T *src = tile + (m - m0) * NR + j;
                    T *dst = yg + m * q->P + dstp;
                    for (cx_idx e = 0; e < len; e++) dst[e] = src[e];
                }
            }
            j += run;
        }
    }
}

/* Stride-1 variant of the implicit GEMM, without im2col: each group's input is copied once into
 * a zero-padded buffer [Cig][Dp][Hp][Wp]; output pixels are numbered on the padded grid,
 * q = (od*Hp + oh)*Wp + ow, so GEMM row k = (ci, kd, kh, kw) of B is that buffer shifted by the
 * tap's offset (the igemm micro-kernel takes one offset per k). Columns with oh >= OH or ow >= OW
 * are computed into a per-thread tile and dropped when the tile is copied out.
 * With many (image, group) pairs each thread takes whole groups (private padded copy, no
 * barriers); otherwise the team shares one group at a time. Jobs are the same blocks either way,
 * so the results are too. Returns CONVX_DECLINED if the padded copy would not fit the workspace
 * cap (the caller then uses conv_gemm). */
static int CONVX_NAME(conv_igemm)(const convx_conv_problem *p, const T *x, const T *w,
                                  const T *bias, T *y, int workers, const convx_table *tbl)
{
    IGEOM q;
    const cx_idx G = p->groups;
    q.Cig = p->C_in / G; q.Cog = p->C_out / G;
    q.ID = p->in[0]; q.IH = p->in[1]; q.IW = p->in[2];
    q.OD = p->out[0]; q.OH = p->out[1]; q.OW = p->out[2];
    const cx_idx KD = p->k[0], KH = p->k[1], KW = p->k[2];
    q.K = q.Cig * KD * KH * KW;
    q.P = q.OD * q.OH * q.OW;
    /* padded extents: everything a valid output reads */
    q.Dp = q.OD + (KD - 1) * p->dil[0]; q.Hp = q.OH + (KH - 1) * p->dil[1];
    q.Wp = q.OW + (KW - 1) * p->dil[2];
    /* padded extents far beyond the input (huge dilation or padding): not worth a copy */
    if (q.Wp > 4 * q.IW + 4096 || q.Hp > 4 * q.IH + 4096 || q.Dp > 4 * q.ID + 4096)
        return CONVX_DECLINED;
    q.CS = q.Dp * q.Hp * q.Wp;
    q.Q = q.OD * q.Hp * q.Wp;
    q.MR = CX_GEMM_MR(tbl); q.NR = CX_GEMM_NR(tbl);
    q.kc = CX_MAX((cx_idx)1, tbl->gemm_kc);
    /* + one padded plane + 2 NR of slack: dropped columns read past the last channel */
    if (cx_mul_overflow(q.Cig, q.CS, &q.pad_elems)) return CONVX_DECLINED;
    q.pad_elems += q.Hp * q.Wp + 2 * q.NR;
    if ((size_t)q.pad_elems * sizeof(T) > convx_ws_cap_bytes()) return CONVX_DECLINED;
    const cx_idx ngroups = p->N * G;
    const int per_thread = ngroups >= 2 * (cx_idx)workers;
    /* job: a block of Wb padded-grid columns (a few NR panels) x an output-channel range */
    cx_idx wmul = 4;
    while (!per_thread && wmul > 1 && CX_CEILDIV(q.Q, wmul * q.NR) < 8 * (cx_idx)workers) wmul--;
    q.Wb = wmul * q.NR;
    q.nblk = CX_CEILDIV(q.Q, q.Wb);
    const cx_idx mblocks = CX_CEILDIV(q.Cog, q.MR);
    q.msplit = 1;
    while (!per_thread && q.nblk * q.msplit < 4 * (cx_idx)workers && q.msplit * 2 <= mblocks)
        q.msplit *= 2;
    q.mstep = CX_CEILDIV(mblocks, q.msplit) * q.MR;
    q.msplit = CX_CEILDIV(q.Cog, q.mstep);
    const cx_idx njobs = q.nblk * q.msplit;
    const size_t tile_bytes = (size_t)(q.mstep * q.NR) * sizeof(T);
    const size_t pad_bytes = (size_t)q.pad_elems * sizeof(T);
    const cx_idx nrows = q.Cig * q.Dp * q.Hp;

    cx_idx *boff = convx_conv_tap_offsets(p, q.Cig, q.CS, q.Hp * q.Wp, q.Wp);
    if (!boff) return CONVX_ERR_NOMEM;
    int fail = 0;
    if (per_thread) {
#ifdef _OPENMP
#pragma omp parallel num_threads(workers) reduction(| : fail)
#endif
        {
            size_t pg = 0, tg = 0;
            T *xp = (T *)convx_ws_acquire(pad_bytes, &pg);
            T *tile = (T *)convx_ws_acquire(tile_bytes, &tg);
            if (!xp || !tile) fail = 1;
            else memset(xp + nrows * q.Wp, 0, (size_t)(q.pad_elems - nrows * q.Wp) * sizeof(T));
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
            for (cx_idx ng = 0; ng < ngroups; ng++) {
                if (!xp || !tile) continue;
                const cx_idx n = ng / G, g = ng % G;
                const T *xg = x + (n * p->C_in + g * q.Cig) * q.ID * q.IH * q.IW;
                for (cx_idx row = 0; row < nrows; row++)
                    CONVX_NAME(igemm_pad_row)(p, &q, xg, xp, row);
                for (cx_idx job = 0; job < njobs; job++)
                    CONVX_NAME(igemm_job)(p, &q, tbl, xp, boff, w + g * q.Cog * q.K,
                                          bias ? bias + g * q.Cog : NULL,
                                          y + (n * p->C_out + g * q.Cog) * q.P, tile, job);
            }
            if (xp) convx_ws_release(xp, pg);
            if (tile) convx_ws_release(tile, tg);
        }
        free(boff);
        return fail ? CONVX_ERR_NOMEM : CONVX_OK;
    }

    size_t pad_got = 0;
    T *xp = (T *)convx_ws_acquire(pad_bytes, &pad_got);
    if (!xp) { free(boff); return CONVX_ERR_NOMEM; }
    memset(xp + nrows * q.Wp, 0, (size_t)(q.pad_elems - nrows * q.Wp) * sizeof(T));
#ifdef _OPENMP
#pragma omp parallel num_threads(workers) reduction(| : fail)
#endif
    {
        size_t tg = 0;
        T *tile = (T *)convx_ws_acquire(tile_bytes, &tg);
        if (!tile) fail = 1;
        for (cx_idx ng = 0; ng < ngroups; ng++) {
            const cx_idx n = ng / G, g = ng % G;
            const T *xg = x + (n * p->C_in + g * q.Cig) * q.ID * q.IH * q.IW;
            /* the padded copy: rows split across the team (the implicit barrier orders it
             * before the jobs, and the jobs' barrier before the next group's copy) */
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
            for (cx_idx row = 0; row < nrows; row++) CONVX_NAME(igemm_pad_row)(p, &q, xg, xp, row);
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
            for (cx_idx job = 0; job < njobs; job++) {
                if (!tile) continue;
                CONVX_NAME(igemm_job)(p, &q, tbl, xp, boff, w + g * q.Cog * q.K,
                                      bias ? bias + g * q.Cog : NULL,
                                      y + (n * p->C_out + g * q.Cog) * q.P, tile, job);
            }
        }
        if (tile) convx_ws_release(tile, tg);
    }
    free(boff);
    convx_ws_release(xp, pad_got);
    return fail ? CONVX_ERR_NOMEM : CONVX_OK;
}
#undef IGEOM

/* ------------------------------------------------------------------------------------------ */
/* output-channel-blocked direct driver (ocblock micro-kernel)                                 */
/* ------------------------------------------------------------------------------------------ */

/* Geometry of conv_ocblock: where a group's (padded) input lives and how work is cut. Work
 * runs per block = (group, run of up to `nimg` images); a block's output pixels are numbered
 * image after image, so pixel tiles run across image ends (no half-empty tile per image). */
typedef struct {
    cx_idx Cig, Cog, K, P, OCB, NP, nob, nimg, tpj, kc;
    cx_idx Dp, Hp, Wp, CS, DS, HS;    /* source extents and strides (padded copy or x itself) */
    int padded;                       /* 1: read a zero-padded copy, 0: read x in place */
    cx_idx img_elems, wblk;           /* padded copy of one image; packed weights + bias per block */
} CONVX_CAT(ocb_geom_, CONVX_DT);
#define OGEOM CONVX_CAT(ocb_geom_, CONVX_DT)

/* Channel `ci` of the group's zero-padded copy [Dp][Hp][Wp] (whole rows: memset / memcpy). */
static void CONVX_NAME(ocb_pad_channel)(const convx_conv_problem *p, const OGEOM *q, const T *xg,
                                        T *xp, cx_idx ci)
{
    const cx_idx ID = p->in[0], IH = p->in[1], IW = p->in[2];
    const cx_idx pd = p->pad[0], ph = p->pad[1], pw = p->pad[2], Wp = q->Wp;
    const cx_idx lo = CX_MIN(pw, Wp), hi = CX_MIN(Wp, pw + IW);
    T *dst = xp + ci * q->CS;
    for (cx_idx dz = 0; dz < q->Dp; dz++) {
        const cx_idx id = dz - pd;
        for (cx_idx hz = 0; hz < q->Hp; hz++, dst += Wp) {
            const cx_idx ih = hz - ph;
            if (id < 0 || id >= ID || ih < 0 || ih >= IH || hi <= lo) {
                memset(dst, 0, (size_t)Wp * sizeof(T));
                continue;
            }
            const T *src = xg + ((ci * ID + id) * IH + ih) * IW;
            if (lo > 0) memset(dst, 0, (size_t)lo * sizeof(T));
            memcpy(dst + lo, src + (lo - pw), (size_t)(hi - lo) * sizeof(T));
            if (hi < Wp) memset(dst + hi, 0, (size_t)(Wp - hi) * sizeof(T));
        }
    }
}

/* Packed weights of block `gb` = (group, output-channel block): [K][OCB] then OCB biases;
 * channels past the group's end are zero (computed, never stored). */
static void CONVX_NAME(ocb_pack)(const OGEOM *q, const convx_table *tbl, const T *w,
                                 const T *bias, T *wp, cx_idx gb)
{
    const cx_idx g = gb / q->nob, oc0 = (gb % q->nob) * q->OCB, OCB = q->OCB, K = q->K;
    const cx_idx m = CX_MIN(OCB, q->Cog - oc0);
    T *dst = wp + gb * q->wblk;
    const T *src = w + (g * q->Cog + oc0) * K;
    const CONVX_CAT3(convx_, CONVX_DT, _transpose_fn) tr = CX_TRANSPOSE(tbl);
    if (tr) {   /* vector transposes, then zeros for the missing channels */
        tr(m, K, src, K, dst, OCB);
        for (cx_idx k = 0; m < OCB && k < K; k++)
            memset(dst + k * OCB + m, 0, (size_t)(OCB - m) * sizeof(T));
    } else {
        /* 16-row strips keep both the reads (rows of w) and the writes in cache */
        for (cx_idx k0 = 0; k0 < K; k0 += 16) {
            const cx_idx k1 = CX_MIN(K, k0 + 16);
            for (cx_idx o = 0; o < OCB; o++) {
                const T *sr = src + o * K;
                for (cx_idx k = k0; k < k1; k++) dst[k * OCB + o] = o < m ? sr[k] : (T)0;
            }
        }
    }
    for (cx_idx o = 0; o < OCB; o++)
        dst[K * OCB + o] = (bias && o < m) ? bias[g * q->Cog + oc0 + o] : (T)0;
}

/* One job of a block (group g, images n0 .. n0 + nimg - 1): output-channel block `ob`, pixel
 * tiles of chunk `ch`. Image i of the block is read at src + i * img_stride (its padded copy,
 * or x itself). The reduction runs in kc-long chunks over all the job's tiles (the weight chunk
 * stays in L1); each tile's sums live in `acc` between chunks, in the same k order as one long
 * call. */
static void CONVX_NAME(ocb_job)(const convx_conv_problem *p, const OGEOM *q,
                                const convx_table *tbl, const T *src, cx_idx img_stride,
                                const cx_idx *koff, const T *wpg, T *y, cx_idx g, cx_idx n0,
                                cx_idx nimg, T *acc, const T **px, cx_idx ob, cx_idx ch)
{
    const CONVX_CAT3(convx_, CONVX_DT, _ocblock_ukernel_fn) uk = tbl->CONVX_CAT(ocblock_, CONVX_DT);
    const cx_idx OCB = q->OCB, NP = q->NP, K = q->K, P = q->P, Q = nimg * P;
    const cx_idx OH = p->out[1], OW = p->out[2];
    const cx_idx ntiles = CX_CEILDIV(Q, NP);
    const cx_idx t0 = ch * q->tpj, t1 = CX_MIN(ntiles, t0 + q->tpj);
    const cx_idx pix0 = t0 * NP, pix1 = CX_MIN(Q, t1 * NP);
    const T *wb = wpg + ob * q->wblk;
    {   /* pixel pointers: tiles are runs of NP output pixels in (image, output) order */
        cx_idx img = pix0 / P, r = pix0 % P;
        cx_idx od = r / (OH * OW), oh = (r / OW) % OH, ow = r % OW;
        for (cx_idx pix = pix0; pix < pix1; pix++) {
            px[pix - pix0] = src + img * img_stride + od * p->stride[0] * q->DS +
                             oh * p->stride[1] * q->HS + ow * p->stride[2];
            if (++ow == OW) {
                ow = 0;
                if (++oh == OH) { oh = 0; if (++od == p->out[0]) { od = 0; img++; } }
            }
        }
    }
    for (cx_idx k0 = 0; k0 < K; k0 += q->kc) {
        const cx_idx kn = CX_MIN(q->kc, K - k0);
        for (cx_idx t = t0; t < t1; t++) {
            const cx_idx n = CX_MIN(NP, Q - t * NP);
            uk(kn, wb + k0 * OCB, px + (t - t0) * NP, koff + k0, n, acc + (t - t0) * NP * OCB,
               k0 > 0, wb + K * OCB);
        }
    }
    /* write out, one run per image: acc is [pixel][channel], y is [channel][pixel] */
    const cx_idx m = CX_MIN(OCB, q->Cog - ob * OCB);
    const CONVX_CAT3(convx_, CONVX_DT, _transpose_fn) tr = CX_TRANSPOSE(tbl);
    for (cx_idx a = pix0; a < pix1;) {
        const cx_idx img = a / P, r = a % P, len = CX_MIN(pix1 - a, P - r);
        T *dst = y + ((n0 + img) * p->C_out + g * q->Cog + ob * OCB) * P + r;
        const T *s = acc + (a - pix0) * OCB;
        if (tr) {
            tr(len, m, s, OCB, dst, P);
        } else {
            for (cx_idx o = 0; o < m; o++)
                for (cx_idx j = 0; j < len; j++) dst[o * P + j] = s[j * OCB + o];
        }
        a += len;
    }
}

/* Block b of conv_ocblock = (group g, images n0 .. n0 + nimg - 1): where its images are read
 * (x itself; ocb_block_pad moves that to a padded copy) and its number of pixel-tile chunks. */
typedef struct {
    cx_idx g, n0, nimg, img_stride, nchunk;
    const T *src;
} CONVX_CAT(ocb_block_, CONVX_DT);
#define OBLK CONVX_CAT(ocb_block_, CONVX_DT)

static OBLK CONVX_NAME(ocb_block)(const convx_conv_problem *p, const OGEOM *q, const T *x,
                                  cx_idx b, cx_idx nbimg)
{
    OBLK k;
    const cx_idx in_vol = p->in[0] * p->in[1] * p->in[2];
    k.g = b / nbimg;
    k.n0 = (b % nbimg) * q->nimg;
    k.nimg = CX_MIN(q->nimg, p->N - k.n0);
    k.src = x + (k.n0 * p->groups + k.g) * q->Cig * in_vol;
    k.img_stride = p->C_in * in_vol;
    k.nchunk = CX_CEILDIV(CX_CEILDIV(k.nimg * q->P, q->NP), q->tpj);
    return k;
}

/* Row r = (image, channel) of the block's padded copy in xp */
static void CONVX_NAME(ocb_block_pad)(const convx_conv_problem *p, const OGEOM *q,
                                      const OBLK *k, T *xp, cx_idx r)
{
    CONVX_NAME(ocb_pad_channel)(p, q, k->src + (r / q->Cig) * k->img_stride,
                                xp + (r / q->Cig) * q->img_elems, r % q->Cig);
}

/* Dense convolution with vectors over output channels: weights are packed once per call into
 * [K][OCB] blocks; every output pixel gets a pointer into the input (a zero-padded copy when the
 * problem pads, else x itself), so tiles hold exactly NP pixels whatever the image width, stride
 * or batch (tiles run across image ends). Suits small images and odd widths, where
 * pixel-vectorised tiles waste lanes. Jobs = (output-channel block, chunk of pixel tiles) of one
 * block (group, run of images), cut from the problem alone; each output's reduction is one
 * fixed-order loop (bit-identical for any `workers`). With many blocks each thread runs whole
 * blocks (private padded copy, no barriers); otherwise the team shares one block at a time.
 * Returns CONVX_DECLINED when a padded image or the packed weights would exceed the workspace
 * cap (the caller then uses another variant). */
static int CONVX_NAME(conv_ocblock)(const convx_conv_problem *p, const T *x, const T *w,
                                    const T *bias, T *y, int workers, const convx_table *tbl)
{
    OGEOM q;
    const cx_idx G = p->groups, N = p->N;
    const cx_idx KD = p->k[0], KH = p->k[1], KW = p->k[2];
    q.Cig = p->C_in / G; q.Cog = p->C_out / G;
    q.K = q.Cig * KD * KH * KW;
    q.P = p->out[0] * p->out[1] * p->out[2];
    q.OCB = CX_OCBLOCK_OC(tbl); q.NP = CX_OCBLOCK_NP(tbl);
    q.nob = CX_CEILDIV(q.Cog, q.OCB);
    q.padded = p->pad[0] != 0 || p->pad[1] != 0 || p->pad[2] != 0;
    if (q.padded) {
        q.Dp = (p->out[0] - 1) * p->stride[0] + (KD - 1) * p->dil[0] + 1;
        q.Hp = (p->out[1] - 1) * p->stride[1] + (KH - 1) * p->dil[1] + 1;
        q.Wp = (p->out[2] - 1) * p->stride[2] + (KW - 1) * p->dil[2] + 1;
        if (q.Wp > 4 * p->in[2] + 4096 || q.Hp > 4 * p->in[1] + 4096 || q.Dp > 4 * p->in[0] + 4096)
            return CONVX_DECLINED;
    } else {
        q.Dp = p->in[0]; q.Hp = p->in[1]; q.Wp = p->in[2];
    }
    q.HS = q.Wp; q.DS = q.Hp * q.Wp; q.CS = q.Dp * q.DS;
    if (cx_mul_overflow(q.Cig, q.CS, &q.img_elems)) return CONVX_DECLINED;
    q.wblk = (q.K + 1) * q.OCB;
    cx_idx wp_elems;
    if (cx_mul_overflow(G * q.nob, q.wblk, &wp_elems)) return CONVX_DECLINED;
    if ((q.padded && (size_t)q.img_elems * sizeof(T) > convx_ws_cap_bytes()) ||
        (size_t)wp_elems * sizeof(T) > convx_ws_cap_bytes())
        return CONVX_DECLINED;
    /* images per block: the padded copies of a block fill at most ~2 MiB (L2 + a bit of L3,
     * read once per output-channel block); without padding x is read in place, all at once */
    q.nimg = q.padded ? CX_MAX((cx_idx)1, CX_MIN(N, ((cx_idx)2 << 20) /
                                                       (q.img_elems * (cx_idx)sizeof(T) + 1)))
                      : N;
    /* reduction chunk: the weight chunk (kc x OCB) fills about half of a 48 KiB L1 */
    q.kc = CX_MAX((cx_idx)16, (cx_idx)(24576 / (q.OCB * (cx_idx)sizeof(T))));
    const cx_idx nbimg = CX_CEILDIV(N, q.nimg), nblocks = G * nbimg;
    const int per_thread = nblocks >= 2 * (cx_idx)workers;
    /* tiles per job: at most 16 (the accumulators stay in L1/L2); fewer when a single block
     * must feed the whole team */
    const cx_idx ntiles_full = CX_CEILDIV(q.nimg * q.P, q.NP);
    q.tpj = CX_MIN((cx_idx)16, ntiles_full);
    while (!per_thread && q.tpj > 1 && q.nob * CX_CEILDIV(ntiles_full, q.tpj) < 4 * (cx_idx)workers)
        q.tpj = CX_CEILDIV(q.tpj, 2);
    const size_t acc_bytes = (size_t)(q.tpj * q.NP * q.OCB) * sizeof(T);
    const size_t px_bytes = (size_t)(q.tpj * q.NP) * sizeof(T *);
    const size_t blk_bytes = (size_t)(q.nimg * q.img_elems) * sizeof(T);

    cx_idx *koff = convx_conv_tap_offsets(p, q.Cig, q.CS, q.DS, q.HS);
    if (!koff) return CONVX_ERR_NOMEM;
    size_t wp_got = 0, xp_got = 0;
    T *wp = (T *)convx_ws_acquire((size_t)wp_elems * sizeof(T), &wp_got);
    T *xp = NULL;
    if (wp && q.padded && !per_thread) xp = (T *)convx_ws_acquire(blk_bytes, &xp_got);
    if (!wp || (q.padded && !per_thread && !xp)) {
        if (wp) convx_ws_release(wp, wp_got);
        free(koff);
        return CONVX_ERR_NOMEM;
    }
    int fail = 0;
#ifdef _OPENMP
#pragma omp parallel num_threads(workers) reduction(| : fail)
#endif
    {
        size_t ag = 0, pg = 0, xg_got = 0;
        T *acc = (T *)convx_ws_acquire(acc_bytes, &ag);
        const T **px = (const T **)convx_ws_acquire(px_bytes, &pg);
        T *xmine = NULL;   /* per-thread padded copy (per_thread mode) */
        if (per_thread && q.padded) xmine = (T *)convx_ws_acquire(blk_bytes, &xg_got);
        const int ok = acc && px && (!per_thread || !q.padded || xmine);
        if (!ok) fail = 1;
        /* the pack's barrier is the first barrier below (fewer team-wide waits) */
#ifdef _OPENMP
#pragma omp for schedule(static) nowait
#endif
        for (cx_idx gb = 0; gb < G * q.nob; gb++) CONVX_NAME(ocb_pack)(&q, tbl, w, bias, wp, gb);
        if (per_thread) {
#ifdef _OPENMP
#pragma omp barrier
#pragma omp for schedule(dynamic, 1)
#endif
            for (cx_idx b = 0; b < nblocks; b++) {
                if (!ok) continue;
                OBLK k = CONVX_NAME(ocb_block)(p, &q, x, b, nbimg);
                if (q.padded) {
                    for (cx_idx r = 0; r < k.nimg * q.Cig; r++)
                        CONVX_NAME(ocb_block_pad)(p, &q, &k, xmine, r);
                    k.src = xmine;
                    k.img_stride = q.img_elems;
                }
                for (cx_idx job = 0; job < q.nob * k.nchunk; job++)
                    CONVX_NAME(ocb_job)(p, &q, tbl, k.src, k.img_stride, koff,
                                        wp + k.g * q.nob * q.wblk, y, k.g, k.n0, k.nimg, acc, px,
                                        job / k.nchunk, job % k.nchunk);
            }
        } else {
            for (cx_idx b = 0; b < nblocks; b++) {
                OBLK k = CONVX_NAME(ocb_block)(p, &q, x, b, nbimg);
                if (q.padded) {
                    /* the implicit barriers order the copy before the jobs, and the jobs
                     * before the next block's copy */
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
                    for (cx_idx r = 0; r < k.nimg * q.Cig; r++)
                        CONVX_NAME(ocb_block_pad)(p, &q, &k, xp, r);
                    k.src = xp;
                    k.img_stride = q.img_elems;
                } else if (b == 0) {
#ifdef _OPENMP
#pragma omp barrier
#endif
                }
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
                for (cx_idx job = 0; job < q.nob * k.nchunk; job++) {
                    if (!ok) continue;
                    CONVX_NAME(ocb_job)(p, &q, tbl, k.src, k.img_stride, koff,
                                        wp + k.g * q.nob * q.wblk, y, k.g, k.n0, k.nimg, acc, px,
                                        job / k.nchunk, job % k.nchunk);
                }
            }
        }
        if (acc) convx_ws_release(acc, ag);
        if (px) convx_ws_release((void *)px, pg);
        if (xmine) convx_ws_release(xmine, xg_got);
    }
    free(koff);
    convx_ws_release(wp, wp_got);
    if (xp) convx_ws_release(xp, xp_got);
    return fail ? CONVX_ERR_NOMEM : CONVX_OK;
}
#undef OBLK
#undef OGEOM

/* ------------------------------------------------------------------------------------------ */

int CONVX_NAME(conv)(const convx_conv_problem *p, const T *x, const T *w, const T *bias, T *y,
                     int algorithm, int workers)
{
    int st = convx_conv_check(p);
    if (st != CONVX_OK) return st;
    workers = cx_team_size(workers,
                           (double)p->N * (double)p->C_out * (double)(p->C_in / p->groups) *
                               (double)(p->k[0] * p->k[1] * p->k[2]) *
                               (double)(p->out[0] * p->out[1] * p->out[2]),
                           131072.0);
    const convx_table *tbl = convx_active_table();
    int order[CONVX_VARIANT_TRIES];
    const int n = convx_conv_select(p, algorithm, CX_T_IS_F64, tbl->isa, order);
    if (n == 0) return CONVX_ERR_ARG;
    /* each variant but the last may decline the problem (CONVX_DECLINED); any other status,
     * errors included, is final */
    for (int i = 0; i < n; i++) {
        switch (order[i]) {
        case CONVX_VARIANT_SLIDING: st = CONVX_NAME(conv_direct)(p, x, w, bias, y, workers, tbl); break;
        case CONVX_VARIANT_OCBLOCK: st = CONVX_NAME(conv_ocblock)(p, x, w, bias, y, workers, tbl); break;
        case CONVX_VARIANT_IGEMM: st = CONVX_NAME(conv_igemm)(p, x, w, bias, y, workers, tbl); break;
        case CONVX_VARIANT_GEMM: st = CONVX_NAME(conv_gemm)(p, x, w, bias, y, workers, tbl); break;
        case CONVX_VARIANT_IM2COL: st = CONVX_NAME(conv_im2col)(p, x, w, bias, y, workers, tbl); break;
        default: return CONVX_ERR_INTERNAL;
        }
        if (st != CONVX_DECLINED) return convx_conv_ran(order[i], st);
    }
    return st;   /* CONVX_DECLINED: the last variant never declines; its message says so */
}

#undef T
