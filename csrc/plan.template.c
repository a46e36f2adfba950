/* plan.template.c — convx_conv_plan_pack_<dt> / convx_conv_plan_run_<dt> (plan.h), one dtype.
 * Included twice by plan.c (csrc/instantiate.h). The run step mirrors conv.template.c's entry
 * point (checks, team size, selection, cancel state, fall-through order) with the indirect
 * GEMM's packing taken from the plan. */
#if !defined(CONVX_T) || !defined(CONVX_DT)
#error "plan.template.c needs CONVX_T and CONVX_DT (include it from plan.c)"
#endif

#define T CONVX_T

cx_idx CONVX_NAME(conv_plan_pack)(const convx_conv_problem *p, const T *w, const T *bias, T *wp)
{
    const convx_table *tbl = convx_active_table();
    if (convx_check_conv_geometry(p->N, p->C_in, p->C_out, p->groups, p->in, p->k, p->out,
                                  p->stride, p->pad, p->dil) != CONVX_OK)
        return 0;
    /* the cost model's choice depends on the batch N: pack when the indirect GEMM is picked
     * at the planned batch, at N = 1 or at a large batch, so a plan made for one batch still
     * holds packed weights for later calls whose batch selects it (the packing itself does not
     * depend on N) */
    const cx_idx batches[3] = {p->N > 0 ? p->N : 1, 1, (cx_idx)1 << 20};
    for (int b = 0; b < 3; b++) {
        convx_conv_problem q = *p;
        q.N = batches[b];
        int order[CONVX_VARIANT_TRIES];
        const int n = convx_conv_select(&q, CONVX_ALGO_DIRECT, CX_T_IS_F64, tbl->isa, order);
        for (int i = 0; i < n; i++)
            if (order[i] == CONVX_VARIANT_INDIRECT_GEMM)
                return CONVX_NAME(conv_indirect_gemm_pack)(p, tbl, w, bias, wp);
    }
    return 0;
}

int CONVX_NAME(conv_plan_run)(const convx_conv_problem *p, const T *x, const T *w, const T *bias,
                              const T *wpre, T *y, int algorithm, int workers, int *variant)
{
    int st = convx_check_conv_geometry(p->N, p->C_in, p->C_out, p->groups, p->in, p->k, p->out,
                                       p->stride, p->pad, p->dil);
    if (st != CONVX_OK) return st;
    const double work = (double)p->N * (double)p->C_out * (double)(p->C_in / p->groups) *
                        (double)(p->k[0] * p->k[1] * p->k[2]) *
                        (double)(p->out[0] * p->out[1] * p->out[2]);
    workers = cx_team_size(workers, work, CX_CONV_TEAM_MIN_WORK);
    const convx_table *tbl = convx_active_table();
    int order[CONVX_VARIANT_TRIES];
    const int n = convx_conv_select(p, algorithm, CX_T_IS_F64, tbl->isa, order);
    if (n == 0) return CONVX_ERR_ARG;
    convx_cancel cc;
    convx_cancel_begin(&cc, work);
    st = CONVX_DECLINED;
    for (int i = 0; i < n && st == CONVX_DECLINED; i++) {
        switch (order[i]) {
        case CONVX_VARIANT_DEPTHWISE:
            st = CONVX_NAME(conv_depthwise)(p, x, w, bias, y, workers, tbl, &cc);
            break;
        case CONVX_VARIANT_SLIDING:
            st = CONVX_NAME(conv_sliding)(p, x, w, bias, y, workers, tbl, &cc);
            break;
        case CONVX_VARIANT_INDIRECT_GEMM:
            st = wpre ? CONVX_NAME(conv_indirect_gemm_packed)(p, x, wpre, y, workers, tbl, &cc)
                      : CONVX_NAME(conv_indirect_gemm)(p, x, w, bias, y, workers, tbl, &cc);
            break;
        case CONVX_VARIANT_SHIFTED_GEMM:
            st = CONVX_NAME(conv_shifted_gemm)(p, x, w, bias, y, workers, tbl, &cc);
            break;
        case CONVX_VARIANT_PANEL_GEMM:
            st = CONVX_NAME(conv_panel_gemm)(p, x, w, bias, y, workers, tbl, &cc);
            break;
        case CONVX_VARIANT_BLAS_GEMM:
            st = CONVX_NAME(conv_blas_gemm)(p, x, w, bias, y, workers, tbl, &cc);
            break;
        default:
            st = CONVX_ERR_INTERNAL;
        }
        if (st != CONVX_DECLINED && variant) *variant = order[i];
    }
    return convx_cancel_end(&cc, st);
}

#undef T
