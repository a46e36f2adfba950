/* plan.h — forward-convolution plans (plan.c / plan.template.c): the packing step and the run
 * step of convx_conv_* split apart, so a caller that runs one layer many times (convx.plan_conv*)
 * packs its weights once.
 *
 * convx_conv_plan_pack_<dt>: the packed weights of problem p for the variants that pack them
 * (today the indirect GEMM, whose packing does not depend on the batch N). wp == NULL: only the
 * element count; 0 means no variant of p's order packs (the plan keeps plain weights only).
 * wp: 64-byte aligned, count elements, written in full.
 * convx_conv_plan_run_<dt>: convx_conv_<dt> with the same selection (convx_conv_select on p,
 * whose N may differ from the one packed for) and the same arithmetic, using wpre (from
 * convx_conv_plan_pack_<dt> on a problem with the same channels, kernel, geometry and the same
 * active ISA, or NULL) instead of packing w and bias. Results are bit-identical to convx_conv_<dt>.
 * w, bias and wpre are only read, so concurrent runs of one plan are safe. *variant receives
 * the CONVX_VARIANT_* that ran. */
#ifndef CONVX_PLAN_H
#define CONVX_PLAN_H
#include "convx.h"

cx_idx convx_conv_plan_pack_f32(const convx_conv_problem *p, const float *w, const float *bias,
                                float *wp);
cx_idx convx_conv_plan_pack_f64(const convx_conv_problem *p, const double *w,
                                const double *bias, double *wp);
int convx_conv_plan_run_f32(const convx_conv_problem *p, const float *x, const float *w,
                            const float *bias, const float *wpre, float *y, int algorithm,
                            int workers, int *variant);
int convx_conv_plan_run_f64(const convx_conv_problem *p, const double *x, const double *w,
                            const double *bias, const double *wpre, double *y, int algorithm,
                            int workers, int *variant);
#endif
