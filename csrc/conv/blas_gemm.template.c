/* conv/blas_gemm.template.c — im2col super-tiles + OpenBLAS GEMM (variant "blas_gemm",
 * algorithm="im2col"), one dtype.
 *
 * Instantiated for f32 and f64 by conv/blas_gemm.c (csrc/instantiate.h); the entry point
 * (csrc/conv.template.c) runs it when convx_conv_select (csrc/conv.c) picks it. 3-D problem
 * (1-D/2-D have leading sizes of 1), NCDHW layouts, front zero padding; blocks are cut from the
 * problem alone and each output's reduction runs in one thread in a fixed order, so results are
 * bit-identical for any `workers`.
 */
#if !defined(CONVX_T) || !defined(CONVX_DT)
#error "conv/blas_gemm.template.c needs CONVX_T and CONVX_DT (include it from conv/blas_gemm.c)"
#endif

#define T CONVX_T

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

/* What every scheduling mode of the blas_gemm driver shares: the problem, its super-tiles of Pt
 * output pixels, and the fixed GEMM blocks (nbw pixels x mbw channels) cut from them. */
typedef struct {
    const convx_conv_problem *p;
    const T *x, *w, *bias;
    T *y;
    cx_idx G, Cig, Cog, K, P, Pin, Pt, npt, nbw, mbw;
    int pointwise;
} CONVX_CAT(blas_ctx_, CONVX_DT);
#define BCTX CONVX_CAT(blas_ctx_, CONVX_DT)

/* super-tile st -> image n, group g, pixels [p0, p0 + np) */
static void CONVX_NAME(blas_tile)(const BCTX *c, cx_idx st, cx_idx *n, cx_idx *g, cx_idx *p0,
                                  cx_idx *np)
{
    *n = st / (c->npt * c->G);
    *g = (st / c->npt) % c->G;
    *p0 = (st % c->npt) * c->Pt;
    *np = CX_MIN(c->Pt, c->P - *p0);
}

/* The GEMM's B for a tile: the input itself for 1x1 stride-1 convs, else `col` (the caller
 * fills it with the tile's im2col rows, leading dimension np). */
static const T *CONVX_NAME(blas_b)(const BCTX *c, cx_idx n, cx_idx g, cx_idx p0, cx_idx np,
                                   const T *col, cx_idx *ldb)
{
    if (c->pointwise) {
        *ldb = c->Pin;
        return c->x + (n * c->p->C_in + g * c->Cig) * c->Pin + p0;
    }
    *ldb = np;
    return col;
}

static cx_idx CONVX_NAME(blas_nblocks)(const BCTX *c, cx_idx np)
{
    return CX_CEILDIV(c->Cog, c->mbw) * CX_CEILDIV(np, c->nbw);
}

/* GEMM block blk of a tile (single-threaded BLAS), then its bias. */
static void CONVX_NAME(blas_block)(const BCTX *c, cx_idx n, cx_idx g, cx_idx p0, cx_idx np,
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

int CONVX_NAME(conv_blas_gemm)(const convx_conv_problem *p, const T *x, const T *w,
                               const T *bias, T *y, int workers, const convx_table *tbl,
                               convx_cancel *cc)
{
    BCTX c;
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
    const cx_idx blk_every = cx_poll_every((double)c.mbw * c.nbw * K);

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
#pragma omp for schedule(dynamic, 1) nowait
#endif
            for (cx_idx st = 0; st < nst; st++) {
                if ((!c.pointwise && !cb) || cx_cancelled(cc)) continue;
                cx_idx n, g, p0, np, ldb;
                CONVX_NAME(blas_tile)(&c, st, &n, &g, &p0, &np);
                if (!c.pointwise) CONVX_NAME(im2col_rows)(p, x, n, g, p0, np, 0, K, cb, np);
                const T *Bm = CONVX_NAME(blas_b)(&c, n, g, p0, np, cb, &ldb);
                for (cx_idx blk = 0; blk < CONVX_NAME(blas_nblocks)(&c, np); blk++) {
                    if (cx_cancelled_every(cc, blk, blk_every)) break;
                    CONVX_NAME(blas_block)(&c, n, g, p0, np, Bm, ldb, blk);
                }
            }
            convx_cancel_team_wait(cc);
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
            if (cx_cancelled(cc)) break;   /* one threaded BLAS call per super-tile: the block */
            cx_idx n, g, p0, np, ldb;
            CONVX_NAME(blas_tile)(&c, st, &n, &g, &p0, &np);
            if (!c.pointwise) {
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(workers)
#endif
                for (cx_idx rc = 0; rc < nrc; rc++)
                    CONVX_NAME(im2col_rows)(p, x, n, g, p0, np, rc * 8, CX_MIN(K, rc * 8 + 8),
                                            col + rc * 8 * np, np);
            }
            const T *Bm = CONVX_NAME(blas_b)(&c, n, g, p0, np, col, &ldb);
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
        CONVX_NAME(blas_tile)(&c, st, &n, &g, &p0, &np);
        if (!c.pointwise) {
            const cx_idx rc_every = cx_poll_every(8.0 * (double)np);
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
            for (cx_idx rc = 0; rc < nrc; rc++)
                if (!cx_cancelled_every(cc, rc, rc_every))
                    CONVX_NAME(im2col_rows)(p, x, n, g, p0, np, rc * 8, CX_MIN(K, rc * 8 + 8),
                                            col + rc * 8 * np, np);
        }
        const T *Bm = CONVX_NAME(blas_b)(&c, n, g, p0, np, col, &ldb);
        const cx_idx nblocks = CONVX_NAME(blas_nblocks)(&c, np);
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
        for (cx_idx blk = 0; blk < nblocks; blk++)
            if (!cx_cancelled_every(cc, blk, blk_every)) CONVX_NAME(blas_block)(&c, n, g, p0, np, Bm, ldb, blk);
    }
    if (col) convx_ws_release(col, col_got);
    return CONVX_OK;
}
#undef BCTX

#undef T
