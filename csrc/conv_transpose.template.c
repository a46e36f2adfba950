/* conv_transpose.template.c — the transposed convolution entry point convx_conv_transpose_f32 /
 * _f64, one dtype.
 *
 * Included twice by conv_transpose.c (csrc/instantiate.h). Checks the problem, sizes the team,
 * resolves algorithm "auto" through convx_conv_transpose_select (conv_transpose.c) and runs the
 * driver: the sub-pixel one (conv_transpose_subpixel.template.c) or a GEMM + col2im one
 * (conv_transpose_gemm.template.c). The sub-pixel driver declines strides beyond its tables
 * before touching y; the problem then goes to the GEMM + col2im rule, and last_variant says so.
 */
#if !defined(CONVX_T) || !defined(CONVX_DT)
#error "conv_transpose.template.c needs CONVX_T and CONVX_DT (include it from conv_transpose.c)"
#endif

#define T CONVX_T

int CONVX_NAME(conv_transpose)(const convx_conv_transpose_problem *p, const T *x, const T *w,
                               const T *bias, T *y, int algorithm, int workers)
{
    int st = convx_conv_transpose_check(p);
    if (st != CONVX_OK) return st;
    /* element-aligned operands (Python copies misaligned ones); the kernels dereference T * */
    CX_ASSERT_ALIGNED(x, sizeof(T)); CX_ASSERT_ALIGNED(w, sizeof(T));
    CX_ASSERT_ALIGNED(bias, sizeof(T)); CX_ASSERT_ALIGNED(y, sizeof(T));
    if (algorithm != CONVX_CT_AUTO && algorithm != CONVX_CT_FUSED &&
        algorithm != CONVX_CT_TWO_PASS && algorithm != CONVX_CT_SUBPIXEL)
        return CONVX_ERR_ARG;
    if (p->N == 0) return CONVX_OK;
    const convx_table *tbl = convx_active_table();
    if (algorithm == CONVX_CT_AUTO) algorithm = convx_conv_transpose_select(p, CX_T_IS_F64, -1);
    const cx_idx Pin = p->in[0] * p->in[1] * p->in[2];
    const cx_idx M = (p->C_out / p->groups) * p->k[0] * p->k[1] * p->k[2];
    const double work = (double)p->N * (double)Pin * (double)(p->C_in / p->groups) * (double)M;
    workers = cx_team_size(workers, work, CX_CONV_TEAM_MIN_WORK);
    convx_cancel cc;
    convx_cancel_begin(&cc, work);
    int variant = CONVX_CT_VARIANT_NONE, phase = CONVX_VARIANT_NONE;
    if (algorithm == CONVX_CT_SUBPIXEL) {
        st = CONVX_NAME(ct_subpixel)(p, x, w, bias, y, workers, tbl, &cc, &phase);
        if (st != CONVX_DECLINED)
            return convx_cancel_end(&cc, convx_conv_transpose_ran(CONVX_CT_VARIANT_SUBPIXEL,
                                                                  phase, st));
        algorithm = p->N * Pin < M ? CONVX_CT_FUSED : CONVX_CT_TWO_PASS;
    }
    st = CONVX_NAME(ct_gemm)(p, x, w, bias, y, algorithm, workers, tbl, &cc, &variant);
    return convx_cancel_end(&cc, convx_conv_transpose_ran(variant, phase, st));
}

#undef T
