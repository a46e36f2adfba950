/* deform.template.c — deformable 2-D convolution driver (torchvision semantics), one dtype.
 *
 * Included twice by deform.c with CONVX_T (float/double), CONVX_DT (f32/f64) and CX_T_IS_F64.
 *
 * Lowering: out[n][g] = w[g] (Cout/G x K) * col[g] (K x P) + bias, K = Cin/G * kh * kw, where
 * col[c*taps + t][p] = mask(og(c), t, p) * bilinear(x[n][c], y(og(c), t, p), x(og(c), t, p))
 * is a deformable im2col, built a bounded tile of output pixels at a time. For each tile:
 *   1. the sampling table: for every (offset group, tap, pixel) four corner indices and four
 *      corner weights with the mask folded in and out-of-image corners zeroed — these depend
 *      on the offset group, never on the channel, so they are computed once per tile and reused
 *      for every channel of the offset group (the main cost saving);
 *   2. the gather of all Cin*taps rows of col for the tile;
 *   3. the GEMM with the active ISA's micro-kernel reading col in place (MR x NR blocks, K in
 *      gemm_kc chunks), called from inside our own OpenMP region.
 * Two schedules: with many tiles each thread owns a small panel (L2 resident) and runs whole
 * (image, pixel block) jobs without barriers (deform_blocks); with few tiles (small images,
 * batch 1) the team shares one super-tile, splits steps 1-2 by rows and step 3 by
 * (weight group, MR block, NR block) (deform_team). An element's arithmetic never depends on
 * the schedule, the tile widths or the thread computing it, and no reduction is split, so
 * results are bit-identical for any `workers`. Workspace: pooled buffers, col + tables.
 *
 * Interrupts (interrupt.h): the call's cancel state `cc` is polled per job (and per weight group
 * inside one) and per table/gather/GEMM step of the team schedule; a cancelled call skips the
 * rest.
 *
 * Out-of-image corners get weight 0 and index 0 (a valid pixel) so the gather loop is branch
 * free; for finite inputs this is exactly torchvision's rule (an outside corner contributes 0).
 */
#if !defined(CONVX_T) || !defined(CONVX_DT)
#error "deform.template.c needs CONVX_T and CONVX_DT (include it from deform.c)"
#endif
#define T CONVX_T
#include "macrokernel.template.h"

/* Sampling table rows for (offset group og, tap t) and pixels [p0, p0 + np) of image n:
 * idx[c][j], wt[c][j] for corner c = 0..3 ((y0,x0), (y0,x1), (y1,x0), (y1,x1)), each row Pt
 * long. Coordinates are computed in double so float32 offsets far from the origin keep their
 * fractional part. */
static void CONVX_NAME(deform_table)(const convx_deform_problem *p, const T *off, const T *mask,
                                     cx_idx n, cx_idx og, cx_idx t, cx_idx p0, cx_idx np,
                                     int32_t *CX_RESTRICT idx, T *CX_RESTRICT wt, cx_idx Pt)
{
    const cx_idx taps = p->kh * p->kw, P = p->OH * p->OW;
    const cx_idx H = p->H, W = p->W;
    const cx_idx i = t / p->kw, j = t % p->kw;
    /* channels-first: planes of P values; channels-last: per pixel, every (group, tap) value
     * side by side (element q of a plane at q * qs) */
    const cx_idx OG = p->offset_groups, cl = p->channels_last;
    const cx_idx qs = cl ? 2 * OG * taps : 1, ms = cl ? OG * taps : 1;
    const T *dy = cl ? off + n * P * qs + og * 2 * taps + 2 * t
                     : off + ((n * OG + og) * 2 * taps + 2 * t) * P;
    const T *dx = cl ? dy + 1 : dy + P;
    const T *m = !mask ? NULL : cl ? mask + n * P * ms + og * taps + t
                                   : mask + ((n * OG + og) * taps + t) * P;
    const double fH = (double)H, fW = (double)W;
    cx_idx oy = p0 / p->OW, ox = p0 % p->OW;
    for (cx_idx e = 0; e < np; e++) {
        const cx_idx q = p0 + e;
        const double y = (double)(oy * p->stride[0] - p->pad[0] + i * p->dil[0]) + (double)dy[q * qs];
        const double x = (double)(ox * p->stride[1] - p->pad[1] + j * p->dil[1]) + (double)dx[q * qs];
        int32_t i00 = 0, i01 = 0, i10 = 0, i11 = 0;
        T w00 = 0, w01 = 0, w10 = 0, w11 = 0;
        /* torchvision: zero unless -1 < y < H and -1 < x < W (NaN lands here too) */
        if (y > -1.0 && y < fH && x > -1.0 && x < fW) {
            const double fy = floor(y), fx = floor(x);
            const double ly = y - fy, lx = x - fx, hy = 1.0 - ly, hx = 1.0 - lx;
            const double mv = m ? (double)m[q * ms] : 1.0;
            const cx_idx y0 = (cx_idx)fy, x0 = (cx_idx)fx, y1 = y0 + 1, x1 = x0 + 1;
            const int vy0 = y0 >= 0, vy1 = y1 <= H - 1, vx0 = x0 >= 0, vx1 = x1 <= W - 1;
            if (vy0 && vx0) { i00 = (int32_t)(y0 * W + x0); w00 = (T)(mv * (hy * hx)); }
            if (vy0 && vx1) { i01 = (int32_t)(y0 * W + x1); w01 = (T)(mv * (hy * lx)); }
            if (vy1 && vx0) { i10 = (int32_t)(y1 * W + x0); w10 = (T)(mv * (ly * hx)); }
            if (vy1 && vx1) { i11 = (int32_t)(y1 * W + x1); w11 = (T)(mv * (ly * lx)); }
        }
        idx[e] = i00; idx[Pt + e] = i01; idx[2 * Pt + e] = i10; idx[3 * Pt + e] = i11;
        wt[e] = w00; wt[Pt + e] = w01; wt[2 * Pt + e] = w10; wt[3 * Pt + e] = w11;
        if (++ox == p->OW) { ox = 0; oy++; }
    }
}

/* col rows c*taps .. c*taps + taps - 1 for channels c in [c0, c1) of one offset group og, np
 * pixels. Four channels per pass share each loaded corner index and weight (the loads, not the
 * arithmetic, bound this loop: 12 loads per element alone, 6 with four channels); the
 * per-element formula is the same in the blocked and remainder loops. */
static void CONVX_NAME(deform_gather)(const convx_deform_problem *p, const T *x, cx_idx c0,
                                      cx_idx c1, cx_idx og, const int32_t *idx, const T *wt,
                                      cx_idx np, T *col, cx_idx Pt)
{
    const cx_idx taps = p->kh * p->kw, ldr = taps * Pt;
    if (p->channels_last) {   /* x [H][W][C_in]: channel c of pixel a at a*C_in + c */
        const cx_idx C = p->C_in;
        for (cx_idx t = 0; t < taps; t++) {
            const cx_idx r = (og * taps + t) * 4 * Pt;
            const int32_t *CX_RESTRICT i0 = idx + r, *CX_RESTRICT i1 = i0 + Pt;
            const int32_t *CX_RESTRICT i2 = i1 + Pt, *CX_RESTRICT i3 = i2 + Pt;
            const T *CX_RESTRICT w0 = wt + r, *CX_RESTRICT w1 = w0 + Pt;
            const T *CX_RESTRICT w2 = w1 + Pt, *CX_RESTRICT w3 = w2 + Pt;
            for (cx_idx e = 0; e < np; e++) {
                const T *a0 = x + (cx_idx)i0[e] * C, *a1 = x + (cx_idx)i1[e] * C;
                const T *a2 = x + (cx_idx)i2[e] * C, *a3 = x + (cx_idx)i3[e] * C;
                const T v0 = w0[e], v1 = w1[e], v2 = w2[e], v3 = w3[e];
                T *CX_RESTRICT d = col + t * Pt + e;
                for (cx_idx c = c0; c < c1; c++)
                    d[c * ldr] = v0 * a0[c] + v1 * a1[c] + v2 * a2[c] + v3 * a3[c];
            }
        }
        return;
    }
    const cx_idx HW = p->H * p->W;
    for (cx_idx t = 0; t < taps; t++) {
        const cx_idx r = (og * taps + t) * 4 * Pt;
        const int32_t *CX_RESTRICT i0 = idx + r, *CX_RESTRICT i1 = i0 + Pt;
        const int32_t *CX_RESTRICT i2 = i1 + Pt, *CX_RESTRICT i3 = i2 + Pt;
        const T *CX_RESTRICT w0 = wt + r, *CX_RESTRICT w1 = w0 + Pt;
        const T *CX_RESTRICT w2 = w1 + Pt, *CX_RESTRICT w3 = w2 + Pt;
        cx_idx c = c0;
        for (; c + 4 <= c1; c += 4) {
            const T *xa = x + c * HW, *xb = xa + HW, *xc = xb + HW, *xd = xc + HW;
            T *CX_RESTRICT da = col + c * ldr + t * Pt;
            T *CX_RESTRICT db = da + ldr;
            T *CX_RESTRICT dc = db + ldr;
            T *CX_RESTRICT dd = dc + ldr;
            for (cx_idx e = 0; e < np; e++) {
                const int32_t a0 = i0[e], a1 = i1[e], a2 = i2[e], a3 = i3[e];
                const T v0 = w0[e], v1 = w1[e], v2 = w2[e], v3 = w3[e];
                da[e] = v0 * xa[a0] + v1 * xa[a1] + v2 * xa[a2] + v3 * xa[a3];
                db[e] = v0 * xb[a0] + v1 * xb[a1] + v2 * xb[a2] + v3 * xb[a3];
                dc[e] = v0 * xc[a0] + v1 * xc[a1] + v2 * xc[a2] + v3 * xc[a3];
                dd[e] = v0 * xd[a0] + v1 * xd[a1] + v2 * xd[a2] + v3 * xd[a3];
            }
        }
        for (; c < c1; c++) {
            const T *xa = x + c * HW;
            T *CX_RESTRICT da = col + c * ldr + t * Pt;
            for (cx_idx e = 0; e < np; e++)
                da[e] = w0[e] * xa[i0[e]] + w1[e] * xa[i1[e]] + w2[e] * xa[i2[e]] +
                        w3[e] * xa[i3[e]];
        }
    }
}

/* C[m][j] for output channels of all weight groups, pixels [p0, p0 + np) of image n, from a
 * gathered panel col [Cin*taps][ldcol] (the GEMM macro-kernel). */
static void CONVX_NAME(deform_gemm_block)(const convx_deform_problem *p, const T *w,
                                          const T *bias, T *y, cx_idx n, cx_idx p0, cx_idx np,
                                          const T *col, cx_idx ldcol, cx_idx g, cx_idx m0,
                                          cx_idx m1, const convx_table *tbl, T *tmp)
{
    const cx_idx Cog = p->C_out / p->groups, K = p->C_in / p->groups * p->kh * p->kw;
    const cx_idx P = p->OH * p->OW;
    const T *Ag = w + g * Cog * K;
    const T *Bg = col + g * K * ldcol;
    if (tmp) {   /* channels-last y [N][P][C_out]: the block [m][j] goes through tmp */
        CONVX_NAME(macrokernel)(tbl, m1 - m0, np, K, Ag + m0 * K, K, Bg, ldcol, CX_GEMM_NR(tbl),
                                tmp, np, 0, bias ? bias + g * Cog + m0 : NULL);
        T *Cl = y + (n * P + p0) * p->C_out + g * Cog + m0;
        for (cx_idx j = 0; j < np; j++)
            for (cx_idx m = 0; m < m1 - m0; m++) Cl[j * p->C_out + m] = tmp[m * np + j];
        return;
    }
    T *Cg = y + (n * p->C_out + g * Cog) * P + p0;
    CONVX_NAME(macrokernel)(tbl, m1 - m0, np, K, Ag + m0 * K, K, Bg, ldcol, CX_GEMM_NR(tbl),
                            Cg + m0 * P, P, 0, bias ? bias + g * Cog + m0 : NULL);
}

/* Per-thread buffer for a panel of `width` pixel columns: [col rows: Ktot x width T][table
 * weights: nent x width T][table indices: nent x width int32], each part at a 64-byte boundary
 * (nent = OG * taps * 4). Returns the bytes to acquire; *wt_at and *idx_at get the parts'
 * byte offsets. */
static size_t CONVX_NAME(deform_layout)(cx_idx Ktot, cx_idx nent, cx_idx width, size_t *wt_at,
                                        size_t *idx_at)
{
    *wt_at = CX_ALIGN64((size_t)(Ktot * width) * sizeof(T));
    *idx_at = *wt_at + CX_ALIGN64((size_t)(nent * width) * sizeof(T));
    return *idx_at + (size_t)(nent * width) * sizeof(int32_t);
}

/* Many independent pixel blocks: each thread owns a panel of Wb pixels (cache resident) and
 * runs table, gather and GEMM for one (image, pixel block) job at a time, no barriers. */
static int CONVX_NAME(deform_blocks)(const convx_deform_problem *p, const T *x, const T *off,
                                     const T *mask, const T *w, const T *bias, T *y,
                                     int workers, const convx_table *tbl, cx_idx Wb,
                                     convx_cancel *cc)
{
    const cx_idx G = p->groups, OG = p->offset_groups, taps = p->kh * p->kw;
    const cx_idx Cog = p->C_out / G, Cpog = p->C_in / OG, Ktot = p->C_in * taps;
    const cx_idx P = p->OH * p->OW, HW = p->H * p->W;
    const cx_idx nblk = CX_CEILDIV(P, Wb), njobs = p->N * nblk;
    size_t wt_at, idx_at;
    const size_t bytes = CONVX_NAME(deform_layout)(Ktot, OG * taps * 4, Wb, &wt_at, &idx_at);
    const cx_idx g_every = cx_poll_every((double)Cog * (Ktot / G) * Wb);
    int fail = 0;
#ifdef _OPENMP
#pragma omp parallel num_threads(workers) reduction(| : fail)
#endif
    {
        size_t got = 0, tgot = 0;
        T *col = (T *)convx_ws_acquire(bytes, &got);
        /* channels-last output: one weight group's block [Cog][Wb] goes through tmp */
        T *tmp = p->channels_last ? (T *)convx_ws_acquire((size_t)(Cog * Wb) * sizeof(T), &tgot)
                                  : NULL;
        if (!col || (p->channels_last && !tmp)) fail = 1;
        T *wt = col ? (T *)(void *)((char *)col + wt_at) : NULL;
        int32_t *idx = col ? (int32_t *)(void *)((char *)col + idx_at) : NULL;
        CX_ASSERT_ALIGNED(wt, 64); CX_ASSERT_ALIGNED(idx, 64);
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1) nowait
#endif
        for (cx_idx job = 0; job < njobs; job++) {
            if (!col || (p->channels_last && !tmp) || cx_cancelled(cc)) continue;
            const cx_idx n = job / nblk, p0 = (job % nblk) * Wb, np = CX_MIN(Wb, P - p0);
            for (cx_idx e = 0; e < OG * taps; e++)
                CONVX_NAME(deform_table)(p, off, mask, n, e / taps, e % taps, p0, np,
                                         idx + e * 4 * Wb, wt + e * 4 * Wb, Wb);
            for (cx_idx og = 0; og < OG; og++)
                CONVX_NAME(deform_gather)(p, x + n * p->C_in * HW, og * Cpog, (og + 1) * Cpog,
                                          og, idx, wt, np, col, Wb);
            for (cx_idx g = 0; g < G; g++) {
                if (cx_cancelled_every(cc, g, g_every)) break;
                CONVX_NAME(deform_gemm_block)(p, w, bias, y, n, p0, np, col, Wb, g, 0, Cog,
                                              tbl, tmp);
            }
        }
        convx_cancel_team_wait(cc);
        if (col) convx_ws_release(col, got);
        if (tmp) convx_ws_release(tmp, tgot);
    }
    return fail ? CONVX_ERR_NOMEM : CONVX_OK;
}

/* Few pixel blocks (small images, small batches): the team shares one super-tile of Pt pixels,
 * builds its table and gathers its rows together, then splits the GEMM by (weight group,
 * MR-row block, NR-pixel block) so every thread has work. */
static int CONVX_NAME(deform_team)(const convx_deform_problem *p, const T *x, const T *off,
                                   const T *mask, const T *w, const T *bias, T *y, int workers,
                                   const convx_table *tbl, cx_idx Pt, convx_cancel *cc)
{
    const cx_idx MR = CX_GEMM_MR(tbl), NR = CX_GEMM_NR(tbl);
    const cx_idx G = p->groups, OG = p->offset_groups, taps = p->kh * p->kw;
    const cx_idx Cog = p->C_out / G, Cpog = p->C_in / OG, Ktot = p->C_in * taps;
    const cx_idx P = p->OH * p->OW, HW = p->H * p->W;
    size_t got = 0;
    size_t wt_at, idx_at;
    T *col = (T *)convx_ws_acquire(CONVX_NAME(deform_layout)(Ktot, OG * taps * 4, Pt, &wt_at, &idx_at),
                                   &got);
    if (!col) return CONVX_ERR_NOMEM;
    T *wt = (T *)(void *)((char *)col + wt_at);
    int32_t *idx = (int32_t *)(void *)((char *)col + idx_at);
    CX_ASSERT_ALIGNED(wt, 64); CX_ASSERT_ALIGNED(idx, 64);
    const cx_idx npt = CX_CEILDIV(P, Pt), mblocks = CX_CEILDIV(Cog, MR);
    const cx_idx nchunk = CX_CEILDIV(Cpog, 4);
    const cx_idx nst = p->N * npt;
    const cx_idx e_every = cx_poll_every((double)Pt * 8);
    const cx_idx ch_every = cx_poll_every((double)4 * taps * Pt);
    const cx_idx job_every = cx_poll_every((double)MR * NR * (Ktot / G));
    int fail = 0;
#ifdef _OPENMP
#pragma omp parallel num_threads(workers) reduction(| : fail)
#endif
    {
    /* channels-last output: each MR x NR block goes through this thread's tmp */
    size_t tgot = 0;
    T *tmp = p->channels_last ? (T *)convx_ws_acquire((size_t)(MR * NR) * sizeof(T), &tgot) : NULL;
    if (p->channels_last && !tmp) fail = 1;
    for (cx_idx s = 0; s < nst; s++) {
        const cx_idx n = s / npt, p0 = (s % npt) * Pt, np = CX_MIN(Pt, P - p0);
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
        for (cx_idx e = 0; e < OG * taps; e++)
            if (!cx_cancelled_every(cc, e, e_every))
                CONVX_NAME(deform_table)(p, off, mask, n, e / taps, e % taps, p0, np,
                                         idx + e * 4 * Pt, wt + e * 4 * Pt, Pt);
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
        for (cx_idx ch = 0; ch < OG * nchunk; ch++) {   /* 4-channel chunks within a group */
            if (cx_cancelled_every(cc, ch, ch_every)) continue;
            const cx_idx og = ch / nchunk, c0 = og * Cpog + (ch % nchunk) * 4;
            CONVX_NAME(deform_gather)(p, x + n * p->C_in * HW, c0, CX_MIN(c0 + 4, (og + 1) * Cpog),
                                      og, idx, wt, np, col, Pt);
        }
        const cx_idx nnb = CX_CEILDIV(np, NR);
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
        for (cx_idx job = 0; job < G * mblocks * nnb; job++) {
            if ((p->channels_last && !tmp) || cx_cancelled_every(cc, job, job_every)) continue;
            const cx_idx js = (job % nnb) * NR, m = ((job / nnb) % mblocks) * MR;
            const cx_idx g = job / (nnb * mblocks);
            CONVX_NAME(deform_gemm_block)(p, w, bias, y, n, p0 + js, CX_MIN(NR, np - js),
                                          col + js, Pt, g, m, CX_MIN(Cog, m + MR), tbl, tmp);
        }
    }
    if (tmp) convx_ws_release(tmp, tgot);
    }
    convx_ws_release(col, got);
    return fail ? CONVX_ERR_NOMEM : CONVX_OK;
}

/* The schedule for a problem (deform_conv2d below takes the cancel state). */
static int CONVX_NAME(deform_run)(const convx_deform_problem *p, const T *x, const T *off,
                                  const T *mask, const T *w, const T *bias, T *y, int workers,
                                  convx_cancel *cc)
{
    const convx_table *tbl = convx_active_table();
#if CX_T_IS_F64
    const cx_idx NR = tbl->gemm_nr_f64;
#else
    const cx_idx NR = tbl->gemm_nr_f32;
#endif
    const cx_idx OG = p->offset_groups, taps = p->kh * p->kw, Ktot = p->C_in * taps;
    const cx_idx P = p->OH * p->OW, esz = (cx_idx)sizeof(T);
    /* bytes per pixel column: col rows plus the table (4 weights + 4 int32 indices per entry) */
    const cx_idx col_bpp = Ktot * esz + OG * taps * 4 * (esz + 4);
    /* Per-thread blocks of up to 4 NR-wide panels (<= 256 KiB, L2 resident: measured faster
     * than wider team tiles whose panel spills to L3), narrower when the team needs jobs. The
     * path and widths only change which thread computes an element and its ldb, never its
     * arithmetic (same gather formula, same kc chunks), so results do not depend on workers. */
    cx_idx wmul = CX_MAX((cx_idx)1, CX_MIN((cx_idx)4, (cx_idx)(256 << 10) / CX_MAX((cx_idx)1, col_bpp * NR)));
    while (wmul > 1 && p->N * CX_CEILDIV(P, wmul * NR) < 8 * (cx_idx)workers) wmul--;
    const cx_idx Wb = CX_MIN(wmul * NR, CX_CEILDIV(P, NR) * NR);
    cx_idx max_bytes;
    if (cx_mul_overflow(col_bpp, CX_CEILDIV(P, NR) * NR, &max_bytes)) return CONVX_ERR_NOMEM;
    if (workers == 1 || p->N * CX_CEILDIV(P, Wb) >= 4 * (cx_idx)workers) {
        if (col_bpp * Wb > (cx_idx)convx_ws_cap_bytes()) return CONVX_ERR_NOMEM;
        return CONVX_NAME(deform_blocks)(p, x, off, mask, w, bias, y, workers, tbl, Wb, cc);
    }
    cx_idx Pt = tbl->col_tile_bytes / col_bpp / NR * NR;
    Pt = CX_MIN(CX_MAX(Pt, NR), CX_CEILDIV(P, NR) * NR);
    if (col_bpp * Pt > (cx_idx)convx_ws_cap_bytes()) return CONVX_ERR_NOMEM;
    return CONVX_NAME(deform_team)(p, x, off, mask, w, bias, y, workers, tbl, Pt, cc);
}

int CONVX_NAME(deform_conv2d)(const convx_deform_problem *p, const T *x, const T *off,
                              const T *mask, const T *w, const T *bias, T *y, int workers)
{
    int st = convx_deform_check(p);
    if (st != CONVX_OK) return st;
    /* element-aligned operands (Python copies misaligned ones); the kernels dereference T * */
    CX_ASSERT_ALIGNED(x, sizeof(T)); CX_ASSERT_ALIGNED(off, sizeof(T));
    CX_ASSERT_ALIGNED(mask, sizeof(T)); CX_ASSERT_ALIGNED(w, sizeof(T));
    CX_ASSERT_ALIGNED(bias, sizeof(T)); CX_ASSERT_ALIGNED(y, sizeof(T));
    if (p->N == 0) return CONVX_OK;
    if (workers < 1) workers = 1;
    convx_cancel cc;
    convx_cancel_begin(&cc, (double)p->N * (double)(p->OH * p->OW) * (double)p->C_in *
                                (double)(p->kh * p->kw) * (double)(p->C_out / p->groups + 4));
    st = CONVX_NAME(deform_run)(p, x, off, mask, w, bias, y, workers, &cc);
    return convx_cancel_end(&cc, st);
}

#undef T
