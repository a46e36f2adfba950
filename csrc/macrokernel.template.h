/* macrokernel.template.h — the loops around convx's GEMM micro-kernel (BLIS's "ker_var2"),
 * one dtype. Included by a *.template.c after `#define T CONVX_T` (no include guard: once per
 * instantiation); defines static CONVX_NAME(macrokernel) and CONVX_NAME(macrokernel_shifted).
 *
 * C[m][j] = (accumulate ? C[m][j] : bias[m] or 0) + sum_k A[m][k] * B[k][j]
 * for rows [0, M) and columns [0, N) (K >= 1: with K = 0 nothing is written), walked as
 * NR-column micro-panels of B (js), the reduction in kc-long chunks (k0, ascending: each
 * element's k order is that of one long call, whatever kc), and MR-row micro-tiles of A (m)
 * against the panel chunk that stays in cache. Edge tiles
 * (m < MR rows, n < NR columns) go to the micro-kernel as they are: it masks them itself.
 * B's micro-panel js starts at B + (js / NR) * bpanel: bpanel = NR for a plain row-major B
 * (leading dimension ldb), K * NR (or more) for panels packed contiguously with ldb = NR.
 * The shifted form reads row k of B at B + boff[k] (the shifted_gemm micro-kernel).
 */
#if !defined(CONVX_T) || !defined(CONVX_DT)
#error "macrokernel.template.h needs CONVX_T and CONVX_DT (include it from a *.template.c)"
#endif

static inline void CONVX_NAME(macrokernel)(const convx_table *tbl, cx_idx M, cx_idx N, cx_idx K,
                                           const T *A, cx_idx lda, const T *B, cx_idx ldb,
                                           cx_idx bpanel, T *C, cx_idx ldc, int accumulate,
                                           const T *bias)
{
    const CONVX_CAT3(convx_, CONVX_DT, _gemm_ukernel_fn) uk = tbl->CONVX_CAT(gemm_, CONVX_DT);
    const cx_idx MR = CX_GEMM_MR(tbl), NR = CX_GEMM_NR(tbl);
    const cx_idx kc = CX_MAX((cx_idx)1, tbl->gemm_kc);
    for (cx_idx js = 0; js < N; js += NR) {
        const cx_idx nn = CX_MIN(NR, N - js);
        const T *Bp = B + (js / NR) * bpanel;
        for (cx_idx k0 = 0; k0 < K; k0 += kc) {
            const cx_idx kn = CX_MIN(kc, K - k0);
            for (cx_idx m = 0; m < M; m += MR)
                uk(kn, A + m * lda + k0, lda, Bp + k0 * ldb, ldb, C + m * ldc + js, ldc,
                   CX_MIN(MR, M - m), nn, accumulate || k0 > 0, bias ? bias + m : NULL);
        }
    }
}

static inline void CONVX_NAME(macrokernel_shifted)(const convx_table *tbl, cx_idx M, cx_idx N,
                                                   cx_idx K, const T *A, cx_idx lda,
                                                   const T *B, const cx_idx *boff, T *C,
                                                   cx_idx ldc, int accumulate, const T *bias)
{
    const CONVX_CAT3(convx_, CONVX_DT, _shifted_gemm_ukernel_fn) uk =
        tbl->CONVX_CAT(shifted_gemm_, CONVX_DT);
    const cx_idx MR = CX_GEMM_MR(tbl), NR = CX_GEMM_NR(tbl);
    const cx_idx kc = CX_MAX((cx_idx)1, tbl->gemm_kc);
    for (cx_idx js = 0; js < N; js += NR) {
        const cx_idx nn = CX_MIN(NR, N - js);
        for (cx_idx k0 = 0; k0 < K; k0 += kc) {
            const cx_idx kn = CX_MIN(kc, K - k0);
            for (cx_idx m = 0; m < M; m += MR)
                uk(kn, A + m * lda + k0, lda, B + js, boff + k0, C + m * ldc + js, ldc,
                   CX_MIN(MR, M - m), nn, accumulate || k0 > 0, bias ? bias + m : NULL);
        }
    }
}
