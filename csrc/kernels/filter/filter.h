/* filter.h — prototypes of the `filter` micro-kernels (see filter.template.h for the contract)
 * and the per-ISA choice the filter driver makes. Declarations only: included by the driver
 * (baseline flags), never by ISA-flagged files. */
#ifndef CONVX_KERNELS_FILTER_H
#define CONVX_KERNELS_FILTER_H

#include "../../common.h"

typedef void (*convx_f32_filter_ukernel_fn)(cx_idx n, cx_idx n_taps, const float *const *xp,
                                            const float *w, float *y);
typedef void (*convx_f64_filter_ukernel_fn)(cx_idx n, cx_idx n_taps, const double *const *xp,
                                            const double *w, double *y);

void convx_f32_filter_ukernel_1x4__scalar(cx_idx, cx_idx, const float *const *, const float *,
                                          float *);
void convx_f64_filter_ukernel_1x4__scalar(cx_idx, cx_idx, const double *const *, const double *,
                                          double *);
void convx_f32_filter_ukernel_1x32__avx2(cx_idx, cx_idx, const float *const *, const float *,
                                         float *);
void convx_f64_filter_ukernel_1x16__avx2(cx_idx, cx_idx, const double *const *, const double *,
                                         double *);
void convx_f32_filter_ukernel_1x64__avx512(cx_idx, cx_idx, const float *const *, const float *,
                                           float *);
void convx_f64_filter_ukernel_1x32__avx512(cx_idx, cx_idx, const double *const *,
                                           const double *, double *);
#endif
