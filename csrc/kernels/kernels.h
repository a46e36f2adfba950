/* kernels.h — prototypes of every micro-kernel (expanded from the <family>.inc lists), the
 * per-ISA dispatch table type, and the kernel registry used for introspection and tests.
 * Included by drivers (baseline flags) and by nothing compiled with ISA flags, so it only
 * declares.
 */
#ifndef CONVX_KERNELS_H
#define CONVX_KERNELS_H

#include "../common.h"

/* direct micro-kernel, see kernels/direct/direct.template.h for the contract */
typedef void (*convx_f32_direct_ukernel_fn)(cx_idx n_rows, cx_idx n, cx_idx n_c, cx_idx n_taps,
                                            const cx_idx *tap_off, cx_idx x_cstride,
                                            cx_idx x_rstride, const float *x, const float *w,
                                            float *y, cx_idx y_stride, cx_idx y_rstride, cx_idx m,
                                            const float *bias);
typedef void (*convx_f64_direct_ukernel_fn)(cx_idx n_rows, cx_idx n, cx_idx n_c, cx_idx n_taps,
                                            const cx_idx *tap_off, cx_idx x_cstride,
                                            cx_idx x_rstride, const double *x, const double *w,
                                            double *y, cx_idx y_stride, cx_idx y_rstride, cx_idx m,
                                            const double *bias);
/* GEMM micro-kernel, see kernels/gemm/gemm.template.h */
typedef void (*convx_f32_gemm_ukernel_fn)(cx_idx K, const float *A, cx_idx lda, const float *B,
                                          cx_idx ldb, float *C, cx_idx ldc, cx_idx m, cx_idx n,
                                          int accumulate, const float *bias);
typedef void (*convx_f64_gemm_ukernel_fn)(cx_idx K, const double *A, cx_idx lda, const double *B,
                                          cx_idx ldb, double *C, cx_idx ldc, cx_idx m, cx_idx n,
                                          int accumulate, const double *bias);
#define CONVX_GEMM_UKERNEL(isa, dt, ctype, mr, nr, name)                                      \
    void name(cx_idx K, const ctype *A, cx_idx lda, const ctype *B, cx_idx ldb, ctype *C,     \
              cx_idx ldc, cx_idx m, cx_idx n, int accumulate, const ctype *bias);
#include "gemm/gemm.inc"
#undef CONVX_GEMM_UKERNEL

/* indirect GEMM micro-kernel: row k of B at B + boff[k] (kernels/gemm/, CX_GEMM_INDIRECT) */
typedef void (*convx_f32_igemm_ukernel_fn)(cx_idx K, const float *A, cx_idx lda, const float *B,
                                           const cx_idx *boff, float *C, cx_idx ldc, cx_idx m,
                                           cx_idx n, int accumulate, const float *bias);
typedef void (*convx_f64_igemm_ukernel_fn)(cx_idx K, const double *A, cx_idx lda,
                                           const double *B, const cx_idx *boff, double *C,
                                           cx_idx ldc, cx_idx m, cx_idx n, int accumulate,
                                           const double *bias);
#define CONVX_IGEMM_UKERNEL(isa, dt, ctype, mr, nr, name)                                     \
    void name(cx_idx K, const ctype *A, cx_idx lda, const ctype *B, const cx_idx *boff,       \
              ctype *C, cx_idx ldc, cx_idx m, cx_idx n, int accumulate, const ctype *bias);
#include "gemm/igemm.inc"
#undef CONVX_IGEMM_UKERNEL

/* output-channel-blocked direct micro-kernel, see kernels/ocblock/ocblock.template.h */
typedef void (*convx_f32_ocblock_ukernel_fn)(cx_idx K, const float *w, const float *const *px,
                                             const cx_idx *koff, cx_idx n, float *c,
                                             int accumulate, const float *bias);
typedef void (*convx_f64_ocblock_ukernel_fn)(cx_idx K, const double *w, const double *const *px,
                                             const cx_idx *koff, cx_idx n, double *c,
                                             int accumulate, const double *bias);
#define CONVX_OCBLOCK_UKERNEL(isa, dt, ctype, ocb, np, name)                                  \
    void name(cx_idx K, const ctype *w, const ctype *const *px, const cx_idx *koff, cx_idx n, \
              ctype *c, int accumulate, const ctype *bias);
#include "ocblock/ocblock.inc"
#undef CONVX_OCBLOCK_UKERNEL
/* strided transpose dst[c*ldd + r] = src[r*lds + c], r < R, c < C (kernels/transpose/;
 * f32 AVX-512 only, drivers fall back to plain loops) */
typedef void (*convx_f32_transpose_fn)(cx_idx R, cx_idx C, const float *src, cx_idx lds,
                                       float *dst, cx_idx ldd);
typedef void (*convx_f64_transpose_fn)(cx_idx R, cx_idx C, const double *src, cx_idx lds,
                                       double *dst, cx_idx ldd);
void convx_f32_transpose__avx512(cx_idx R, cx_idx C, const float *src, cx_idx lds, float *dst,
                                 cx_idx ldd);

/* depthwise 3x3 micro-kernels reading one channel's input rows in place, see kernels/dwconv/ */
typedef void (*convx_f32_dwconv_ukernel_fn)(cx_idx n_rows, cx_idx n, const float *const *rows,
                                            cx_idx IW, cx_idx pw, const float *w, float bias,
                                            float *y, cx_idx y_rstride);
#define CONVX_DWCONV_UKERNEL(isa, dt, ctype, k, s, name)                                      \
    void name(cx_idx n_rows, cx_idx n, const ctype *const *rows, cx_idx IW, cx_idx pw,        \
              const ctype *w, ctype bias, ctype *y, cx_idx y_rstride);
#include "dwconv/dwconv.inc"
#undef CONVX_DWCONV_UKERNEL

/* im2col rows (kernels/im2col/im2col.template.h): same C per ISA */
typedef void (*convx_f32_im2col_fn)(const float *x, const cx_idx *in, const cx_idx *k,
                                    const cx_idx *out, const cx_idx *stride, const cx_idx *pad,
                                    const cx_idx *dil, cx_idx p0, cx_idx np, cx_idx r0, cx_idx r1,
                                    float *col, cx_idx ldcol);
typedef void (*convx_f64_im2col_fn)(const double *x, const cx_idx *in, const cx_idx *k,
                                    const cx_idx *out, const cx_idx *stride, const cx_idx *pad,
                                    const cx_idx *dil, cx_idx p0, cx_idx np, cx_idx r0, cx_idx r1,
                                    double *col, cx_idx ldcol);
#define CX_IM2COL_PROTO(dt, ctype, isa)                                                        \
    void convx_##dt##_im2col_ukernel_rows__##isa(                                              \
        const ctype *x, const cx_idx *in, const cx_idx *k, const cx_idx *out,                  \
        const cx_idx *stride, const cx_idx *pad, const cx_idx *dil, cx_idx p0, cx_idx np,      \
        cx_idx r0, cx_idx r1, ctype *col, cx_idx ldcol);
CX_IM2COL_PROTO(f32, float, scalar)
CX_IM2COL_PROTO(f64, double, scalar)
CX_IM2COL_PROTO(f32, float, avx2)
CX_IM2COL_PROTO(f64, double, avx2)
CX_IM2COL_PROTO(f32, float, avx512)
CX_IM2COL_PROTO(f64, double, avx512)
#undef CX_IM2COL_PROTO

/* slab row packer, see kernels/pack/pack.template.h */
typedef void (*convx_f32_pack_row_fn)(cx_idx n_rows, float *dst, cx_idx dst_rstride,
                                      const float *src, cx_idx src_rstride, cx_idx IW, cx_idx pw,
                                      cx_idx Wp, cx_idx sw, cx_idx Wq);
typedef void (*convx_f64_pack_row_fn)(cx_idx n_rows, double *dst, cx_idx dst_rstride,
                                      const double *src, cx_idx src_rstride, cx_idx IW, cx_idx pw,
                                      cx_idx Wp, cx_idx sw, cx_idx Wq);
#define CX_PACK_PROTO(dt, ctype, isa)                                                          \
    void convx_##dt##_pack_ukernel_row__##isa(cx_idx n_rows, ctype *dst, cx_idx dst_rstride,  \
                                              const ctype *src, cx_idx src_rstride, cx_idx IW, \
                                              cx_idx pw, cx_idx Wp, cx_idx sw, cx_idx Wq);
CX_PACK_PROTO(f32, float, scalar)
CX_PACK_PROTO(f64, double, scalar)
CX_PACK_PROTO(f32, float, avx2)
CX_PACK_PROTO(f64, double, avx2)
CX_PACK_PROTO(f32, float, avx512)
CX_PACK_PROTO(f64, double, avx512)
#undef CX_PACK_PROTO

/* FMA throughput probe: returns a checksum, sets the flops done per iteration */
typedef double (*convx_peak_ukernel_fn)(cx_idx iters, int *flops_per_iter);

#define CONVX_DIRECT_UKERNEL(isa, dt, ctype, ocb, ow, name)                                   \
    void name(cx_idx n_rows, cx_idx n, cx_idx n_c, cx_idx n_taps, const cx_idx *tap_off,     \
              cx_idx x_cstride, cx_idx x_rstride, const ctype *x, const ctype *w, ctype *y,      \
              cx_idx y_stride, cx_idx y_rstride, cx_idx m, const ctype *bias);
#include "direct/direct.inc"
#undef CONVX_DIRECT_UKERNEL

double convx_f32_peak_ukernel__scalar(cx_idx, int *);
double convx_f64_peak_ukernel__scalar(cx_idx, int *);
double convx_f32_peak_ukernel__avx2(cx_idx, int *);
double convx_f64_peak_ukernel__avx2(cx_idx, int *);
double convx_f32_peak_ukernel__avx512(cx_idx, int *);
double convx_f64_peak_ukernel__avx512(cx_idx, int *);

/* The direct family offers three output-channel blockings; drivers pick per block of rows. */
#define CONVX_DIRECT_NOCB 3

/* Everything a driver needs for one (ISA): kernel pointers for both dtypes and block sizes.
 * Block sizes are in bytes or elements as named, chosen per ISA in dispatch.c. */
typedef struct {
    int isa;
    int direct_ocb[CONVX_DIRECT_NOCB];                 /* descending, last is 1 */
    convx_f32_direct_ukernel_fn direct_f32[CONVX_DIRECT_NOCB];
    convx_f64_direct_ukernel_fn direct_f64[CONVX_DIRECT_NOCB];
    convx_f32_gemm_ukernel_fn gemm_f32;
    convx_f64_gemm_ukernel_fn gemm_f64;
    convx_f32_igemm_ukernel_fn igemm_f32;   /* same tile as gemm_* */
    convx_f64_igemm_ukernel_fn igemm_f64;
    int gemm_mr_f32, gemm_nr_f32, gemm_mr_f64, gemm_nr_f64;
    cx_idx gemm_kc;             /* reduction chunk of the GEMM micro-kernel (B sub-panel in L2) */
    convx_f32_dwconv_ukernel_fn dwconv3x3s1_f32, dwconv3x3s2_f32;   /* NULL: use direct */
    convx_f32_im2col_fn im2col_f32;
    convx_f64_im2col_fn im2col_f64;
    convx_f32_pack_row_fn pack_row_f32;
    convx_f64_pack_row_fn pack_row_f64;
    convx_peak_ukernel_fn peak_f32, peak_f64;
    cx_idx direct_slab_bytes;   /* per-thread padded-input slab of the direct driver */
    cx_idx direct_out_bytes;    /* output block a direct task writes (kept cache resident) */
    cx_idx col_tile_bytes;      /* im2col super-tile target (columns shared by the team) */
    cx_idx gemm_nb;             /* GEMM block: output pixels per BLAS call */
    cx_idx gemm_mb;             /* GEMM block: output channels per BLAS call */
    convx_f32_ocblock_ukernel_fn ocblock_f32;   /* tile: ocblock_oc x ocblock_np; NULL: none */
    convx_f64_ocblock_ukernel_fn ocblock_f64;
    int ocblock_oc_f32, ocblock_np_f32, ocblock_oc_f64, ocblock_np_f64;
    convx_f32_transpose_fn transpose_f32;        /* NULL: the driver's plain loops */
    convx_f64_transpose_fn transpose_f64;
} convx_table;

/* The GEMM register tile for the dtype a *.template.c instantiation is compiled for
 * (CX_T_IS_F64 is defined there); one place instead of an #if in every driver. */
#define CX_GEMM_MR(tbl) ((cx_idx)(CX_T_IS_F64 ? (tbl)->gemm_mr_f64 : (tbl)->gemm_mr_f32))
#define CX_GEMM_NR(tbl) ((cx_idx)(CX_T_IS_F64 ? (tbl)->gemm_nr_f64 : (tbl)->gemm_nr_f32))
#define CX_TRANSPOSE(tbl) ((tbl)->CONVX_CAT(transpose_, CONVX_DT))
#define CX_OCBLOCK_OC(tbl) ((cx_idx)(CX_T_IS_F64 ? (tbl)->ocblock_oc_f64 : (tbl)->ocblock_oc_f32))
#define CX_OCBLOCK_NP(tbl) ((cx_idx)(CX_T_IS_F64 ? (tbl)->ocblock_np_f64 : (tbl)->ocblock_np_f32))

/* The active table (set by convx_cpu_init). Never NULL after a successful init. */
const convx_table *convx_active_table(void);
const convx_table *convx_table_for_isa(int isa);   /* NULL if not compiled */

/* Registry: one entry per compiled micro-kernel. */
typedef struct {
    const char *family, *name, *dtype;
    int isa, ocb, ow_tile;
    void (*fn)(void);
} convx_kernel_info;
int convx_kernel_count(void);
const convx_kernel_info *convx_kernel_get(int i);

#endif
