/* filters_fft.template.c — the FFT (overlap-save) correlation driver for convx.filters, one dtype.
 *
 * Included twice by filters.c (after filters.template.c) with CONVX_T / CONVX_DT / CX_T_IS_F64
 * defined. Problem: convx_filter_problem with k[0] == 1 and inner == 1 (planes d are independent
 * and join the batch). The output is cut into tiles of V0 x V1 = (N - kH + 1) x (N - kW + 1)
 * pixels; a tile's N x N input window (rows h - lo1 .., columns u - lo2 .., extended by the
 * boundary mode) is correlated with the zero-padded kernel by a circular correlation, whose
 * first V0 x V1 outputs do not wrap and are the answer. Two tiles go through one complex
 * transform (one as the real part, one as the imaginary part: the kernel is real), by the
 * `fftconv` micro-kernel of the active ISA.
 *
 * Threads take pairs of tiles (OpenMP dynamic schedule); each pair is computed by one thread
 * the same way for any team, so results are bit-identical for any `workers`. Workspace: the
 * kernel spectrum (2 N^2), twiddles and the column map shared read-only, 2 N^2 per thread.
 * The tile size N = 2^logn is the caller's (convx/filters/_fft.py measures it per ISA).
 *
 * Non-finite values: one inf or NaN in a window would spread over the whole tile, so the
 * driver sets *nonfinite when any computed output is not finite and the caller reruns the
 * direct path (which confines them to their windows).
 */
#if !defined(CONVX_T) || !defined(CONVX_DT)
#error "filters_fft.template.c needs CONVX_T and CONVX_DT (include it from filters.c)"
#endif

#define T CONVX_T
#define FFT_FN CONVX_CAT3(convx_, CONVX_DT, _fftconv_ukernel_fn)

/* dst[r][c] = ext[h0 + r][e0 + c], r, c < N; ext rows through the boundary map, columns
 * through cmap (cmap[e] is the source column of extended column e - e_off, -1 for cval) */
static void CONVX_CAT(fft_gather_, CONVX_DT)(T *CX_RESTRICT dst, const T *plane, cx_idx H,
                                            cx_idx W, cx_idx N, cx_idx h0, cx_idx e0,
                                            const cx_idx *cmap, int mode, T cval)
{
    const int inside = e0 >= 0 && e0 + N <= W;
    for (cx_idx r = 0; r < N; r++, dst += N) {
        const cx_idx sh = cx_filter_map(h0 + r, H, mode);
        if (sh < 0) {
            for (cx_idx c = 0; c < N; c++) dst[c] = cval;
            continue;
        }
        const T *src = plane + sh * W;
        if (inside) {
            memcpy(dst, src + e0, (size_t)N * sizeof(T));
        } else {
            for (cx_idx c = 0; c < N; c++) {
                const cx_idx s = cmap[c];
                dst[c] = s < 0 ? cval : src[s];
            }
        }
    }
}

/* y rows [h0, h0 + rows) x columns [u0, u0 + cols) from the tile; returns NaN if any output
 * is not finite, else 0 (eight partial sums: one chain would cost its add latency per element) */
static T CONVX_CAT(fft_scatter_, CONVX_DT)(T *y, cx_idx W, const T *tile, cx_idx N, cx_idx h0,
                                          cx_idx rows, cx_idx u0, cx_idx cols)
{
    T acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (cx_idx r = 0; r < rows; r++) {
        T *dst = y + (h0 + r) * W + u0;
        const T *src = tile + r * N;
        memcpy(dst, src, (size_t)cols * sizeof(T));
        cx_idx c = 0;
        for (; c + 8 <= cols; c += 8)
            for (int q = 0; q < 8; q++) acc[q] += src[c + q] - src[c + q];   /* 0, or NaN */
        for (; c < cols; c++) acc[0] += src[c] - src[c];
    }
    return acc[0] + acc[1] + acc[2] + acc[3] + acc[4] + acc[5] + acc[6] + acc[7];
}

static int CONVX_NAME(filter_fft_run)(const convx_filter_problem *p, const T *x, const T *w,
                                      int logn, T *y, int workers, int *nonfinite,
                                      convx_cancel *cc);

int CONVX_NAME(filter_fft)(const convx_filter_problem *p, const T *x, const T *w, int logn,
                           T *y, int workers, int *nonfinite)
{
    int status = convx_filter_check(p);
    if (status != CONVX_OK) return status;
    *nonfinite = 0;
    if (p->k[0] != 1 || p->inner != 1 || logn < 5 || logn > 12) return CONVX_ERR_ARG;
    const cx_idx N = (cx_idx)1 << logn;
    if (2 * p->k[1] > N || 2 * p->k[2] > N) return CONVX_ERR_ARG;   /* >= half a tile valid */
    CX_ASSERT_ALIGNED(x, sizeof(T)); CX_ASSERT_ALIGNED(w, sizeof(T));
    CX_ASSERT_ALIGNED(y, sizeof(T));
    /* multiply-add equivalents: ~ 10 log2(N) flops per tile sample, per output */
    const double work = (double)p->B * p->in[0] * p->in[1] * p->in[2] * 10.0 * logn;
    workers = cx_team_size(workers, work, 65536.0);
    convx_cancel cc;
    convx_cancel_begin(&cc, work);
    status = CONVX_NAME(filter_fft_run)(p, x, w, logn, y, workers, nonfinite, &cc);
    return convx_cancel_end(&cc, status);
}

static int CONVX_NAME(filter_fft_run)(const convx_filter_problem *p, const T *x, const T *w,
                                      int logn, T *y, int workers, int *nonfinite,
                                      convx_cancel *cc)
{
    const cx_idx P = p->B * p->in[0], H = p->in[1], W = p->in[2];
    const cx_idx KH = p->k[1], KW = p->k[2], loh = p->lo[1], low = p->lo[2];
    const int mode = p->mode;
    const T cval = (T)p->cval;
    const cx_idx N = (cx_idx)1 << logn, NN = N * N;
    const cx_idx V0 = N - KH + 1, V1 = N - KW + 1;
    const FFT_FN uk = convx_active_table()->CONVX_CAT(fftconv_, CONVX_DT);
    if (P == 0) return CONVX_OK;
    const cx_idx nty = CX_CEILDIV(H, V0), ntx = CX_CEILDIV(W, V1);
    const cx_idx ntiles = P * nty * ntx, npairs = CX_CEILDIV(ntiles, (cx_idx)2);
    const cx_idx ncmap = ntx * V1 + N;

    /* shared: kernel spectrum [2 N^2] | twiddles [N] | column map [ncmap] (int64) */
    size_t sgot = 0;
    const size_t sbytes = (size_t)(2 * NN + N) * sizeof(T) + (size_t)ncmap * sizeof(cx_idx);
    T *shared = (T *)convx_ws_acquire(sbytes, &sgot);
    if (!shared) return CONVX_ERR_NOMEM;
    T *kre = shared, *kim = shared + NN, *twr = shared + 2 * NN, *twi = twr + N / 2;
    cx_idx *cmap = (cx_idx *)(void *)(twr + N);
    CX_ASSERT_ALIGNED(cmap, sizeof(cx_idx));
    for (cx_idx j = 0; j < N / 2; j++) {
        const double a = -6.283185307179586476925286766559 * (double)j / (double)N;
        twr[j] = (T)cos(a);
        twi[j] = (T)sin(a);
    }
    for (cx_idx e = 0; e < ncmap; e++) cmap[e] = cx_filter_map(e - low, W, mode);
    /* the kernel's spectrum, conjugated (correlation) and scaled by 1/N^2 (the inverse is not) */
    memset(kre, 0, (size_t)(2 * NN) * sizeof(T));
    for (cx_idx i = 0; i < KH; i++)
        for (cx_idx j = 0; j < KW; j++) kre[i * N + j] = w[i * KW + j];
    uk(logn, kre, kim, NULL, NULL, twr, twi);
    const T scale = (T)(1.0 / ((double)N * (double)N));
    for (cx_idx e = 0; e < NN; e++) {
        kre[e] *= scale;
        kim[e] *= -scale;
    }
    const size_t ws_bytes = (size_t)(2 * NN) * sizeof(T);
    const cx_idx every = cx_poll_every(20.0 * (double)NN * logn);

    int fail = 0;
    T bad = 0;
#ifdef _OPENMP
#pragma omp parallel num_threads(workers) reduction(| : fail) reduction(+ : bad)
#endif
    {
        size_t got = 0;
        T *re = (T *)convx_ws_acquire(ws_bytes, &got);
        if (!re) fail = 1;
        T *im = re ? re + NN : NULL;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1) nowait
#endif
        for (cx_idx pr = 0; pr < npairs; pr++) {
            if (!re || cx_cancelled_every(cc, pr, every)) continue;
            for (int half = 0; half < 2; half++) {
                const cx_idx t = 2 * pr + half;
                T *dst = half ? im : re;
                if (t >= ntiles) {
                    memset(dst, 0, (size_t)NN * sizeof(T));
                    continue;
                }
                const cx_idx tx = t % ntx, ty = (t / ntx) % nty, pl = t / (ntx * nty);
                const cx_idx u0 = tx * V1;
                CONVX_CAT(fft_gather_, CONVX_DT)(dst, x + pl * H * W, H, W, N, ty * V0 - loh,
                                                 u0 - low, cmap + u0, mode, cval);
            }
            uk(logn, re, im, kre, kim, twr, twi);
            for (int half = 0; half < 2; half++) {
                const cx_idx t = 2 * pr + half;
                if (t >= ntiles) break;
                const cx_idx tx = t % ntx, ty = (t / ntx) % nty, pl = t / (ntx * nty);
                const cx_idx h0 = ty * V0, u0 = tx * V1;
                bad += CONVX_CAT(fft_scatter_, CONVX_DT)(y + pl * H * W, W, half ? im : re, N,
                                                         h0, CX_MIN(V0, H - h0), u0,
                                                         CX_MIN(V1, W - u0));
            }
        }
        convx_cancel_team_wait(cc);
        if (re) convx_ws_release(re, got);
    }
    convx_ws_release(shared, sgot);
    if (bad != 0 || bad != bad) *nonfinite = 1;
    return fail ? CONVX_ERR_NOMEM : CONVX_OK;
}

#undef T
#undef FFT_FN
