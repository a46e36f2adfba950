/* conv.template.c — the forward convolution entry point convx_conv_f32 / _f64, one dtype.
 *
 * Included twice by conv.c (csrc/instantiate.h). Checks the problem, sizes the team, asks
 * convx_conv_select (conv.c) which variants to try and runs them in that order: a variant that
 * declines (CONVX_DECLINED) hands the problem to the next; any other status is final. The
 * variants' drivers are in csrc/conv/ (depthwise, sliding, indirect_gemm, shifted_gemm, panel_gemm,
 * blas_gemm).
 */
#if !defined(CONVX_T) || !defined(CONVX_DT)
#error "conv.template.c needs CONVX_T and CONVX_DT (include it from conv.c)"
#endif

#define T CONVX_T

/* Runs the variants in `order` until one does not decline the problem. */
static int CONVX_NAME(conv_try)(const convx_conv_problem *p, const T *x, const T *w,
                                const T *bias, T *y, int workers, const convx_table *tbl,
                                const int *order, int n, convx_cancel *cc)
{
    int st = CONVX_DECLINED;
    /* each variant but the last may decline the problem (CONVX_DECLINED); any other status,
     * errors included, is final */
    for (int i = 0; i < n; i++) {
        switch (order[i]) {
        case CONVX_VARIANT_DEPTHWISE:
            st = CONVX_NAME(conv_depthwise)(p, x, w, bias, y, workers, tbl, cc);
            break;
        case CONVX_VARIANT_SLIDING:
            st = CONVX_NAME(conv_sliding)(p, x, w, bias, y, workers, tbl, cc);
            break;
        case CONVX_VARIANT_INDIRECT_GEMM:
            st = CONVX_NAME(conv_indirect_gemm)(p, x, w, bias, y, workers, tbl, cc);
            break;
        case CONVX_VARIANT_SHIFTED_GEMM:
            st = CONVX_NAME(conv_shifted_gemm)(p, x, w, bias, y, workers, tbl, cc);
            break;
        case CONVX_VARIANT_PANEL_GEMM:
            st = CONVX_NAME(conv_panel_gemm)(p, x, w, bias, y, workers, tbl, cc);
            break;
        case CONVX_VARIANT_BLAS_GEMM:
            st = CONVX_NAME(conv_blas_gemm)(p, x, w, bias, y, workers, tbl, cc);
            break;
        default: return CONVX_ERR_INTERNAL;
        }
        if (st != CONVX_DECLINED) return convx_conv_ran(order[i], st);
    }
    return st;   /* CONVX_DECLINED: the last variant never declines; its message says so */
}

int CONVX_NAME(conv)(const convx_conv_problem *p, const T *x, const T *w, const T *bias, T *y,
                     int algorithm, int workers)
{
    int st = convx_conv_check(p);
    if (st != CONVX_OK) return st;
    /* element-aligned operands (Python copies misaligned ones); the kernels dereference T * */
    CX_ASSERT_ALIGNED(x, sizeof(T)); CX_ASSERT_ALIGNED(w, sizeof(T));
    CX_ASSERT_ALIGNED(bias, sizeof(T)); CX_ASSERT_ALIGNED(y, sizeof(T));
    const double work = (double)p->N * (double)p->C_out * (double)(p->C_in / p->groups) *
                        (double)(p->k[0] * p->k[1] * p->k[2]) *
                        (double)(p->out[0] * p->out[1] * p->out[2]);
    workers = cx_team_size(workers, work, CX_CONV_TEAM_MIN_WORK);
    const convx_table *tbl = convx_active_table();
    int order[CONVX_VARIANT_TRIES];
    const int n = convx_conv_select(p, algorithm, CX_T_IS_F64, tbl->isa, order);
    if (n == 0) return CONVX_ERR_ARG;
    /* every variant polls the call's cancel state between its blocks (csrc/interrupt.h) */
    convx_cancel cc;
    convx_cancel_begin(&cc, work);
    st = CONVX_NAME(conv_try)(p, x, w, bias, y, workers, tbl, order, n, &cc);
    return convx_cancel_end(&cc, st);
}


#undef T
