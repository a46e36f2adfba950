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
/* filter2d: 4 output rows of a dense 2-D correlation at once (filter2d.template.h) */
typedef void (*convx_f32_filter2d_ukernel_fn)(cx_idx n, cx_idx kH, cx_idx kW, cx_idx tstride,
                                              const float *const *rows, const float *w,
                                              float *const *ys);
typedef void (*convx_f64_filter2d_ukernel_fn)(cx_idx n, cx_idx kH, cx_idx kW, cx_idx tstride,
                                              const double *const *rows, const double *w,
                                              double *const *ys);
#define CX_F2D_PROTO(dt, ctype, tile, isa)                                                    \
    void convx_##dt##_filter2d_ukernel_##tile##__##isa(cx_idx, cx_idx, cx_idx, cx_idx,         \
                                                       const ctype *const *, const ctype *,   \
                                                       ctype *const *);
CX_F2D_PROTO(f32, float, 4x2, scalar)
CX_F2D_PROTO(f64, double, 4x2, scalar)
CX_F2D_PROTO(f32, float, 4x16, avx2)
CX_F2D_PROTO(f64, double, 4x8, avx2)
CX_F2D_PROTO(f32, float, 4x64, avx512)
CX_F2D_PROTO(f64, double, 4x24, avx512)
#undef CX_F2D_PROTO
#endif
