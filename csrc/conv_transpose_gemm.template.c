/* conv_transpose_gemm.template.c — transposed convolution drivers (GEMM + col2im), one dtype.
 *
 * Included twice by conv_transpose_gemm.c with CONVX_T (float/double) and CONVX_DT (f32/f64)
 * defined; every function here is static or named through CONVX_NAME (the family's entry,
 * convx_ct_gemm_f32 / _f64, is at the end). Compiled with baseline flags plus
 * OpenMP: ISA-specific work happens only in the GEMM micro-kernel reached through the dispatch
 * table (and in convx_gemm, which uses the same micro-kernel).
 *
 * Formulation, per image n and group g: with At_g[co*ntaps + t][ci] = w[g*Cig + ci][co][t],
 *     col = At_g (M = Cog*ntaps rows) x x_g (Cig rows, one column per input pixel)
 * and col2im scatter-adds col[co*ntaps + t][i] into y[co][i*stride - pad + t*dil] (positions
 * outside the output are dropped). y starts from the bias (or zero), so output cells that no
 * input reaches (output_padding beyond the padding) hold just the bias.
 *
 * Determinism: the input pixels are cut into tiles that depend on the problem only (whole input
 * rows (d, h), or fixed chunks of a row when rows are very long), and each output channel plane
 * is written by one thread at a time, adding tiles in pixel order and, within a tile, in
 * (input row, kd, kh, kw) order. Each col element is one micro-kernel dot product whose
 * arithmetic does not depend on the row/column block it was computed in. So results are
 * bit-identical for any `workers`, and the two drivers below agree bit for bit.
 *  - fused (CONVX_CT_FUSED, public algorithm "direct"): jobs are (image, group, block of output
 *    channels[, tile of rows]); a job computes its own col rows tile by tile into a per-thread
 *    L2-sized buffer and scatters them at once. No barriers; the col tile is consumed while it
 *    is still in L2. When input rows reach disjoint output rows (kernel extent <= stride along
 *    D and H) the jobs are also split by tile. When the batch has fewer input pixels than the
 *    GEMM has rows, the GEMM is transposed instead (ct_fused_t): the input is transposed, the
 *    weights read as panels.
 *  - two-pass (CONVX_CT_TWO_PASS, public algorithm "im2col"; ct_two_pass): per (image, group,
 *    tile) one threaded convx_gemm over all M rows into a shared buffer, then a parallel col2im
 *    over output channels. Both drivers use convx's GEMM micro-kernel (not OpenBLAS).
 * The output fill, scatter and pixel tiling are in conv_transpose_col2im.template.h; the entry
 * point (conv_transpose.template.c) chooses between these drivers and the sub-pixel one.
 *
 * Interrupts (interrupt.h): the call's cancel state `cc` is polled per packing block, per job
 * and, inside a job, per input tile (a job may cover a whole image); the two-pass driver's GEMM
 * polls between its own jobs. A cancelled call skips the rest.
 */
#if !defined(CONVX_T) || !defined(CONVX_DT)
#error "conv_transpose_gemm.template.c needs CONVX_T and CONVX_DT (from conv_transpose_gemm.c)"
#endif

#define T CONVX_T
#include "macrokernel.template.h"
#include "conv_transpose_col2im.template.h"
#define CT_FUSED_ROWS 192   /* target GEMM rows (channels x taps) of one fused job */
#define CT_FUSED_COL_BYTES (256 << 10)  /* per-thread col tile, in L2 */

/* At[g][m][ci] = w[g*Cig + ci][m] (m = co*ntaps + t): the row-major M x Cig A operand. */
static void CONVX_NAME(ct_pack_weights)(const convx_conv_transpose_problem *p, const T *w, T *At,
                                        int workers, convx_cancel *cc)
{
    const cx_idx G = p->groups, Cig = p->C_in / G, Cog = p->C_out / G;
    const cx_idx M = Cog * p->k[0] * p->k[1] * p->k[2];
    const cx_idx mb = CX_CEILDIV(M, 64), nblk = G * mb;
    const cx_idx every = cx_poll_every(64.0 * Cig);
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(workers)
#endif
    for (cx_idx b = 0; b < nblk; b++) {
        if (cx_cancelled_every(cc, b, every)) continue;
        const cx_idx g = b / mb, m0 = (b % mb) * 64, m1 = CX_MIN(M, m0 + 64);
        const T *wg = w + g * Cig * M;
        T *ag = At + g * M * Cig;
        for (cx_idx c0 = 0; c0 < Cig; c0 += 16) {
            const cx_idx c1 = CX_MIN(Cig, c0 + 16);
            for (cx_idx m = m0; m < m1; m++)
                for (cx_idx ci = c0; ci < c1; ci++) ag[m * Cig + ci] = wg[ci * M + m];
        }
    }
}

static int CONVX_NAME(ct_fused)(const convx_conv_transpose_problem *p, const T *x, const T *At,
                                const T *bias, T *y, int workers, const convx_table *tbl,
                                convx_cancel *cc)
{
    const cx_idx G = p->groups, Cig = p->C_in / G, Cog = p->C_out / G;
    const cx_idx ntaps = p->k[0] * p->k[1] * p->k[2];
    const cx_idx M = Cog * ntaps;
    const cx_idx Pin = p->in[0] * p->in[1] * p->in[2];
    const cx_idx Pout = p->out[0] * p->out[1] * p->out[2];
    const cx_idx NR = CX_GEMM_NR(tbl);

    /* output channels per job: about CT_FUSED_ROWS GEMM rows, fewer when the team needs jobs
     * (the block size only groups rows; it never changes an element's arithmetic) */
    cx_idx cb = CX_MIN(Cog, CX_MAX((cx_idx)1, CX_CEILDIV(CT_FUSED_ROWS, ntaps)));
    /* tiles of whole rows, fixed by the problem (cb only sizes them) */
    const CONVX_CAT(ct_tiling_, CONVX_DT) tl =
        CONVX_NAME(ct_tiling)(p, cb * ntaps, CT_FUSED_COL_BYTES);
    /* when input rows (d, h) reach disjoint output rows (kernel extent <= stride along D and
     * H, e.g. U-Net's 2x2 s2), a tile of rows owns its output rows: jobs are then also split by
     * tile, so the input is read once per channel block instead of once per job */
    const int banded = tl.rows_per_tile > 0 && (p->k[0] - 1) * p->dil[0] < p->stride[0] &&
                       (p->k[1] - 1) * p->dil[1] < p->stride[1];
    const cx_idx nband = banded ? tl.ntiles : 1;
    while (cb > 1 && p->N * G * CX_CEILDIV(Cog, cb) * nband < 4 * (cx_idx)workers)
        cb = CX_CEILDIV(cb, 2);
    const cx_idx ncb = CX_CEILDIV(Cog, cb);
    cx_idx col_elems, pack_elems, njobs;
    if (cx_mul_overflow(cb * ntaps, tl.width, &col_elems)) return CONVX_ERR_NOMEM;
    if (cx_mul_overflow(CX_CEILDIV(tl.width, NR) * NR, Cig, &pack_elems)) return CONVX_ERR_NOMEM;
    if (cx_mul_overflow(p->N * G * ncb, nband, &njobs)) return CONVX_ERR_NOMEM;
    col_elems = CX_CEILDIV(col_elems, 16) * 16;
    (void)M;
    const cx_idx tile_every = cx_poll_every((double)cb * ntaps * Cig * tl.width);

    int fail = 0;
#ifdef _OPENMP
#pragma omp parallel num_threads(workers) reduction(| : fail)
#endif
    {
        size_t got = 0;
        T *col = (T *)convx_ws_acquire((size_t)(col_elems + pack_elems) * sizeof(T), &got);
        T *bp = col ? col + col_elems : NULL;   /* col_elems is a multiple of 16: 64-byte aligned */
        CX_ASSERT_ALIGNED(bp, 64);
        if (!col) fail = 1;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1) nowait
#endif
        for (cx_idx job = 0; job < njobs; job++) {
            if (!col || cx_cancelled(cc)) continue;
            const cx_idx band = job % nband, rest = job / nband;
            const cx_idx cbi = rest % ncb, g = (rest / ncb) % G, n = rest / (ncb * G);
            const cx_idx co0 = cbi * cb, co1 = CX_MIN(Cog, co0 + cb);
            const cx_idx mj = (co1 - co0) * ntaps;
            T *yj = y + (n * p->C_out + g * Cog + co0) * Pout;
            const cx_idx nrows = p->in[0] * p->in[1];
            for (cx_idx co = co0; co < co1; co++) {
                const T v = bias ? bias[g * Cog + co] : (T)0;
                if (banded)
                    CONVX_NAME(ct_fill_rows)(p, yj + (co - co0) * Pout, v,
                                             band * tl.rows_per_tile,
                                             CX_MIN(nrows, (band + 1) * tl.rows_per_tile));
                else
                    CONVX_NAME(ct_fill)(yj + (co - co0) * Pout, Pout, v);
            }
            const T *A = At + (g * Cog + co0) * ntaps * Cig;
            const T *B = x + (n * p->C_in + g * Cig) * Pin;
            const cx_idx t0 = banded ? band : 0, t1 = banded ? band + 1 : tl.ntiles;
            for (cx_idx ti = t0; ti < t1; ti++) {
                if (ti > t0 && cx_cancelled_every(cc, ti, tile_every)) break;
                cx_idx p0, np;
                CONVX_NAME(ct_tile)(p, &tl, ti, &p0, &np);
                /* the tile's input columns as NR-wide panels [jb][ci][NR]: input rows are Pin
                 * apart (cache-set conflicts for many sizes), the panels contiguous */
                for (cx_idx js = 0; js < np; js += NR) {
                    const cx_idx nc = CX_MIN(NR, np - js);
                    T *dst = bp + (js / NR) * Cig * NR;
                    for (cx_idx ci = 0; ci < Cig; ci++) {
                        const T *src = B + ci * Pin + p0 + js;
                        T *d = dst + ci * NR;
                        cx_idx e = 0;
                        for (; e < nc; e++) d[e] = src[e];
                        for (; e < NR; e++) d[e] = (T)0;
                    }
                }
                CONVX_NAME(macrokernel)(tbl, mj, np, Cig, A, Cig, bp, NR, Cig * NR, col,
                                        tl.width, 0, NULL);
                for (cx_idx co = co0; co < co1; co++)
                    CONVX_NAME(ct_scatter)(p, col + (co - co0) * ntaps * tl.width, tl.width, 1,
                                           p0, np, yj + (co - co0) * Pout);
            }
        }
        convx_cancel_team_wait(cc);
        if (col) convx_ws_release(col, got);
    }
    return fail ? CONVX_ERR_NOMEM : CONVX_OK;
}

/* XT[n][g][pix][ci] = x[n][g*Cig + ci][pix]: the pixel-major A operand of the transposed GEMM. */
static void CONVX_NAME(ct_pack_input)(const convx_conv_transpose_problem *p, const T *x, T *XT,
                                      int workers, convx_cancel *cc)
{
    const cx_idx G = p->groups, Cig = p->C_in / G;
    const cx_idx Pin = p->in[0] * p->in[1] * p->in[2];
    const cx_idx pb = CX_CEILDIV(Pin, 64), nblk = p->N * G * pb;
    const cx_idx every = cx_poll_every(64.0 * Cig);
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(workers)
#endif
    for (cx_idx b = 0; b < nblk; b++) {
        if (cx_cancelled_every(cc, b, every)) continue;
        const cx_idx ng = b / pb, q0 = (b % pb) * 64, q1 = CX_MIN(Pin, q0 + 64);
        const T *xs = x + ng * Cig * Pin;
        T *xt = XT + ng * Pin * Cig;
        for (cx_idx c0 = 0; c0 < Cig; c0 += 16) {
            const cx_idx c1 = CX_MIN(Cig, c0 + 16);
            for (cx_idx q = q0; q < q1; q++)
                for (cx_idx ci = c0; ci < c1; ci++) xt[q * Cig + ci] = xs[ci * Pin + q];
        }
    }
}

/* The fused driver with the GEMM transposed, for few input pixels and many (channel, tap) rows
 * (deep, small-spatial layers): colT[pixel][co*ntaps + t] = XT x w_g. Only the small input is
 * transposed; the weights are the B operand, copied once per job into contiguous NR-wide panels
 * (a full weight transpose would cost more than the GEMM here). Jobs are (group, block of
 * output channels) and loop over the images, so each job packs its panels once for the whole
 * batch; tiles as in ct_fused. */
static int CONVX_NAME(ct_fused_t)(const convx_conv_transpose_problem *p, const T *XT, const T *w,
                                  const T *bias, T *y, int workers, const convx_table *tbl,
                                  convx_cancel *cc)
{
    const cx_idx G = p->groups, Cig = p->C_in / G, Cog = p->C_out / G;
    const cx_idx ntaps = p->k[0] * p->k[1] * p->k[2];
    const cx_idx M = Cog * ntaps;
    const cx_idx Pin = p->in[0] * p->in[1] * p->in[2];
    const cx_idx Pout = p->out[0] * p->out[1] * p->out[2];
    const cx_idx NR = CX_GEMM_NR(tbl);

    cx_idx cb = CX_MIN(Cog, CX_MAX((cx_idx)1, CX_CEILDIV(CT_FUSED_ROWS, ntaps)));
    /* shrink in steps of q channels (q*ntaps is a multiple of NR: no part-empty column
     * blocks) while possible, then halve, until the team has enough jobs */
    cx_idx q = NR;
    for (cx_idx a = ntaps, b = NR; b;) { const cx_idx r = a % b; a = b; b = r; q = NR / a; }
    while (cb > 1 && G * CX_CEILDIV(Cog, cb) < 4 * (cx_idx)workers)
        cb = cb > q ? (cb - 1) / q * q : CX_CEILDIV(cb, 2);
    const cx_idx ncb = CX_CEILDIV(Cog, cb);
    const cx_idx ldc = cb * ntaps;
    const cx_idx npanel = CX_CEILDIV(ldc, NR);
    /* packed panels pay off once each is reused by enough pixel rows; for a handful of pixels
     * (DCGAN's 4x4 and 8x8 inputs) the weights are streamed once, in place */
    const int pack = p->N * Pin > 64;
    const CONVX_CAT(ct_tiling_, CONVX_DT) tl = CONVX_NAME(ct_tiling)(p, ldc, CT_FUSED_COL_BYTES);
    cx_idx col_elems, pack_elems, njobs;
    if (cx_mul_overflow(ldc, tl.width, &col_elems)) return CONVX_ERR_NOMEM;
    if (cx_mul_overflow(npanel * NR, Cig, &pack_elems)) return CONVX_ERR_NOMEM;
    if (cx_mul_overflow(G, ncb, &njobs)) return CONVX_ERR_NOMEM;
    col_elems = CX_CEILDIV(col_elems, 16) * 16;
    const cx_idx tile_every = cx_poll_every((double)ldc * Cig * tl.width);

    int fail = 0;
#ifdef _OPENMP
#pragma omp parallel num_threads(workers) reduction(| : fail)
#endif
    {
        size_t got = 0;
        T *col = (T *)convx_ws_acquire((size_t)(col_elems + pack_elems) * sizeof(T), &got);
        T *bp = col ? col + col_elems : NULL;   /* col_elems is a multiple of 16: 64-byte aligned */
        CX_ASSERT_ALIGNED(bp, 64);
        if (!col) fail = 1;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1) nowait
#endif
        for (cx_idx job = 0; job < njobs; job++) {
            if (!col || cx_cancelled(cc)) continue;
            const cx_idx cbi = job % ncb, g = job / ncb;
            const cx_idx co0 = cbi * cb, co1 = CX_MIN(Cog, co0 + cb);
            const cx_idx mj = (co1 - co0) * ntaps;
            if (pack) {   /* the job's weight columns as NR-wide panels [jb][ci][NR]: the
                 * weight rows are M apart (often a power of two: cache-set conflicts) */
                const T *wsrc = w + g * Cig * M + co0 * ntaps;
                for (cx_idx jb = 0; jb * NR < mj; jb++) {
                    const cx_idx c0 = jb * NR, nc = CX_MIN(NR, mj - c0);
                    T *dst = bp + jb * Cig * NR;
                    for (cx_idx ci = 0; ci < Cig; ci++) {
                        const T *src = wsrc + ci * M + c0;
                        T *d = dst + ci * NR;
                        cx_idx e = 0;
                        for (; e < nc; e++) d[e] = src[e];
                        for (; e < NR; e++) d[e] = (T)0;
                    }
                }
            }
            /* images inside the job: the packed weight panels serve the whole batch */
            for (cx_idx n = 0; n < p->N; n++) {
                if (cx_stopped(cc)) break;
                T *yj = y + (n * p->C_out + g * Cog + co0) * Pout;
                for (cx_idx co = co0; co < co1; co++)
                    CONVX_NAME(ct_fill)(yj + (co - co0) * Pout, Pout,
                                        bias ? bias[g * Cog + co] : (T)0);
                const T *A = XT + (n * G + g) * Pin * Cig;
                for (cx_idx ti = 0; ti < tl.ntiles; ti++) {
                    if (cx_cancelled_every(cc, ti, tile_every)) break;   /* a job: the batch */
                    cx_idx p0, np;
                    CONVX_NAME(ct_tile)(p, &tl, ti, &p0, &np);
                    /* rows are the tile's pixels, columns its (channel, tap) pairs */
                    CONVX_NAME(macrokernel)(tbl, np, mj, Cig, A + p0 * Cig, Cig,
                                            pack ? bp : w + g * Cig * M + co0 * ntaps,
                                            pack ? NR : M, pack ? Cig * NR : NR, col, ldc, 0,
                                            NULL);
                    for (cx_idx co = co0; co < co1; co++)
                        CONVX_NAME(ct_scatter)(p, col + (co - co0) * ntaps, 1, ldc, p0, np,
                                               yj + (co - co0) * Pout);
                }
            }
        }
        convx_cancel_team_wait(cc);
        if (col) convx_ws_release(col, got);
    }
    return fail ? CONVX_ERR_NOMEM : CONVX_OK;
}

static int CONVX_NAME(ct_two_pass)(const convx_conv_transpose_problem *p, const T *x, const T *At,
                                   const T *bias, T *y, int workers, const convx_table *tbl,
                                   convx_cancel *cc)
{
    const cx_idx G = p->groups, Cig = p->C_in / G, Cog = p->C_out / G;
    const cx_idx ntaps = p->k[0] * p->k[1] * p->k[2];
    const cx_idx M = Cog * ntaps;
    const cx_idx Pin = p->in[0] * p->in[1] * p->in[2];
    const cx_idx Pout = p->out[0] * p->out[1] * p->out[2];
    const CONVX_CAT(ct_tiling_, CONVX_DT) tl = CONVX_NAME(ct_tiling)(p, M, tbl->col_tile_bytes);
    cx_idx col_elems;
    if (cx_mul_overflow(M, tl.width, &col_elems)) return CONVX_ERR_NOMEM;
    size_t got = 0;
    T *col = (T *)convx_ws_acquire((size_t)col_elems * sizeof(T), &got);
    if (!col) return CONVX_ERR_NOMEM;
    const cx_idx nplanes = p->N * p->C_out;
    const cx_idx fill_every = cx_poll_every((double)Pout);
    const cx_idx co_every = cx_poll_every((double)ntaps * tl.width);
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(workers)
#endif
    for (cx_idx pl = 0; pl < nplanes; pl++)
        if (!cx_cancelled_every(cc, pl, fill_every))
            CONVX_NAME(ct_fill)(y + pl * Pout, Pout, bias ? bias[pl % p->C_out] : (T)0);
    int status = CONVX_OK;
    for (cx_idx n = 0; n < p->N && status == CONVX_OK; n++)
        for (cx_idx g = 0; g < G && status == CONVX_OK; g++) {
            const T *B = x + (n * p->C_in + g * Cig) * Pin;
            T *yg = y + (n * p->C_out + g * Cog) * Pout;
            for (cx_idx ti = 0; ti < tl.ntiles; ti++) {
                if (cx_cancelled(cc)) break;
                cx_idx p0, np;
                CONVX_NAME(ct_tile)(p, &tl, ti, &p0, &np);
                status = CONVX_NAME(gemm_cx)(M, np, Cig, At + g * M * Cig, Cig, B + p0, Pin, col,
                                             tl.width, NULL, 0, workers, cc);
                if (status != CONVX_OK) break;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(workers)
#endif
                for (cx_idx co = 0; co < Cog; co++)
                    if (!cx_cancelled_every(cc, co, co_every))
                        CONVX_NAME(ct_scatter)(p, col + co * ntaps * tl.width, tl.width, 1, p0,
                                               np, yg + co * Pout);
            }
        }
    convx_ws_release(col, got);
    return status;
}

/* The GEMM + col2im family: algorithm CONVX_CT_FUSED (fused, or fused_t when the batch has fewer
 * input pixels than the GEMM has rows: transposing the input is then cheaper than repacking
 * the weights; chosen from the problem only, never from `workers`) or CONVX_CT_TWO_PASS.
 * Stores the variant that ran in *variant. */
int CONVX_NAME(ct_gemm)(const convx_conv_transpose_problem *p, const T *x, const T *w,
                        const T *bias, T *y, int algorithm, int workers, const convx_table *tbl,
                        convx_cancel *cc, int *variant)
{
    const cx_idx Pin = p->in[0] * p->in[1] * p->in[2];
    const cx_idx M = (p->C_out / p->groups) * p->k[0] * p->k[1] * p->k[2];
    int st;
    if (algorithm == CONVX_CT_FUSED && p->N * Pin < M) {
        size_t xgot = 0;
        T *XT = (T *)convx_ws_acquire((size_t)(p->N * p->C_in * Pin) * sizeof(T), &xgot);
        if (!XT) return CONVX_ERR_NOMEM;
        CONVX_NAME(ct_pack_input)(p, x, XT, workers, cc);
        st = CONVX_NAME(ct_fused_t)(p, XT, w, bias, y, workers, tbl, cc);
        convx_ws_release(XT, xgot);
        *variant = CONVX_CT_VARIANT_FUSED_T;
        return st;
    }
    cx_idx wn = p->C_in * M;
    size_t got = 0;
    T *At = (T *)convx_ws_acquire((size_t)wn * sizeof(T), &got);
    if (!At) return CONVX_ERR_NOMEM;
    CONVX_NAME(ct_pack_weights)(p, w, At, workers, cc);
    if (algorithm == CONVX_CT_FUSED) {
        st = CONVX_NAME(ct_fused)(p, x, At, bias, y, workers, tbl, cc);
        *variant = CONVX_CT_VARIANT_FUSED;
    } else {
        st = CONVX_NAME(ct_two_pass)(p, x, At, bias, y, workers, tbl, cc);
        *variant = CONVX_CT_VARIANT_TWO_PASS;
    }
    convx_ws_release(At, got);
    return st;
}

#undef T
#undef CT_ROW_CHUNK
#undef CT_FUSED_ROWS
#undef CT_FUSED_COL_BYTES
