/* conv/panel_gemm.template.c — im2col panels + convx's GEMM micro-kernel (variant "panel_gemm"),
 * one dtype.
 *
 * Instantiated for f32 and f64 by conv/panel_gemm.c (csrc/instantiate.h); the entry point
 * (csrc/conv.template.c) runs it when convx_conv_select (csrc/conv.c) picks it. 3-D problem
 * (1-D/2-D have leading sizes of 1), NCDHW layouts, front zero padding; blocks are cut from the
 * problem alone and each output's reduction runs in one thread in a fixed order, so results are
 * bit-identical for any `workers`.
 */
#if !defined(CONVX_T) || !defined(CONVX_DT)
#error "conv/panel_gemm.template.c needs CONVX_T and CONVX_DT (include it from conv/panel_gemm.c)"
#endif

#define T CONVX_T
#include "macrokernel.template.h"

/* Reduction rows a panel of `width` columns holds: all of K, unless K x width would pass the
 * workspace cap (a huge window such as a 33^3 kernel over 16 channels, K = 575k); then the
 * largest multiple of gemm_kc that fits. The macro-kernel walks K in gemm_kc chunks itself and
 * later chunks accumulate, so every element's k order is that of one long call. */
static cx_idx CONVX_NAME(panel_rows)(const convx_table *tbl, cx_idx K, cx_idx width)
{
    const cx_idx cap_rows =
        (cx_idx)(convx_ws_cap_bytes() / (size_t)(CX_MAX((cx_idx)1, width) * (cx_idx)sizeof(T)));
    if (K <= cap_rows) return K;
    const cx_idx kc = CX_MAX((cx_idx)1, tbl->gemm_kc);
    return CX_MAX((cx_idx)1, cap_rows >= kc ? cap_rows / kc * kc : cap_rows);
}

/* Team variant of the implicit GEMM for images with few pixels (deep, small-spatial layers):
 * the team builds one shared im2col super-tile [Kb][Pt] (rows split across threads), then runs
 * the GEMM jobs (NR-pixel blocks x output-channel ranges) on it, so no panel is built twice.
 * A reduction longer than the super-tile holds (Kb < K) runs in Kb-row chunks, each job
 * accumulating into its own outputs in ascending k: no output's sum is split across threads. */
static int CONVX_NAME(conv_panel_gemm_team)(const convx_conv_problem *p, const T *x,
                                            const T *w, const T *bias, T *y, int workers,
                                            const convx_table *tbl, convx_cancel *cc)
{
    const cx_idx G = p->groups, Cig = p->C_in / G, Cog = p->C_out / G;
    const cx_idx K = Cig * p->k[0] * p->k[1] * p->k[2];
    const cx_idx P = p->out[0] * p->out[1] * p->out[2];
    const cx_idx MR = CX_GEMM_MR(tbl), NR = CX_GEMM_NR(tbl);
    const cx_idx esz = (cx_idx)sizeof(T);
    cx_idx Pt = tbl->col_tile_bytes / CX_MAX((cx_idx)1, K * esz) / NR * NR;
    Pt = CX_MIN(CX_MAX(Pt, NR), CX_CEILDIV(P, NR) * NR);
    const cx_idx Kb = CONVX_NAME(panel_rows)(tbl, K, Pt);
    const cx_idx npt = CX_CEILDIV(P, Pt);
    const cx_idx mblocks = CX_CEILDIV(Cog, MR);
    size_t got = 0;
    T *col = (T *)convx_ws_acquire((size_t)(Kb * Pt * esz), &got);
    if (!col) return CONVX_ERR_NOMEM;
    const cx_idx nst = p->N * G * npt;
    const cx_idx rc_every = cx_poll_every(8.0 * (double)Pt);
    const cx_idx job_every = cx_poll_every((double)MR * NR * Kb);
#ifdef _OPENMP
#pragma omp parallel num_threads(workers)
#endif
    for (cx_idx st = 0; st < nst; st++) {
        const cx_idx ti = st % npt, g = (st / npt) % G, n = st / (npt * G);
        const cx_idx p0 = ti * Pt, np = CX_MIN(Pt, P - p0);
        const cx_idx nnb = CX_CEILDIV(np, NR);
        const T *Ag = w + g * Cog * K;
        T *Cg = y + (n * p->C_out + g * Cog) * P + p0;
        for (cx_idx k0 = 0; k0 < K; k0 += Kb) {
            const cx_idx kn = CX_MIN(Kb, K - k0);
            const cx_idx nrc = CX_CEILDIV(kn, 8);
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
            for (cx_idx rc = 0; rc < nrc; rc++)
                if (!cx_cancelled_every(cc, rc, rc_every))
                    CONVX_NAME(im2col_rows)(p, x, n, g, p0, np, k0 + rc * 8,
                                            k0 + CX_MIN(kn, rc * 8 + 8), col + rc * 8 * Pt, Pt);
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
            for (cx_idx job = 0; job < nnb * mblocks; job++) {   /* one MR x NR micro-tile */
                if (cx_cancelled_every(cc, job, job_every)) continue;
                const cx_idx js = (job % nnb) * NR, m = (job / nnb) * MR;
                CONVX_NAME(macrokernel)(tbl, CX_MIN(MR, Cog - m), CX_MIN(NR, np - js), kn,
                                        Ag + m * K + k0, K, col + js, Pt, NR, Cg + m * P + js,
                                        P, k0 > 0, bias ? bias + g * Cog + m : NULL);
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
int CONVX_NAME(conv_panel_gemm)(const convx_conv_problem *p, const T *x, const T *w,
                                const T *bias, T *y, int workers, const convx_table *tbl,
                                convx_cancel *cc)
{
    const cx_idx G = p->groups, Cig = p->C_in / G, Cog = p->C_out / G;
    const cx_idx ntaps = p->k[0] * p->k[1] * p->k[2];
    const cx_idx K = Cig * ntaps;
    const cx_idx P = p->out[0] * p->out[1] * p->out[2];
    const cx_idx Pin = p->in[0] * p->in[1] * p->in[2];
    const int pointwise = convx_conv_pointwise(p);
    const cx_idx MR = CX_GEMM_MR(tbl), NR = CX_GEMM_NR(tbl);
    /* a job's pixel block: up to 4 NR-wide panels side by side ([K][Wb], about 512 KiB, in L2)
     * so im2col copies whole output rows; narrower when the team needs more jobs. The width
     * only changes ldb, never an element's arithmetic. */
    cx_idx wmul = CX_MAX((cx_idx)1, CX_MIN((cx_idx)4, (cx_idx)(512 << 10) / CX_MAX((cx_idx)1, K * NR * (cx_idx)sizeof(T))));
    while (wmul > 1 && p->N * G * CX_CEILDIV(P, wmul * NR) < 8 * (cx_idx)workers) wmul--;
    const cx_idx Wb = CX_MIN(wmul * NR, CX_CEILDIV(P, NR) * NR);
    const cx_idx nblk = CX_CEILDIV(P, Wb);
    /* a panel holds Kb reduction rows (K unless that passes the workspace cap) */
    const cx_idx Kb = pointwise ? K : CONVX_NAME(panel_rows)(tbl, K, Wb);
    const cx_idx panel_elems = Kb * Wb;

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
        return CONVX_NAME(conv_panel_gemm_team)(p, x, w, bias, y, workers, tbl, cc);
    /* small jobs poll every few; large ones also between their NR panels */
    const double job_work = (double)Wb * mstep * K;
    const cx_idx job_every = cx_poll_every(job_work);
    convx_cancel *const cc_in = job_work >= 16 * CX_POLL_BLOCK_WORK ? cc : NULL;

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
#pragma omp for schedule(dynamic, 1) nowait
#endif
        for (cx_idx job = 0; job < njobs; job++) {
            if ((!pointwise && !panel) || cx_cancelled_every(cc, job, job_every)) continue;
            cx_idx rest = job;
            const cx_idx ms = rest % msplit; rest /= msplit;
            const cx_idx jb = rest % nblk; rest /= nblk;
            const cx_idx g = rest % G;
            const cx_idx n = rest / G;
            const cx_idx j0 = jb * Wb, nw = CX_MIN(Wb, P - j0);
            const cx_idx m0 = ms * mstep, m1 = CX_MIN(Cog, m0 + mstep);
            const T *Bm;
            cx_idx ldb;
            const T *Ag = w + g * Cog * K;
            T *Cg = y + (n * p->C_out + g * Cog) * P + j0;
            /* reduction chunks [k0, k0 + kn) in ascending order (one chunk unless K x Wb is
             * over the workspace cap), each accumulating into the job's own outputs */
            for (cx_idx k0 = 0; k0 < K; k0 += Kb) {
                const cx_idx kn = CX_MIN(Kb, K - k0);
                if (k0 > 0 && cx_cancelled(cc)) break;
                if (pointwise) {
                    Bm = x + (n * p->C_in + g * Cig) * Pin + j0;
                    ldb = Pin;
                } else {
                    CONVX_NAME(im2col_rows)(p, x, n, g, j0, nw, k0, k0 + kn, panel, Wb);
                    Bm = panel;
                    ldb = Wb;
                }
                /* a job is up to all of Cog x K: large ones poll between their NR panels (the
                 * macro-kernel walks NR panels anyway, so per-panel calls compute the same) */
                const cx_idx step = cc_in ? NR : nw;
                for (cx_idx js = 0; js < nw; js += step) {
                    if (js > 0 && cx_cancelled(cc_in)) break;
                    CONVX_NAME(macrokernel)(tbl, m1 - m0, CX_MIN(step, nw - js), kn,
                                            Ag + m0 * K + k0, K, Bm + js, ldb, NR,
                                            Cg + m0 * P + js, P, k0 > 0,
                                            bias ? bias + g * Cog + m0 : NULL);
                }
            }
        }
        convx_cancel_team_wait(cc);
        if (panel) convx_ws_release(panel, got);
    }
    return fail ? CONVX_ERR_NOMEM : CONVX_OK;
}

#undef T
