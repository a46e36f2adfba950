/* separable.template.c — fused depthwise-separable convolution, one dtype.
 *
 * Included twice by separable.c. The input is already padded (the Python layer applied the
 * padding and padding_mode), so the depthwise stage is a 'valid' strided, dilated correlation
 * per channel. The output is cut into tiles (image, output depth, block of output rows) whose
 * depthwise result [C_mid][rows * OW] fits ~256 KiB, and each thread runs whole tiles in one
 * parallel region (the whole intermediate tensor is never materialised):
 *   1. depthwise rows into the thread's private buffer, each row one `filter` micro-kernel call
 *      (strided rows are computed at stride 1 into a per-thread row, then subsampled);
 *   2. pointwise: single-threaded convx_gemm from that (still cache-hot) buffer writes
 *      y[n, :, od, rows, :] directly (ldc = OD * OH * OW), with the caller's bias (depthwise
 *      bias already folded in).
 * Bit-identical for any `workers`: tiles depend only on the shapes, every depthwise element is
 * one fixed-order tap sum and convx_gemm's per-element arithmetic is fixed.
 * Interrupts (interrupt.h): the call's cancel state is polled per tile, every few depthwise
 * channels and between the pointwise GEMM's jobs; a cancelled call skips the rest.
 */
#if !defined(CONVX_T) || !defined(CONVX_DT)
#error "separable.template.c needs CONVX_T and CONVX_DT (include it from separable.c)"
#endif

#define T CONVX_T
#define SFN CONVX_CAT3(convx_, CONVX_DT, _filter_ukernel_fn)

/* the active ISA's `filter` kernel, from the dispatch table */
static SFN CONVX_CAT(dwsep_pick_, CONVX_DT)(void)
{
    return convx_active_table()->CONVX_CAT(filter_, CONVX_DT);
}

int CONVX_NAME(dwsep)(const convx_dwsep_problem *p, const T *x, const T *dw, const T *pw,
                      const T *bias, T *y, int workers)
{
    int status = convx_dwsep_check(p);
    if (status != CONVX_OK) return status;
    /* element-aligned operands (Python copies misaligned ones); the kernels dereference T * */
    CX_ASSERT_ALIGNED(x, sizeof(T)); CX_ASSERT_ALIGNED(dw, sizeof(T));
    CX_ASSERT_ALIGNED(pw, sizeof(T)); CX_ASSERT_ALIGNED(bias, sizeof(T));
    CX_ASSERT_ALIGNED(y, sizeof(T));
    if (workers < 1) workers = 1;
    const cx_idx N = p->N, C = p->C_in, M = p->mult, Cm = C * M, Co = p->C_out;
    const cx_idx ID = p->in[0], IH = p->in[1], IW = p->in[2];
    const cx_idx KD = p->k[0], KH = p->k[1], KW = p->k[2], ntaps = KD * KH * KW;
    const cx_idx OD = p->out[0], OH = p->out[1], OW = p->out[2];
    const cx_idx sd = p->stride[0], sh = p->stride[1], sw = p->stride[2];
    const cx_idx dd = p->dil[0], dh = p->dil[1], dwl = p->dil[2];
    const cx_idx row_cols = (OW - 1) * sw + 1;       /* stride-1 row the kernel computes */
    const SFN uk = CONVX_CAT(dwsep_pick_, CONVX_DT)();
    if (N == 0) return CONVX_OK;

    /* Tiles are (image, output depth, block of output rows); each thread runs whole tiles:
     * depthwise rows into its private [C_mid][rows * OW] buffer, then a single-threaded GEMM
     * from that buffer straight into y. One parallel region per call (no fork/join per block,
     * no barrier between the stages), and the buffer (<= ~256 KiB, half of a 1 MiB L2) is
     * still hot when the GEMM reads it. Tile rows depend only on the shapes (never on
     * `workers`), and the GEMM's per-element arithmetic does not depend on the column count,
     * so the result is bit-identical for any `workers`. */
    cx_idx bh = ((cx_idx)256 << 10) / CX_MAX((cx_idx)1, Cm * OW * (cx_idx)sizeof(T));
    bh = CX_MAX((cx_idx)1, CX_MIN(bh, OH));
    /* at least ~8 tiles per call so both cores get balanced work (shape-only rule) */
    while (bh > 1 && N * OD * CX_CEILDIV(OH, bh) < 8) bh = CX_CEILDIV(bh, 2);
    const cx_idx nbh = CX_CEILDIV(OH, bh), ntile = N * OD * nbh;
    cx_idx mid_elems, tmp_per;
    if (cx_mul_overflow(Cm, bh * OW, &mid_elems)) return CONVX_ERR_NOMEM;
    mid_elems = (mid_elems + 15) & ~(cx_idx)15;
    tmp_per = mid_elems + ((row_cols + 15) & ~(cx_idx)15) +
              ((ntaps * (cx_idx)sizeof(void *)) / sizeof(T) + 16);
    /* each thread's part starts on a 64-byte boundary (16 elements of either dtype) */
    tmp_per = (tmp_per + 15) & ~(cx_idx)15;
    if (workers > ntile) workers = (int)ntile;
    size_t tmp_got = 0;
    T *tmp = (T *)convx_ws_acquire((size_t)(tmp_per * workers) * sizeof(T), &tmp_got);
    if (!tmp) return CONVX_ERR_NOMEM;
    convx_cancel cc;
    convx_cancel_begin(&cc, (double)N * (double)(OD * OH * OW) * (double)Cm *
                                (double)(ntaps + Co));
    const cx_idx cm_every = cx_poll_every((double)bh * row_cols * ntaps);
    int fail = CONVX_OK;
#ifdef _OPENMP
#pragma omp parallel num_threads(workers)
#endif
    {
        int tid = 0;
#ifdef _OPENMP
        tid = omp_get_thread_num();
#endif
        T *mid = tmp + tid * tmp_per;
        T *trow = mid + mid_elems;
        const T **xp = (const T **)(void *)(trow + ((row_cols + 15) & ~(cx_idx)15));
        CX_ASSERT_ALIGNED(mid, 64); CX_ASSERT_ALIGNED(xp, 64);
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1) nowait
#endif
        for (cx_idx tile = 0; tile < ntile; tile++) {
            if (cx_cancelled(&cc)) continue;
            const cx_idx n = tile / (OD * nbh), od = (tile / nbh) % OD, oh0 = (tile % nbh) * bh;
            const cx_idx rows = CX_MIN(bh, OH - oh0), ldm = rows * OW;
            for (cx_idx cm = 0; cm < Cm; cm++) {
                if (cm > 0 && cx_cancelled_every(&cc, cm, cm_every)) break;
                const cx_idx c = cm / M;
                const T *xc = x + (n * C + c) * ID * IH * IW;
                for (cx_idx r = 0; r < rows; r++) {
                    cx_idx t = 0;
                    for (cx_idx kd = 0; kd < KD; kd++)
                        for (cx_idx kh = 0; kh < KH; kh++) {
                            const T *row = xc + ((od * sd + kd * dd) * IH +
                                                 (oh0 + r) * sh + kh * dh) * IW;
                            for (cx_idx kw = 0; kw < KW; kw++) xp[t++] = row + kw * dwl;
                        }
                    T *dst = mid + cm * ldm + r * OW;
                    if (sw == 1) {
                        uk(OW, ntaps, xp, dw + cm * ntaps, dst);
                    } else {
                        uk(row_cols, ntaps, xp, dw + cm * ntaps, trow);
                        for (cx_idx j = 0; j < OW; j++) dst[j] = trow[j * sw];
                    }
                }
            }
            T *yb = y + ((n * Co) * OD + od) * OH * OW + oh0 * OW;
            if (cx_stopped(&cc)) continue;
            int st = CONVX_NAME(gemm_cx)(Co, ldm, Cm, pw, Cm, mid, ldm, yb, OD * OH * OW, bias, 0,
                                         1, &cc);
            if (st != CONVX_OK) {
#ifdef _OPENMP
#pragma omp critical(convx_dwsep_fail)
#endif
                fail = st;
            }
        }
        convx_cancel_team_wait(&cc);
    }
    status = convx_cancel_end(&cc, fail);
    convx_ws_release(tmp, tmp_got);
    return status;
}

#undef T
#undef SFN
