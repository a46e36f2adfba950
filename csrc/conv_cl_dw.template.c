/* conv_cl_dw.template.c — the channels-last depthwise driver (one input and one output channel
 * per group), one dtype: included by conv_cl.template.c (after its team context CTEAM), so it
 * is instantiated with it. Row (or row-pair) tasks; a row's interior runs the dwconv_cl_row
 * kernel in whole register tiles, its borders, tails and dilated or transposed windows the
 * per-pixel dwconv_cl kernel with each pixel's own tap list.
 */
/* ---- depthwise ------------------------------------------------------------------------------ */

/* Output row task r = (image, o0, o1, W phase): every output pixel of that phase in the row. */
/* Whether the row kernel takes a row's interior: forward, no column dilation, a 3/5/7-wide
 * window, column stride 1 or 2. */
static int CONVX_NAME(cl_dw_row_kernel_ok)(const cl_geom *q)
{
    const cx_idx KW = q->k[2];
    return !q->transposed && q->dil[2] == 1 && (KW == 3 || KW == 5 || KW == 7) &&
           (q->IS[2] == 1 || q->IS[2] == 2);
}

/* Output row (image n, o0, o1), W phase ph2: every output pixel of that phase in the row;
 * interior_done: the row kernel's whole tiles [lo, mid) were computed by the caller (a pair of
 * rows, cl_dw_pair). */
static void CONVX_NAME(cl_dw_row)(const CTEAM *t, cx_idx n, cx_idx o0, cx_idx o1, cx_idx ph2,
                                  const T **px, cx_idx *toff, cx_idx *woff, int interior_done)
{
    const cl_geom *q = t->q;
    const cx_idx C = q->C_out;
    const cx_idx ph0 = o0 % q->S[0], j0 = o0 / q->S[0];
    const cx_idx ph1 = o1 % q->S[1], j1 = o1 / q->S[1];
    const cx_idx J2 = q->J[2][ph2];
    if (J2 == 0) return;
    const T *xn = t->x + n * q->in[0] * q->in[1] * q->in[2] * C;
    T *yrow = t->y + ((n * q->out[0] + o0) * q->out[1] + o1) * q->out[2] * C;
    const CONVX_CAT3(convx_, CONVX_DT, _dwconv_cl_ukernel_fn) uk = t->tbl->CONVX_CAT(dwconv_cl_, CONVX_DT);
    /* taps of the row along D and H that land inside the input, then every W tap */
    cx_idx nt = 0;
    cx_idx omin = 0, omax = 0;
    const cx_idx s2 = q->start[2][ph2], e2 = q->start[2][ph2 + 1];
    for (cx_idx a = q->start[0][ph0]; a < q->start[0][ph0 + 1]; a++) {
        const cx_idx i0 = j0 * q->IS[0] + q->off[0][a];
        if (i0 < 0 || i0 >= q->in[0]) continue;
        for (cx_idx b = q->start[1][ph1]; b < q->start[1][ph1 + 1]; b++) {
            const cx_idx i1 = j1 * q->IS[1] + q->off[1][b];
            if (i1 < 0 || i1 >= q->in[1]) continue;
            for (cx_idx c = s2; c < e2; c++) {
                const cx_idx tap = (q->tk[0][a] * q->k[1] + q->tk[1][b]) * q->k[2] + q->tk[2][c];
                toff[nt] = ((i0 * q->in[1] + i1) * q->in[2] + q->off[2][c]) * C;
                woff[nt] = tap * C;
                nt++;
            }
        }
    }
    if (e2 > s2) {
        omin = omax = q->off[2][s2];
        for (cx_idx c = s2; c < e2; c++) {
            omin = CX_MIN(omin, q->off[2][c]);
            omax = CX_MAX(omax, q->off[2][c]);
        }
    }
    /* pixels j2 with every W tap inside: 0 <= j2*IS + omin and j2*IS + omax < in[2] */
    const cx_idx IS = q->IS[2], IW = q->in[2];
    cx_idx lo = omin >= 0 ? 0 : CX_CEILDIV(-omin, IS);
    cx_idx hi = IW - 1 - omax >= 0 ? (IW - 1 - omax) / IS + 1 : 0;
    if (nt == 0) { lo = 0; hi = J2; }   /* no tap at all: bias only, every pixel alike */
    lo = CX_MIN(lo, J2);
    hi = CX_MAX(lo, CX_MIN(hi, J2));
    const cx_idx ys = q->S[2] * C;
    T *y0 = yrow + ph2 * C;
    const cx_idx KW = q->k[2];
    const int row_kernel = CONVX_NAME(cl_dw_row_kernel_ok)(q) && nt > 0 && e2 - s2 == KW;
    cx_idx mid = lo;   /* [lo, mid): the row kernel's whole register tiles */
    if (row_kernel) {
        const cx_idx RPX = CX_T_IS_F64 ? t->tbl->dwconv_cl_row_px_f64 : t->tbl->dwconv_cl_row_px_f32;
        mid = lo + (hi - lo) / RPX * RPX;
    }
    if (mid > lo && !interior_done) {
        /* whole rows of taps: the row kernel (inputs loaded once per vector of pixels) */
        const CONVX_CAT3(convx_, CONVX_DT, _dwconv_cl_row_ukernel_fn) rk =
            t->tbl->CONVX_CAT(dwconv_cl_row_, CONVX_DT)[CONVX_DWCONV_SLOT(KW, IS)];
        const T **rows = px, **wrows = px + nt / KW;
        for (cx_idx rr = 0; rr < nt / KW; rr++) {
            rows[rr] = xn + lo * IS * C + toff[rr * KW];
            wrows[rr] = t->wp + woff[rr * KW];
        }
        rk(mid - lo, C, nt / KW, rows, wrows, t->bias, y0 + lo * ys, ys, 1, 0);
    }
    if (hi > mid) {
        for (cx_idx j = mid; j < hi; j++) px[j - mid] = xn + j * IS * C;
        uk(hi - mid, C, nt, px, toff, woff, t->wp, t->bias, y0 + mid * ys, ys);
    }
    /* border pixels: the taps inside the input for that pixel only */
    const cx_idx ntw = e2 - s2, nrow = ntw ? nt / ntw : 0;
    for (cx_idx j = 0; j < J2; j++) {
        if (j == lo && hi > lo) { j = hi - 1; continue; }   /* the interior ran above */
        cx_idx m = 0;
        for (cx_idx rr = 0; rr < nrow; rr++)
            for (cx_idx c = 0; c < ntw; c++) {
                const cx_idx i2 = j * IS + q->off[2][s2 + c];
                if (i2 < 0 || i2 >= IW) continue;
                toff[nt + m] = toff[rr * ntw + c];
                woff[nt + m] = woff[rr * ntw + c];
                m++;
            }
        const T *pj = xn + j * IS * C;
        uk(1, C, m, &pj, toff + nt, woff + nt, t->wp, t->bias, y0 + j * ys, ys);
    }
}

/* Pairs of output rows (o1, o1 + 1) of a 1-D/2-D forward problem with row stride 1 and no row
 * dilation: when both rows have every kernel row inside the input, the row kernel computes
 * their interiors together (each input row loaded once for both); the rest of each row, and
 * rows that do not pair, go through cl_dw_row. */
static int CONVX_NAME(cl_dw_pairs)(const cl_geom *q)
{
    return CONVX_NAME(cl_dw_row_kernel_ok)(q) && q->k[0] == 1 && q->stride[1] == 1 &&
           q->dil[1] == 1 && q->out[1] > 1;
}

static void CONVX_NAME(cl_dw_pair)(const CTEAM *t, cx_idx task, const T **px, cx_idx *toff,
                                   cx_idx *woff)
{
    const cl_geom *q = t->q;
    const cx_idx np = CX_CEILDIV(q->out[1], (cx_idx)2);
    const cx_idx o1 = 2 * (task % np), o0 = (task / np) % q->out[0], n = task / (np * q->out[0]);
    const cx_idx C = q->C_out, KH = q->k[1], KW = q->k[2], IS = q->IS[2], IW = q->in[2];
    const cx_idx ih = o1 - q->pad[1];   /* input row under kernel row 0 of output row o1 */
    const cx_idx id = o0 * q->stride[0] - q->pad[0];
    const int both = o1 + 1 < q->out[1] && ih >= 0 && ih + KH < q->in[1] &&
                     id >= 0 && id < q->in[0];
    int done = 0;
    if (both) {
        const cx_idx omin = -q->pad[2], omax = KW - 1 - q->pad[2], J2 = q->out[2];
        cx_idx lo = omin >= 0 ? 0 : CX_CEILDIV(-omin, IS);
        cx_idx hi = IW - 1 - omax >= 0 ? (IW - 1 - omax) / IS + 1 : 0;
        lo = CX_MIN(lo, J2);
        hi = CX_MAX(lo, CX_MIN(hi, J2));
        const cx_idx RPX = CX_T_IS_F64 ? t->tbl->dwconv_cl_row_px_f64 : t->tbl->dwconv_cl_row_px_f32;
        const cx_idx mid = lo + (hi - lo) / RPX * RPX;
        if (mid > lo) {
            const CONVX_CAT3(convx_, CONVX_DT, _dwconv_cl_row_ukernel_fn) rk =
                t->tbl->CONVX_CAT(dwconv_cl_row_, CONVX_DT)[CONVX_DWCONV_SLOT(KW, IS)];
            const T *xn = t->x + ((n * q->in[0] + id) * q->in[1]) * IW * C;
            const T **rows = px, **wrows = px + KH + 1;
            for (cx_idx r = 0; r <= KH; r++) rows[r] = xn + ((ih + r) * IW + lo * IS + omin) * C;
            for (cx_idx r = 0; r < KH; r++) wrows[r] = t->wp + r * KW * C;
            T *y0 = t->y + (((n * q->out[0] + o0) * q->out[1] + o1) * J2 + lo) * C;
            rk(mid - lo, C, KH, rows, wrows, t->bias, y0, C, 2, J2 * C);
            done = 1;
        }
    }
    CONVX_NAME(cl_dw_row)(t, n, o0, o1, 0, px, toff, woff, done);
    if (o1 + 1 < q->out[1]) CONVX_NAME(cl_dw_row)(t, n, o0, o1 + 1, 0, px, toff, woff, done);
}

static int CONVX_NAME(cl_dw_team)(void *ctx)
{
    const CTEAM *t = (const CTEAM *)ctx;
    const cl_geom *q = t->q;
    const cx_idx C = q->C_out, taps = q->k[0] * q->k[1] * q->k[2];
    int fail = 0;
    /* pack [tap][C] (the weights are [C][1][taps]) */
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
    for (cx_idx tap = 0; tap < taps; tap++)
        for (cx_idx c = 0; c < C; c++) t->wp[tap * C + c] = t->w[c * taps + tap];
    const cx_idx Jmax = q->Jmax2;
    size_t g1 = 0, g2 = 0;
    const T **px = (const T **)convx_ws_acquire((size_t)CX_MAX(Jmax, 2 * taps) * sizeof(T *), &g1);
    cx_idx *offs = (cx_idx *)convx_ws_acquire((size_t)(4 * taps) * sizeof(cx_idx), &g2);
    if (!px || !offs) fail = 1;
    const int pairs = CONVX_NAME(cl_dw_pairs)(q);
    const cx_idx nrows = pairs ? q->N * q->out[0] * CX_CEILDIV(q->out[1], (cx_idx)2)
                               : q->N * q->out[0] * q->out[1] * q->nph[2];
    const cx_idx every = cx_poll_every((double)q->out[2] / q->S[2] * C * taps * (pairs ? 2 : 1));
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 4) nowait
#endif
    for (cx_idx r = 0; r < nrows; r++) {
        if (fail || cx_cancelled_every(t->cc, r, every)) continue;
        if (pairs) {
            CONVX_NAME(cl_dw_pair)(t, r, px, offs, offs + 2 * taps);
        } else {   /* r = (image, o0, o1, W phase) */
            const cx_idx ph2 = r % q->nph[2];
            cx_idx rest = r / q->nph[2];
            const cx_idx o1 = rest % q->out[1];
            rest /= q->out[1];
            CONVX_NAME(cl_dw_row)(t, rest / q->out[0], rest % q->out[0], o1, ph2, px, offs,
                                  offs + 2 * taps, 0);
        }
    }
    convx_cancel_team_wait(t->cc);
    if (px) convx_ws_release((void *)px, g1);
    if (offs) convx_ws_release(offs, g2);
    return fail;
}

