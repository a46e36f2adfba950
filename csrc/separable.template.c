/* separable.template.c — fused depthwise-separable convolution, one dtype.
 *
 * Included twice by separable.c. The input is already padded (the Python layer applied the
 * padding and padding_mode), so the depthwise stage is a 'valid' strided, dilated correlation
 * per channel. Output rows are cut into blocks whose depthwise result [C_mid][rows * OW] fits a
 * ~1 MiB buffer (so it stays in cache between the stages, and the whole intermediate tensor is
 * never materialised); per block:
 *   1. depthwise rows, OpenMP over (channel, row) tasks, each row one `filter` micro-kernel
 *      call (strided rows are computed at stride 1 into a per-thread row, then subsampled);
 *   2. pointwise: convx_gemm (threaded, deterministic) writes y[n, :, od, rows, :] directly
 *      (ldc = OD * OH * OW), with the caller's bias (depthwise bias already folded in).
 * Bit-identical for any `workers`: every depthwise element is one thread's fixed-order tap sum
 * and convx_gemm is deterministic.
 */
#if !defined(CONVX_T) || !defined(CONVX_DT)
#error "separable.template.c needs CONVX_T and CONVX_DT (include it from separable.c)"
#endif

#define T CONVX_T
#if CX_T_IS_F64
#define SFN convx_f64_filter_ukernel_fn
#define SU_SCALAR convx_f64_filter_ukernel_1x4__scalar
#define SU_AVX2 convx_f64_filter_ukernel_1x16__avx2
#define SU_AVX512 convx_f64_filter_ukernel_1x32__avx512
#else
#define SFN convx_f32_filter_ukernel_fn
#define SU_SCALAR convx_f32_filter_ukernel_1x4__scalar
#define SU_AVX2 convx_f32_filter_ukernel_1x32__avx2
#define SU_AVX512 convx_f32_filter_ukernel_1x64__avx512
#endif

static SFN CONVX_CAT(dwsep_pick_, CONVX_DT)(void)
{
    switch (convx_cpu_active_isa()) {
#ifdef CONVX_HAVE_AVX512
    case CONVX_ISA_AVX512: return SU_AVX512;
#endif
#ifdef CONVX_HAVE_AVX2
    case CONVX_ISA_AVX2: return SU_AVX2;
#endif
    default: return SU_SCALAR;
    }
}

int CONVX_NAME(dwsep)(const convx_dwsep_problem *p, const T *x, const T *dw, const T *pw,
                      const T *bias, T *y, int workers)
{
    int status = convx_dwsep_check(p);
    if (status != CONVX_OK) return status;
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

    /* rows per block: depthwise block within ~1 MiB (L2 + shared L3), at least one row */
    cx_idx bh = ((cx_idx)1 << 20) / CX_MAX((cx_idx)1, Cm * OW * (cx_idx)sizeof(T));
    bh = CX_MAX((cx_idx)1, CX_MIN(bh, OH));
    cx_idx mid_elems, tmp_per;
    if (cx_mul_overflow(Cm, bh * OW, &mid_elems)) return CONVX_ERR_NOMEM;
    tmp_per = ((row_cols + 15) & ~(cx_idx)15) + ((ntaps * (cx_idx)sizeof(void *)) / sizeof(T) + 16);
    size_t mid_got = 0, tmp_got = 0;
    T *mid = (T *)convx_ws_acquire((size_t)mid_elems * sizeof(T), &mid_got);
    T *tmp = (T *)convx_ws_acquire((size_t)(tmp_per * workers) * sizeof(T), &tmp_got);
    if (!mid || !tmp) { status = CONVX_ERR_NOMEM; goto cleanup; }

    for (cx_idx n = 0; n < N && status == CONVX_OK; n++)
        for (cx_idx od = 0; od < OD && status == CONVX_OK; od++)
            for (cx_idx oh0 = 0; oh0 < OH; oh0 += bh) {
                const cx_idx rows = CX_MIN(bh, OH - oh0), ldm = rows * OW;
                const cx_idx ntask = Cm * rows;
#ifdef _OPENMP
#pragma omp parallel num_threads(workers)
#endif
                {
                    int tid = 0;
#ifdef _OPENMP
                    tid = omp_get_thread_num();
#endif
                    T *trow = tmp + tid * tmp_per;
                    const T **xp = (const T **)(void *)(trow + ((row_cols + 15) & ~(cx_idx)15));
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
                    for (cx_idx task = 0; task < ntask; task++) {
                        const cx_idx cm = task / rows, r = task % rows, c = cm / M;
                        const T *xc = x + (n * C + c) * ID * IH * IW;
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
                status = CONVX_NAME(gemm)(Co, ldm, Cm, pw, Cm, mid, ldm, yb, OD * OH * OW, bias, 0,
                                          workers);
                if (status != CONVX_OK) break;
            }
cleanup:
    if (mid) convx_ws_release(mid, mid_got);
    if (tmp) convx_ws_release(tmp, tmp_got);
    return status;
}

#undef T
#undef SFN
#undef SU_SCALAR
#undef SU_AVX2
#undef SU_AVX512
