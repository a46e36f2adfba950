/* filters.template.c — the correlation driver for convx.filters, one dtype.
 *
 * Included twice by filters.c with CONVX_T / CONVX_DT / CX_T_IS_F64 defined. The problem is a
 * batch of B independent volumes [D, H, W], each pixel holding `inner` interleaved samples that
 * are filtered independently (the trailing unfiltered axes of an image, e.g. colour channels).
 *
 * Plan: tasks are (batch, plane d, block of R output rows). A task gathers, for each kernel
 * plane kd, the R + kH - 1 input rows it needs; rows outside the volume in 'constant' mode point
 * at a cval row. Input rows are read in place: an output row is three segments, the interior
 * (outputs whose taps all fall inside the row, read from the caller's row) and the two ends,
 * which read short per-thread pieces extended by the boundary mode ("edge pieces": kW - 1 + lo
 * and 2 kW - 2 - lo positions; copying whole extended rows cost a quarter of a 3x3 filter's
 * time). Rows narrower than the kernel are extended whole instead. Every segment is one call of
 * the `filter` micro-kernel with one pointer per non-zero tap. Each output element's tap sum runs in one thread in tap order, so results are
 * bit-identical for any `workers` and any R.
 *
 * Interrupts (interrupt.h): the call's cancel state is polled per task and, when rows are long
 * (a row's taps x outputs >= CX_FILTER_POLL_ROW), per row; rows whose taps x outputs exceed
 * CX_FILTER_CHUNK are computed in column chunks with a poll between them (a 1-D signal is one
 * row: without chunks one call could run for seconds). The micro-kernels sum each output's taps
 * in tap order wherever a row is cut, so the chunks never change a result.
 */
#if !defined(CONVX_T) || !defined(CONVX_DT)
#error "filters.template.c needs CONVX_T and CONVX_DT (include it from filters.c)"
#endif

#define T CONVX_T
#define FUKERNEL_FN CONVX_CAT3(convx_, CONVX_DT, _filter_ukernel_fn)
#define F2D_FN CONVX_CAT3(convx_, CONVX_DT, _filter2d_ukernel_fn)
#define F2_RB CONVX_FILTER2D_ROWS   /* output rows per filter2d call (checked at import) */
#define CX_FILTER_POLL_ROW 65536.0   /* taps x outputs of a row above which rows poll */
#define CX_FILTER_BOX_MIN 5           /* equal column weights from which the sweep sums rows */
#define CX_FILTER_CHUNK 1048576.0    /* taps x outputs per column chunk of a long row */

/* Outputs per column chunk of a row of n outputs with `taps` taps: the whole row, or a multiple
 * of 64 (whole vectors for every ISA) holding about CX_FILTER_CHUNK multiply-adds. */
static cx_idx CONVX_CAT(filter_chunk_, CONVX_DT)(cx_idx n, cx_idx taps)
{
    if ((double)n * (double)taps <= CX_FILTER_CHUNK) return CX_MAX(n, (cx_idx)1);
    return CX_MAX((cx_idx)64, (cx_idx)(CX_FILTER_CHUNK / (double)taps) / 64 * 64);
}

/* the active ISA's kernels, from the dispatch table */
static FUKERNEL_FN CONVX_CAT(filter_pick_, CONVX_DT)(void)
{
    return convx_active_table()->CONVX_CAT(filter_, CONVX_DT);
}

static F2D_FN CONVX_CAT(filter2d_pick_, CONVX_DT)(void)
{
    return convx_active_table()->CONVX_CAT(filter2d_, CONVX_DT);
}

/* dst[0 .. n-1] = v (the cval row: as long as a row, 10^8 samples for a 1-D signal), polling
 * between 2^20-element pieces; incomplete once the call is cancelled. */
static void CONVX_CAT(filter_fill_, CONVX_DT)(T *dst, cx_idx n, T v, convx_cancel *cc)
{
    const cx_idx piece = (cx_idx)1 << 20;
    for (cx_idx a = 0; a < n; a += piece) {
        if (a > 0 && cx_cancelled(cc)) return;
        for (cx_idx i = a; i < CX_MIN(n, a + piece); i++) dst[i] = v;
    }
}

/* Extended positions [u0, u1) of one row: dst[(u - u0)*I + c] = src[map(u - lo, W)*I + c] (cval
 * outside in 'constant' mode). Only the row's ends are built this way (a few kernel widths);
 * the interior outputs read the caller's row in place. */
static void CONVX_CAT(filter_piece_, CONVX_DT)(T *CX_RESTRICT dst, const T *CX_RESTRICT src,
                                              cx_idx W, cx_idx I, cx_idx u0, cx_idx u1,
                                              cx_idx lo, int mode, T cval)
{
    for (cx_idx u = u0; u < u1; u++, dst += I) {
        const cx_idx sidx = cx_filter_map(u - lo, W, mode);
        const T *s = src + sidx * I;
        for (cx_idx c = 0; c < I; c++) dst[c] = sidx < 0 ? cval : s[c];   /* I is small */
    }
}

static int CONVX_NAME(filter_run)(const convx_filter_problem *p, const T *x, const T *w,
                                  int skip_zero, T *y, int workers, convx_cancel *cc);

int CONVX_NAME(filter)(const convx_filter_problem *p, const T *x, const T *w, int skip_zero,
                       T *y, int workers)
{
    int status = convx_filter_check(p);
    if (status != CONVX_OK) return status;
    /* element-aligned operands (Python copies misaligned ones); the kernels dereference T * */
    CX_ASSERT_ALIGNED(x, sizeof(T)); CX_ASSERT_ALIGNED(w, sizeof(T));
    CX_ASSERT_ALIGNED(y, sizeof(T));
    const double work = (double)p->B * p->in[0] * p->in[1] * p->in[2] * p->inner *
                        (double)(p->k[0] * p->k[1] * p->k[2]);
    workers = cx_team_size(workers, work, 65536.0);
    convx_cancel cc;
    convx_cancel_begin(&cc, work);
    status = CONVX_NAME(filter_run)(p, x, w, skip_zero, y, workers, &cc);
    return convx_cancel_end(&cc, status);
}

static int CONVX_NAME(filter_run)(const convx_filter_problem *p, const T *x, const T *w,
                                  int skip_zero, T *y, int workers, convx_cancel *cc)
{
    const cx_idx B = p->B, D = p->in[0], H = p->in[1], W = p->in[2], I = p->inner;
    const cx_idx KD = p->k[0], KH = p->k[1], KW = p->k[2];
    const int mode = p->mode;
    const T cval = (T)p->cval;
    const cx_idx n_row = W * I;                      /* outputs per row */
    const cx_idx rowlen = (W + KW - 1) * I;          /* extended row length */
    const int need_ext = KW > 1;
    /* output segments per row, in pixels: nL | nC (interior, in place) | nR, and the edge
     * pieces' lengths (extended positions [0, pl) and [W - nR, W - nR + pr)); rows narrower
     * than the kernel: one segment over the whole extended row */
    const cx_idx low = p->lo[2];
    const int split = need_ext && W >= KW;
    const cx_idx nL = !need_ext ? 0 : split ? low : W, nC = !need_ext ? W : split ? W - KW + 1 : 0;
    const cx_idx nR = split ? KW - 1 - low : 0;
    const cx_idx pl = !need_ext ? 0 : split ? low + KW - 1 : W + KW - 1;
    const cx_idx pr = split ? nR + KW - 1 : 0;
    const cx_idx piece = (pl + pr) * I;              /* edge-piece elements per input row */
    const FUKERNEL_FN uk = CONVX_CAT(filter_pick_, CONVX_DT)();
    const F2D_FN uk2 = CONVX_CAT(filter2d_pick_, CONVX_DT)();
    if (B == 0) return CONVX_OK;

    /* compact tap list: (plane, row, column) and weight of each tap used */
    const cx_idx nk = KD * KH * KW;
    cx_idx n_taps = 0;
    for (cx_idx t = 0; t < nk; t++) n_taps += (!skip_zero || w[t] != 0);
    /* every tap used and one plane: 4 rows at a time share their input loads (filter2d) */
    const int dense = KD == 1 && n_taps == nk;
    if (n_taps == 0) {
        memset(y, 0, (size_t)(B * D * H * n_row) * sizeof(T));
        return CONVX_OK;
    }

    /* rows per task: the extended rows of one task stay within ~384 KiB (L2) */
    cx_idx R = 16;
    if (need_ext) {
        cx_idx per_row = KD * (rowlen + piece) * (cx_idx)sizeof(T);   /* read + pieces */
        R = (384 << 10) / CX_MAX(per_row, (cx_idx)1) - (KH - 1);
        /* at least 8 rows: with very wide kernels the (R + kH - 1)-row tile outgrows L2 anyway,
         * and fewer rows would rebuild each extended row up to kH times */
        R = CX_MAX((cx_idx)8, CX_MIN((cx_idx)64, R));
    }
    const cx_idx tot_rows = B * D * H;
    R = CX_MIN(R, CX_MAX((cx_idx)1, tot_rows / 16));  /* at least ~16 tasks when possible */
    R = CX_MIN(R, H);
    const cx_idx nb = CX_CEILDIV(H, R);
    const cx_idx ntask = B * D * nb;
    const cx_idx nin = R + KH - 1;                   /* input rows per plane per task */

    cx_idx ext_elems = 0, t1;
    if (need_ext) {
        if (cx_mul_overflow(KD * nin, piece, &ext_elems)) return CONVX_ERR_NOMEM;
    }
    if (cx_mul_overflow(KD, nin, &t1)) return CONVX_ERR_NOMEM;
    /* per-thread buffer: [ext rows | cval row | weights | row pointers | tap pointers], each
     * part rounded up to 16 elements so the pointer arrays stay aligned */
    const cx_idx ext_pad = (ext_elems + 15) & ~(cx_idx)15, row_pad = (rowlen + 15) & ~(cx_idx)15;
    const cx_idx wt_pad = (n_taps + 15) & ~(cx_idx)15;
    const size_t ws_bytes = (size_t)(ext_pad + row_pad + wt_pad) * sizeof(T) +
                            (size_t)(3 * KD * nin + 2 * n_taps + 8) * sizeof(void *);
    const int poll_rows = (double)n_row * (double)n_taps >= CX_FILTER_POLL_ROW;
    const cx_idx cw = CONVX_CAT(filter_chunk_, CONVX_DT)(n_row, F2_RB * n_taps);
    const cx_idx task_every = cx_poll_every((double)R * n_row * n_taps);

    int fail = 0;
#ifdef _OPENMP
#pragma omp parallel num_threads(workers) reduction(| : fail)
#endif
    {
        size_t got = 0;
        T *ws = (T *)convx_ws_acquire(ws_bytes, &got);
        if (!ws) fail = 1;
        T *ext = ws, *cvrow = NULL, *wt = NULL;
        const T **rowp = NULL, **lp = NULL, **rp = NULL, **xp = NULL;
        if (ws) {
            cvrow = ext + ext_pad;
            wt = cvrow + row_pad;
            rowp = (const T **)(void *)(wt + wt_pad);
            lp = rowp + KD * nin;     /* left and right edge pieces of each input row */
            rp = lp + KD * nin;
            xp = rp + KD * nin;
            CX_ASSERT_ALIGNED(rowp, 64);   /* ext_pad, row_pad, wt_pad: multiples of 16 elements */
        }
        cx_idx *trow = NULL, *tcol = NULL;
        size_t tgot = 0;
        if (ws) {
            trow = (cx_idx *)convx_ws_acquire((size_t)(2 * n_taps) * sizeof(cx_idx), &tgot);
            if (!trow) fail = 1;
        }
        if (ws && trow) {
            tcol = trow + n_taps;
            cx_idx t = 0, j = 0;
            for (cx_idx kd = 0; kd < KD; kd++)
                for (cx_idx kh = 0; kh < KH; kh++)
                    for (cx_idx kw = 0; kw < KW; kw++, j++) {
                        if (skip_zero && w[j] == 0) continue;
                        trow[t] = kd * nin + kh;
                        tcol[t] = kw * I;
                        wt[t] = w[j];
                        t++;
                    }
            CONVX_CAT(filter_fill_, CONVX_DT)(cvrow, rowlen, cval, cc);
        }
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1) nowait
#endif
        for (cx_idx task = 0; task < ntask; task++) {
            if (!ws || !trow || cx_cancelled_every(cc, task, task_every)) continue;
            const cx_idx bi = task % nb;
            const cx_idx d = (task / nb) % D;
            const cx_idx b = task / (nb * D);
            const cx_idx h0 = bi * R, rows = CX_MIN(R, H - h0), nrows_in = rows + KH - 1;
            int stop = 0;
            for (cx_idx kd = 0; kd < KD && !stop; kd++) {
                const cx_idx sd = cx_filter_map(d + kd - p->lo[0], D, mode);
                for (cx_idx r = 0; r < nrows_in; r++) {
                    if (poll_rows && (stop = cx_cancelled(cc))) break;
                    const cx_idx sh = sd < 0 ? -1 : cx_filter_map(h0 + r - p->lo[1], H, mode);
                    const T *src = sh < 0 ? NULL : x + ((b * D + sd) * H + sh) * n_row;
                    const cx_idx q = kd * nin + r;
                    rowp[q] = src ? src : cvrow;
                    lp[q] = rp[q] = cvrow;    /* all cval: any offset reads cval */
                    if (src && need_ext) {
                        T *dst = ext + q * piece;
                        CONVX_CAT(filter_piece_, CONVX_DT)(dst, src, W, I, 0, pl, low, mode,
                                                           cval);
                        CONVX_CAT(filter_piece_, CONVX_DT)(dst + pl * I, src, W, I, W - nR,
                                                           W - nR + pr, low, mode, cval);
                        lp[q] = dst;
                        rp[q] = dst + pl * I;
                    }
                }
            }
            if (!stop) stop = cx_stopped(cc);   /* an extended row may be incomplete */
            T *yrow = y + ((b * D + d) * H + h0) * n_row;
            /* segment g: 0 left piece, 1 interior (in place, column chunks), 2 right piece */
            const T *const *bases[3] = {lp, rowp, rp};
            const cx_idx seg_n[3] = {nL * I, nC * I, nR * I};
            const cx_idx seg_y[3] = {0, nL * I, (nL + nC) * I};
            cx_idx r = 0;
            if (dense) {
                for (; !stop && r + F2_RB <= rows; r += F2_RB, yrow += F2_RB * n_row) {
                    for (int g = 0; g < 3 && !stop; g++) {
                        const T *const *base = bases[g];
                        for (cx_idx j0 = 0; j0 < seg_n[g]; j0 += cw) {
                            if (poll_rows && (stop = cx_cancelled(cc))) break;
                            /* xp has room: KH + F2_RB - 1 <= 2 * n_taps + 8 */
                            for (cx_idx q = 0; q < KH + F2_RB - 1; q++) xp[q] = base[r + q] + j0;
                            T *ys[F2_RB];
                            for (int q = 0; q < F2_RB; q++)
                                ys[q] = yrow + q * n_row + seg_y[g] + j0;
                            uk2(CX_MIN(cw, seg_n[g] - j0), KH, KW, I, xp, w, ys);
                        }
                    }
                }
            }
            for (; !stop && r < rows; r++, yrow += n_row) {
                for (int g = 0; g < 3 && !stop; g++) {
                    const T *const *base = bases[g];
                    for (cx_idx j0 = 0; j0 < seg_n[g]; j0 += cw) {
                        if (poll_rows && (stop = cx_cancelled(cc))) break;
                        for (cx_idx t = 0; t < n_taps; t++)
                            xp[t] = base[trow[t] + r] + tcol[t] + j0;
                        uk(CX_MIN(cw, seg_n[g] - j0), n_taps, xp, wt, yrow + seg_y[g] + j0);
                    }
                }
            }
        }
        convx_cancel_team_wait(cc);
        if (trow) convx_ws_release(trow, tgot);
        if (ws) convx_ws_release(ws, got);
    }
    return fail ? CONVX_ERR_NOMEM : CONVX_OK;
}

/* Separable 2-D pass in one sweep: for each output row, the column filter wv (kH taps along H,
 * boundary p->mode) writes one boundary-extended row (extension by mode_h, kW taps along W),
 * which the row filter wh turns into the output row. Equal, bit for bit, to the two 1-D passes
 * (the intermediate is rounded to T in both) without writing the intermediate image. */
static int CONVX_NAME(filter_sep_run)(const convx_filter_problem *p, const T *x, const T *wv,
                                      const T *wh, int mode_h, T *y, int workers,
                                      convx_cancel *cc);

int CONVX_NAME(filter_sep)(const convx_filter_problem *p, const T *x, const T *wv, const T *wh,
                           int mode_h, T *y, int workers)
{
    int status = convx_filter_check(p);
    if (status != CONVX_OK) return status;
    /* element-aligned operands (Python copies misaligned ones); the kernels dereference T * */
    CX_ASSERT_ALIGNED(x, sizeof(T)); CX_ASSERT_ALIGNED(wv, sizeof(T));
    CX_ASSERT_ALIGNED(wh, sizeof(T)); CX_ASSERT_ALIGNED(y, sizeof(T));
    if (p->k[0] != 1 || mode_h < CONVX_MODE_REFLECT || mode_h > CONVX_MODE_WRAP)
        return CONVX_ERR_ARG;
    const double work = (double)p->B * p->in[0] * p->in[1] * p->in[2] * p->inner *
                        (double)(p->k[1] + p->k[2]);
    workers = cx_team_size(workers, work, 65536.0);
    convx_cancel cc;
    convx_cancel_begin(&cc, work);
    status = CONVX_NAME(filter_sep_run)(p, x, wv, wh, mode_h, y, workers, &cc);
    return convx_cancel_end(&cc, status);
}

static int CONVX_NAME(filter_sep_run)(const convx_filter_problem *p, const T *x, const T *wv,
                                      const T *wh, int mode_h, T *y, int workers,
                                      convx_cancel *cc)
{
    const cx_idx B = p->B, D = p->in[0], H = p->in[1], W = p->in[2], I = p->inner;
    const cx_idx KH = p->k[1], KW = p->k[2], loh = p->lo[1], low = p->lo[2];
    const int mode = p->mode;
    const T cval = (T)p->cval;
    const cx_idx n_row = W * I, rowlen = (W + KW - 1) * I;
    const FUKERNEL_FN uk = CONVX_CAT(filter_pick_, CONVX_DT)();
    if (B == 0) return CONVX_OK;
    const cx_idx tot_rows = B * D * H;
    cx_idx R = CX_MIN((cx_idx)32, CX_MAX((cx_idx)1, tot_rows / 16));
    R = CX_MIN(R, H);
    const cx_idx nb = CX_CEILDIV(H, R), ntask = B * D * nb;
    const cx_idx row_pad = (rowlen + 15) & ~(cx_idx)15;
    const cx_idx np_ = CX_MAX(KH, KW);
    /* a box column filter (every column weight equal, at least CX_FILTER_BOX_MIN of them) runs
     * as a running sum per band with the row kernel: S' = S + entering row - leaving row (two
     * sum buffers in turn), then the row = w * S'; a few operations per element instead of KH
     * multiply-adds. The band (<= 32 rows) restarts the sum, which bounds its drift to that of a
     * sum of <= 32 + KH rows. A non-finite row (an inf or NaN entered the window: the sum would
     * carry inf - inf = NaN on) is recomputed with the direct taps and the sum restarts on the
     * next row, so non-finite input reaches exactly the outputs whose window holds it. */
    int box = KH >= CX_FILTER_BOX_MIN;
    for (cx_idx t = 1; t < KH && box; t++) box = wv[t] == wv[0];
    const size_t base_bytes = (size_t)(2 * row_pad) * sizeof(T) + (size_t)(np_ + 8) * sizeof(void *);
    const size_t box_at = CX_ALIGN64(base_bytes);
    const size_t ws_bytes = box ? box_at + (size_t)(2 * row_pad + 16) * sizeof(T) : base_bytes;
    const T box_w[3] = {(T)1, (T)1, (T)-1};
    T *ones = NULL;
    if (box) {
        ones = (T *)malloc((size_t)KH * sizeof(T));
        if (!ones) return CONVX_ERR_NOMEM;
        for (cx_idx t = 0; t < KH; t++) ones[t] = (T)1;
    }
    const int poll_rows = (double)n_row * (double)np_ >= CX_FILTER_POLL_ROW;
    const cx_idx cw = CONVX_CAT(filter_chunk_, CONVX_DT)(n_row, np_);
    const cx_idx task_every = cx_poll_every((double)R * n_row * (KH + KW));

    int fail = 0;
#ifdef _OPENMP
#pragma omp parallel num_threads(workers) reduction(| : fail)
#endif
    {
        size_t got = 0;
        T *ws = (T *)convx_ws_acquire(ws_bytes, &got);
        if (!ws) fail = 1;
        T *mid = ws, *cvrow = ws ? ws + row_pad : NULL;
        const T **xp = ws ? (const T **)(void *)(ws + 2 * row_pad) : NULL;
        T *S0 = ws && box ? (T *)(void *)((char *)ws + box_at) : NULL;
        T *S1 = S0 ? S0 + row_pad : NULL;
        CX_ASSERT_ALIGNED(xp, 64);
        if (ws) CONVX_CAT(filter_fill_, CONVX_DT)(cvrow, rowlen, cval, cc);
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1) nowait
#endif
        for (cx_idx task = 0; task < ntask; task++) {
            if (!ws || cx_cancelled_every(cc, task, task_every)) continue;
            const cx_idx bi = task % nb;
            const cx_idx d = (task / nb) % D;
            const cx_idx b = task / (nb * D);
            const cx_idx h0 = bi * R, rows = CX_MIN(R, H - h0);
            const T *plane = x + (b * D + d) * H * n_row;
            T *yrow = y + ((b * D + d) * H + h0) * n_row;
            int stop = 0, fresh = 1;   /* fresh: the box sum restarts at this row */
            for (cx_idx r = 0; r < rows && !stop; r++, yrow += n_row) {
                T *centre = mid + low * I;
                if (box) {
                    if (poll_rows && (stop = cx_cancelled(cc))) break;
                    T *Sn = S1;   /* this row's sum; S0 holds the previous row's */
                    if (fresh) {
                        for (cx_idx t = 0; t < KH; t++) {
                            const cx_idx sh = cx_filter_map(h0 + r + t - loh, H, mode);
                            xp[t] = sh < 0 ? cvrow : plane + sh * n_row;
                        }
                        uk(n_row, KH, xp, ones, Sn);
                    } else {
                        const cx_idx si = cx_filter_map(h0 + r + KH - 1 - loh, H, mode);
                        const cx_idx so = cx_filter_map(h0 + r - 1 - loh, H, mode);
                        xp[0] = S0;
                        xp[1] = si < 0 ? cvrow : plane + si * n_row;
                        xp[2] = so < 0 ? cvrow : plane + so * n_row;
                        uk(n_row, 3, xp, box_w, Sn);
                    }
                    xp[0] = Sn;
                    uk(n_row, 1, xp, wv, centre);
                    S1 = S0;
                    S0 = Sn;
                    int bad = 0;   /* an OR (not a sum): vectorised without reassociation */
                    for (cx_idx j = 0; j < n_row; j++) bad |= !(centre[j] - centre[j] == (T)0);
                    fresh = bad;
                    if (!fresh) goto row_pass;
                }
                for (cx_idx j0 = 0; j0 < n_row; j0 += cw) {   /* column pass, in chunks */
                    if (poll_rows && (stop = cx_cancelled(cc))) break;
                    for (cx_idx t = 0; t < KH; t++) {
                        const cx_idx sh = cx_filter_map(h0 + r + t - loh, H, mode);
                        xp[t] = (sh < 0 ? cvrow : plane + sh * n_row) + j0;
                    }
                    uk(CX_MIN(cw, n_row - j0), KH, xp, wv, centre + j0);
                }
                if (stop) break;
            row_pass:
                for (cx_idx u = 0; u < KW - 1; u++) {
                    const cx_idx pos = u < low ? u : W + u;
                    const cx_idx sw = cx_filter_map(pos - low, W, mode_h);
                    T *dst = mid + pos * I;
                    if (sw < 0)
                        for (cx_idx c = 0; c < I; c++) dst[c] = cval;
                    else
                        memcpy(dst, centre + sw * I, (size_t)I * sizeof(T));
                }
                for (cx_idx j0 = 0; j0 < n_row; j0 += cw) {   /* row pass, in chunks */
                    if (j0 > 0 && (stop = cx_cancelled(cc))) break;
                    for (cx_idx t = 0; t < KW; t++) xp[t] = mid + t * I + j0;
                    uk(CX_MIN(cw, n_row - j0), KW, xp, wh, yrow + j0);
                }
            }
        }
        convx_cancel_team_wait(cc);
        if (ws) convx_ws_release(ws, got);
    }
    free(ones);
    return fail ? CONVX_ERR_NOMEM : CONVX_OK;
}

#undef T
#undef FUKERNEL_FN
#undef F2D_FN
#undef F2_RB
