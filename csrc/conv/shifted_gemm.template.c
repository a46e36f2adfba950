/* conv/shifted_gemm.template.c — stride-1 shifted GEMM over a zero-padded copy (variant
 * "shifted_gemm"), one dtype.
 *
 * Instantiated for f32 and f64 by conv/shifted_gemm.c (csrc/instantiate.h); the entry point
 * (csrc/conv.template.c) runs it when convx_conv_select (csrc/conv.c) picks it. 3-D problem
 * (1-D/2-D have leading sizes of 1), NCDHW layouts, front zero padding; blocks are cut from the
 * problem alone and each output's reduction runs in one thread in a fixed order, so results are
 * bit-identical for any `workers`.
 */
#if !defined(CONVX_T) || !defined(CONVX_DT)
#error "conv/shifted_gemm.template.c needs CONVX_T and CONVX_DT (include it from its .c)"
#endif

#define T CONVX_T
#include "macrokernel.template.h"

/* Geometry of the stride-1 shifted-GEMM variant (conv_shifted_gemm below). */
typedef struct {
    cx_idx Cig, Cog, K, P, ID, IH, IW, OD, OH, OW, Dp, Hp, Wp, CS, Q, MR, NR, kc, Wb, nblk;
    cx_idx mstep, msplit, pad_elems;
} CONVX_CAT(shifted_gemm_geom_, CONVX_DT);
#define SGEOM CONVX_CAT(shifted_gemm_geom_, CONVX_DT)

/* Row `row` (channel, padded depth, padded height) of the group's zero-padded copy. */
static void CONVX_NAME(shifted_gemm_pad_row)(const convx_conv_problem *p, const SGEOM *q,
                                             const T *xg, T *xp, cx_idx row)
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
static void CONVX_NAME(shifted_gemm_job)(const convx_conv_problem *p, const SGEOM *q,
                                         const convx_table *tbl, const T *xp, const cx_idx *boff,
                                         const T *Ag, const T *bias_g, T *yg, T *tile, cx_idx job,
                                         convx_cancel *cc)
{
    const cx_idx q0 = (job / q->msplit) * q->Wb, m0 = (job % q->msplit) * q->mstep;
    const cx_idx m1 = CX_MIN(q->Cog, m0 + q->mstep), nw = CX_MIN(q->Wb, q->Q - q0);
    const cx_idx NR = q->NR, K = q->K;
    for (cx_idx js = 0; js < nw; js += NR) {   /* one NR-column panel into the tile */
        if (js > 0 && cx_cancelled(cc)) return;   /* a job is up to all of Cog x K */
        const cx_idx nn = CX_MIN(NR, nw - js);
        CONVX_NAME(macrokernel_shifted)(tbl, m1 - m0, nn, K, Ag + m0 * K, K, xp + q0 + js, boff,
                                        tile, NR, 0, bias_g ? bias_g + m0 : NULL);
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
 * tap's offset (the shifted_gemm micro-kernel takes one offset per k). Columns with oh >= OH or
 * ow >= OW are computed into a per-thread tile and dropped when the tile is copied out.
 * With many (image, group) pairs each thread takes whole groups (private padded copy, no
 * barriers); otherwise the team shares one group at a time. Jobs are the same blocks either way,
 * so the results are too. Returns CONVX_DECLINED if the padded copy would not fit the workspace
 * cap (the caller then uses conv_panel_gemm). */
int CONVX_NAME(conv_shifted_gemm)(const convx_conv_problem *p, const T *x, const T *w,
                                  const T *bias, T *y, int workers, const convx_table *tbl,
                                  convx_cancel *cc)
{
    SGEOM q;
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
    /* pad rows are short; small jobs poll every few, large ones also between NR panels */
    const cx_idx row_every = cx_poll_every((double)q.Wp);
    const double job_work = (double)q.Wb * q.mstep * q.K;
    const cx_idx job_every = cx_poll_every(job_work);
    convx_cancel *const cc_in = job_work >= 16 * CX_POLL_BLOCK_WORK ? cc : NULL;
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
#pragma omp for schedule(dynamic, 1) nowait
#endif
            for (cx_idx ng = 0; ng < ngroups; ng++) {
                if (!xp || !tile || cx_cancelled(cc)) continue;
                const cx_idx n = ng / G, g = ng % G;
                const T *xg = x + (n * p->C_in + g * q.Cig) * q.ID * q.IH * q.IW;
                for (cx_idx row = 0; row < nrows; row++) {
                    if (cx_cancelled_every(cc, row, row_every)) break;
                    CONVX_NAME(shifted_gemm_pad_row)(p, &q, xg, xp, row);
                }
                for (cx_idx job = 0; job < njobs; job++) {
                    if (cx_cancelled_every(cc, job, job_every)) break;
                    CONVX_NAME(shifted_gemm_job)(p, &q, tbl, xp, boff, w + g * q.Cog * q.K,
                                                 bias ? bias + g * q.Cog : NULL,
                                                 y + (n * p->C_out + g * q.Cog) * q.P, tile,
                                                 job, cc_in);
                }
            }
            convx_cancel_team_wait(cc);
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
            for (cx_idx row = 0; row < nrows; row++)
                if (!cx_cancelled_every(cc, row, row_every))
                    CONVX_NAME(shifted_gemm_pad_row)(p, &q, xg, xp, row);
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
            for (cx_idx job = 0; job < njobs; job++) {
                if (!tile || cx_cancelled_every(cc, job, job_every)) continue;
                CONVX_NAME(shifted_gemm_job)(p, &q, tbl, xp, boff, w + g * q.Cog * q.K,
                                             bias ? bias + g * q.Cog : NULL,
                                             y + (n * p->C_out + g * q.Cog) * q.P, tile, job,
                                             cc_in);
            }
        }
        if (tile) convx_ws_release(tile, tg);
    }
    free(boff);
    convx_ws_release(xp, pad_got);
    return fail ? CONVX_ERR_NOMEM : CONVX_OK;
}
#undef SGEOM

#undef T
