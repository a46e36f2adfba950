/* gemm.template.c — convx's own threaded GEMM driver over the gemm micro-kernels, one dtype.
 *
 * Included twice by gemm.c (CONVX_T / CONVX_DT / CX_T_IS_F64). For the families that lower to a
 * GEMM (transposed and deformable convolution): C[M][N] = A[M][K] * B[K][N] (+ bias[M]), all
 * row-major with leading dimensions in elements. Jobs are NR-column blocks x MR-multiple row
 * ranges, scheduled dynamically on `workers` OpenMP threads; the reduction over K is never split,
 * and a job's shape never changes an element's arithmetic, so results do not depend on
 * `workers`. Call it from outside any OpenMP parallel region (or with workers = 1).
 * convx_gemm_cx_* (interrupt.h) polls the caller's cancel state between jobs (a job is NR
 * columns x at most all M rows); convx_gemm_* owns one of its own.
 */
#if !defined(CONVX_T) || !defined(CONVX_DT)
#error "gemm.template.c needs CONVX_T and CONVX_DT (include it from gemm.c)"
#endif
#define T CONVX_T
#include "macrokernel.template.h"

int CONVX_NAME(gemm_cx)(cx_idx M, cx_idx N, cx_idx K, const T *A, cx_idx lda, const T *B,
                        cx_idx ldb, T *C, cx_idx ldc, const T *bias, int accumulate, int workers,
                        convx_cancel *cc)
{
    if (M < 0 || N < 0 || K < 0 || workers < 1) return CONVX_ERR_ARG;
    if (M == 0 || N == 0) return CONVX_OK;
    const convx_table *tbl = convx_active_table();
    const cx_idx MR = CX_GEMM_MR(tbl), NR = CX_GEMM_NR(tbl);
    if (K == 0) {   /* empty reduction: C = bias (or unchanged when accumulating) */
        if (!accumulate)
            for (cx_idx i = 0; i < M; i++)
                for (cx_idx j = 0; j < N; j++) C[i * ldc + j] = bias ? bias[i] : (T)0;
        return CONVX_OK;
    }
    const cx_idx nnb = CX_CEILDIV(N, NR), mblocks = CX_CEILDIV(M, MR);
    cx_idx msplit = 1;
    while (nnb * msplit < 4 * (cx_idx)workers && msplit * 2 <= mblocks) msplit *= 2;
    const cx_idx mstep = CX_CEILDIV(mblocks, msplit) * MR;
    msplit = CX_CEILDIV(M, mstep);
    const cx_idx njobs = nnb * msplit;
    const cx_idx every = cx_poll_every((double)NR * mstep * K);
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(workers)
#endif
    for (cx_idx job = 0; job < njobs; job++) {
        if (cx_cancelled_every(cc, job, every)) continue;
        const cx_idx j0 = (job % nnb) * NR, m0 = (job / nnb) * mstep;
        const cx_idx nn = CX_MIN(NR, N - j0), m1 = CX_MIN(M, m0 + mstep);
        CONVX_NAME(macrokernel)(tbl, m1 - m0, nn, K, A + m0 * lda, lda, B + j0, ldb, NR,
                                C + m0 * ldc + j0, ldc, accumulate, bias ? bias + m0 : NULL);
    }
    return CONVX_OK;
}

int CONVX_NAME(gemm)(cx_idx M, cx_idx N, cx_idx K, const T *A, cx_idx lda, const T *B,
                     cx_idx ldb, T *C, cx_idx ldc, const T *bias, int accumulate, int workers)
{
    convx_cancel cc;
    convx_cancel_begin(&cc, (double)M * (double)N * (double)K);
    const int st = CONVX_NAME(gemm_cx)(M, N, K, A, lda, B, ldb, C, ldc, bias, accumulate, workers,
                                       &cc);
    return convx_cancel_end(&cc, st);
}

#undef T
