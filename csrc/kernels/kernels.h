/* kernels.h — the kernel registry: prototypes of every micro-kernel, the per-ISA dispatch table
 * type and the registry entry type, all expanded from the generated lists (kernels.inc, one
 * <family>.inc per family, written by `python csrc/kernels/generate.py`, the one place kernels
 * are listed). Included by drivers (baseline flags) and by nothing compiled with ISA flags, so
 * it only declares.
 *
 * Kernel names: convx_<dt>_<family>_ukernel_<tile>__<isa>. Registry fields, per family, and what
 * the numbers of the tile string mean ("AxB": A is the first number):
 *
 *   family         tile    oc               px                          rows            other
 *   sliding        OCBxOW  output channels  output columns per tile     -               slot 0..2
 *   gemm           MRxNR   output channels  output pixels (B columns)   -
 *   shifted_gemm   MRxNR   output channels  output pixels (B columns)   -               = gemm's
 *   indirect_gemm  OCBxNP  output channels  output pixels (one pointer  -
 *                                           each)
 *   dwconv         KxKsS   -                output columns per tile     rows per tile   ksize K,
 *                  or kxk                   (NV vectors)                (R_MAX)         row stride
 *                                                                                      S; slot
 *                                                                                      0..6
 *   dwconv_inplace 3x3sS   -                output columns per vector   rows per tile   ksize 3,
 *                                                                                      stride S
 *   dwconv_cl      OCx4    channels per     output pixels per tile      -               channels-
 *                          block (NV vecs)  (one pointer each)                          last
 *   dwconv_cl_row  KxKsS   channels per     output pixels per tile      -               ksize K,
 *                          vector                                                      stride S;
 *                                                                                      slot 0..5
 *   filter         1xPX    -                output columns per tile     1
 *   filter2d       RBxPX   -                output columns per tile     RB output rows
 *   fftconv        ""      -                -                           -               untiled
 *   transpose      RxC     -                C (source columns / block)  R (source rows)
 *   im2col         "rows"  -                -                           -               untiled
 *   pack           "row"   -                -                           -               untiled
 *   peak           ""      -                -                           -               untiled
 *
 * So for the convolution kernels the first number is always output channels and the second
 * output pixels; for the image filters the first is output rows and the second pixels. A field
 * a family does not use is 0. `slot` is the kernel's place in the dispatch table (only the
 * sliding family, its three output-channel blockings, descending, and dwconv, its windows:
 * CONVX_DWCONV_SLOT(K, S) for the fixed ones, CONVX_DWCONV_GENERIC for kxk, have more than one).
 *
 * Dispatch tables (dispatch.c) are filled from the same lists with designated initialisers,
 * and convx_dispatch_check() (run by convx_cpu_init at import) verifies that every table tile
 * equals the registry's tile of the kernel the table points to: a mismatch fails the import.
 */
#ifndef CONVX_KERNELS_H
#define CONVX_KERNELS_H

#include <stddef.h>
#include "../common.h"
#include "isa.h"

/* ---- function types, per family and dtype (each family's template states its contract) ---- */

/* sliding, kernels/sliding/sliding.template.h */
typedef void (*convx_f32_sliding_ukernel_fn)(cx_idx n_rows, cx_idx n, cx_idx n_c, cx_idx n_taps,
                                             const cx_idx *tap_off, cx_idx x_cstride,
                                             cx_idx x_rstride, const float *x, const float *w,
                                             float *y, cx_idx y_stride, cx_idx y_rstride, cx_idx m,
                                             const float *bias);
typedef void (*convx_f64_sliding_ukernel_fn)(cx_idx n_rows, cx_idx n, cx_idx n_c, cx_idx n_taps,
                                             const cx_idx *tap_off, cx_idx x_cstride,
                                             cx_idx x_rstride, const double *x, const double *w,
                                             double *y, cx_idx y_stride, cx_idx y_rstride, cx_idx m,
                                             const double *bias);
/* gemm, kernels/gemm/gemm.template.h */
typedef void (*convx_f32_gemm_ukernel_fn)(cx_idx K, const float *A, cx_idx lda, const float *B,
                                          cx_idx ldb, float *C, cx_idx ldc, cx_idx m, cx_idx n,
                                          int accumulate, const float *bias);
typedef void (*convx_f64_gemm_ukernel_fn)(cx_idx K, const double *A, cx_idx lda, const double *B,
                                          cx_idx ldb, double *C, cx_idx ldc, cx_idx m, cx_idx n,
                                          int accumulate, const double *bias);
/* shifted_gemm: row k of B at B + boff[k] (gemm.template.h with CX_GEMM_SHIFTED) */
typedef void (*convx_f32_shifted_gemm_ukernel_fn)(cx_idx K, const float *A, cx_idx lda,
                                                  const float *B, const cx_idx *boff, float *C,
                                                  cx_idx ldc, cx_idx m, cx_idx n, int accumulate,
                                                  const float *bias);
typedef void (*convx_f64_shifted_gemm_ukernel_fn)(cx_idx K, const double *A, cx_idx lda,
                                                  const double *B, const cx_idx *boff, double *C,
                                                  cx_idx ldc, cx_idx m, cx_idx n, int accumulate,
                                                  const double *bias);
/* indirect_gemm, kernels/indirect_gemm/indirect_gemm.template.h */
typedef void (*convx_f32_indirect_gemm_ukernel_fn)(cx_idx K, const float *w,
                                                   const float *const *px, const cx_idx *koff,
                                                   cx_idx n, float *c, int accumulate,
                                                   const float *bias);
typedef void (*convx_f64_indirect_gemm_ukernel_fn)(cx_idx K, const double *w,
                                                   const double *const *px, const cx_idx *koff,
                                                   cx_idx n, double *c, int accumulate,
                                                   const double *bias);
/* dwconv: depthwise rows of one channel from a padded, stride-phase-split slab,
 * kernels/dwconv/dwconv.template.h (the formula and the slab's layout are there) */
typedef void (*convx_f32_dwconv_ukernel_fn)(cx_idx n_rows, cx_idx n, cx_idx kh, cx_idx kw,
                                            cx_idx s, const float *x, cx_idx x_rstride,
                                            const cx_idx *coff, const float *w, float bias,
                                            float *y, cx_idx y_rstride);
typedef void (*convx_f64_dwconv_ukernel_fn)(cx_idx n_rows, cx_idx n, cx_idx kh, cx_idx kw,
                                            cx_idx s, const double *x, cx_idx x_rstride,
                                            const cx_idx *coff, const double *w, double bias,
                                            double *y, cx_idx y_rstride);
/* dwconv_inplace: depthwise 3x3 reading one channel's input rows in place (rows[i] NULL: a
 * zero row), kernels/dwconv/f32-dwconv_inplace-3x3s?-avx512.c (formula there) */
typedef void (*convx_f32_dwconv_inplace_ukernel_fn)(cx_idx n_rows, cx_idx n,
                                                    const float *const *rows, cx_idx IW,
                                                    cx_idx pw, const float *w, float bias,
                                                    float *y, cx_idx y_rstride);
/* dwconv_cl: channels-last depthwise pixels, vectors over channels,
 * kernels/dwconv/dwconv_cl.template.h (the formula is there) */
typedef void (*convx_f32_dwconv_cl_ukernel_fn)(cx_idx n, cx_idx C, cx_idx ntap,
                                               const float *const *px, const cx_idx *toff,
                                               const cx_idx *woff, const float *w,
                                               const float *bias, float *y, cx_idx ys);
typedef void (*convx_f64_dwconv_cl_ukernel_fn)(cx_idx n, cx_idx C, cx_idx ntap,
                                               const double *const *px, const cx_idx *toff,
                                               const cx_idx *woff, const double *w,
                                               const double *bias, double *y, cx_idx ys);
/* dwconv_cl_row: runs of one or two rows' output pixels, channels-last, window KS x (rows),
 * column stride S (kernels/dwconv/dwconv_cl_row.template.h) */
typedef void (*convx_f32_dwconv_cl_row_ukernel_fn)(cx_idx n, cx_idx C, cx_idx nr,
                                                   const float *const *rows,
                                                   const float *const *wrows, const float *bias,
                                                   float *y, cx_idx ys, int nout, cx_idx yr);
typedef void (*convx_f64_dwconv_cl_row_ukernel_fn)(cx_idx n, cx_idx C, cx_idx nr,
                                                   const double *const *rows,
                                                   const double *const *wrows,
                                                   const double *bias, double *y, cx_idx ys,
                                                   int nout, cx_idx yr);
/* filter: one output row of a single-channel correlation, kernels/filter/filter.template.h */
typedef void (*convx_f32_filter_ukernel_fn)(cx_idx n, cx_idx n_taps, const float *const *xp,
                                            const float *w, float *y);
typedef void (*convx_f64_filter_ukernel_fn)(cx_idx n, cx_idx n_taps, const double *const *xp,
                                            const double *w, double *y);
/* filter2d: CONVX_FILTER2D_ROWS output rows of a dense 2-D correlation (filter2d.template.h) */
#define CONVX_FILTER2D_ROWS 4
typedef void (*convx_f32_filter2d_ukernel_fn)(cx_idx n, cx_idx kH, cx_idx kW, cx_idx tstride,
                                              const float *const *rows, const float *w,
                                              float *const *ys);
typedef void (*convx_f64_filter2d_ukernel_fn)(cx_idx n, cx_idx kH, cx_idx kW, cx_idx tstride,
                                              const double *const *rows, const double *w,
                                              double *const *ys);
/* fftconv: one N x N split-complex tile of an FFT correlation (filter/fftconv.template.h) */
typedef void (*convx_f32_fftconv_ukernel_fn)(cx_idx logn, float *re, float *im, const float *kre,
                                             const float *kim, const float *twr,
                                             const float *twi);
typedef void (*convx_f64_fftconv_ukernel_fn)(cx_idx logn, double *re, double *im,
                                             const double *kre, const double *kim,
                                             const double *twr, const double *twi);
/* im2col rows, kernels/im2col/im2col.template.h */
typedef void (*convx_f32_im2col_fn)(const float *x, const cx_idx *in, const cx_idx *k,
                                    const cx_idx *out, const cx_idx *stride, const cx_idx *pad,
                                    const cx_idx *dil, cx_idx p0, cx_idx np, cx_idx r0, cx_idx r1,
                                    float *col, cx_idx ldcol);
typedef void (*convx_f64_im2col_fn)(const double *x, const cx_idx *in, const cx_idx *k,
                                    const cx_idx *out, const cx_idx *stride, const cx_idx *pad,
                                    const cx_idx *dil, cx_idx p0, cx_idx np, cx_idx r0, cx_idx r1,
                                    double *col, cx_idx ldcol);
/* slab row packer, kernels/pack/pack.template.h */
typedef void (*convx_f32_pack_row_fn)(cx_idx n_rows, float *dst, cx_idx dst_rstride,
                                      const float *src, cx_idx src_rstride, cx_idx IW, cx_idx pw,
                                      cx_idx Wp, cx_idx sw, cx_idx Wq);
typedef void (*convx_f64_pack_row_fn)(cx_idx n_rows, double *dst, cx_idx dst_rstride,
                                      const double *src, cx_idx src_rstride, cx_idx IW, cx_idx pw,
                                      cx_idx Wp, cx_idx sw, cx_idx Wq);
/* FMA throughput probe: returns a checksum, sets the flops done per iteration */
typedef double (*convx_peak_ukernel_fn)(cx_idx iters, int *flops_per_iter);
/* strided transpose dst[c*ldd + r] = src[r*lds + c], r < R, c < C (kernels/transpose/) */
typedef void (*convx_f32_transpose_fn)(cx_idx R, cx_idx C, const float *src, cx_idx lds,
                                       float *dst, cx_idx ldd);
typedef void (*convx_f64_transpose_fn)(cx_idx R, cx_idx C, const double *src, cx_idx lds,
                                       double *dst, cx_idx ldd);

/* ---- prototypes of every listed kernel ---- */
#define CX_PROTO_sliding(T, name)                                                              \
    void name(cx_idx n_rows, cx_idx n, cx_idx n_c, cx_idx n_taps, const cx_idx *tap_off,      \
              cx_idx x_cstride, cx_idx x_rstride, const T *x, const T *w, T *y,               \
              cx_idx y_stride, cx_idx y_rstride, cx_idx m, const T *bias);
#define CX_PROTO_gemm(T, name)                                                                 \
    void name(cx_idx K, const T *A, cx_idx lda, const T *B, cx_idx ldb, T *C, cx_idx ldc,     \
              cx_idx m, cx_idx n, int accumulate, const T *bias);
#define CX_PROTO_shifted_gemm(T, name)                                                         \
    void name(cx_idx K, const T *A, cx_idx lda, const T *B, const cx_idx *boff, T *C,         \
              cx_idx ldc, cx_idx m, cx_idx n, int accumulate, const T *bias);
#define CX_PROTO_indirect_gemm(T, name)                                                        \
    void name(cx_idx K, const T *w, const T *const *px, const cx_idx *koff, cx_idx n, T *c,   \
              int accumulate, const T *bias);
#define CX_PROTO_dwconv(T, name)                                                               \
    void name(cx_idx n_rows, cx_idx n, cx_idx kh, cx_idx kw, cx_idx s, const T *x,            \
              cx_idx x_rstride, const cx_idx *coff, const T *w, T bias, T *y, cx_idx y_rstride);
#define CX_PROTO_dwconv_inplace(T, name)                                                       \
    void name(cx_idx n_rows, cx_idx n, const T *const *rows, cx_idx IW, cx_idx pw,            \
              const T *w, T bias, T *y, cx_idx y_rstride);
#define CX_PROTO_dwconv_cl(T, name)                                                            \
    void name(cx_idx n, cx_idx C, cx_idx ntap, const T *const *px, const cx_idx *toff,        \
              const cx_idx *woff, const T *w, const T *bias, T *y, cx_idx ys);
#define CX_PROTO_dwconv_cl_row(T, name)                                                        \
    void name(cx_idx n, cx_idx C, cx_idx nr, const T *const *rows, const T *const *wrows,     \
              const T *bias, T *y, cx_idx ys, int nout, cx_idx yr);
#define CX_PROTO_filter(T, name)                                                               \
    void name(cx_idx n, cx_idx n_taps, const T *const *xp, const T *w, T *y);
#define CX_PROTO_filter2d(T, name)                                                             \
    void name(cx_idx n, cx_idx kH, cx_idx kW, cx_idx tstride, const T *const *rows,           \
              const T *w, T *const *ys);
#define CX_PROTO_fftconv(T, name)                                                              \
    void name(cx_idx logn, T *re, T *im, const T *kre, const T *kim, const T *twr,            \
              const T *twi);
#define CX_PROTO_im2col(T, name)                                                               \
    void name(const T *x, const cx_idx *in, const cx_idx *k, const cx_idx *out,               \
              const cx_idx *stride, const cx_idx *pad, const cx_idx *dil, cx_idx p0,          \
              cx_idx np, cx_idx r0, cx_idx r1, T *col, cx_idx ldcol);
#define CX_PROTO_pack(T, name)                                                                 \
    void name(cx_idx n_rows, T *dst, cx_idx dst_rstride, const T *src, cx_idx src_rstride,    \
              cx_idx IW, cx_idx pw, cx_idx Wp, cx_idx sw, cx_idx Wq);
#define CX_PROTO_peak(T, name) double name(cx_idx iters, int *flops_per_iter);
#define CX_PROTO_transpose(T, name)                                                            \
    void name(cx_idx R, cx_idx C, const T *src, cx_idx lds, T *dst, cx_idx ldd);

#define CONVX_UKERNEL(family, dt, ctype, isa, tile, slot, oc, px, rows, ksize, stride, name)  \
    CX_PROTO_##family(ctype, name)
#include "kernels.inc"
#undef CONVX_UKERNEL

/* ---- the per-ISA dispatch table ---- */

/* The sliding family offers three output-channel blockings; drivers pick per block of rows. */
#define CONVX_SLIDING_NOCB 3
/* dwconv slots: fixed K x K windows (K = 3, 5, 7) at row stride S (1, 2), then the generic
 * kernel (csrc/kernels/generate.py, DWCONV_WINDOWS) */
#define CONVX_DWCONV_NSLOT 7
#define CONVX_DWCONV_GENERIC (CONVX_DWCONV_NSLOT - 1)
#define CONVX_DWCONV_SLOT(K, S)                                                                \
    (((K) == 3 || (K) == 5 || (K) == 7) && ((S) == 1 || (S) == 2) ? ((K) / 2 - 1) * 2 + (S) - 1 \
                                                                  : CONVX_DWCONV_GENERIC)

/* The per-ISA numbers behind convx_conv_select (csrc/conv.c says what each was measured on). */
typedef struct {
    int blas_min_cig, blas_min_cog;   /* "auto" runs OpenBLAS im2col at or above both; 0: never */
    int gemm_min_cig;     /* fewer input channels per group: the sliding-window kernel */
    int sliding_min_ow;   /* ...and so do groups with fewer than MR output channels, unless the
                           * output rows are narrower than this */
    int indirect_gemm_min_pixels;   /* output pixels over the batch its weight pack needs */
    int shifted_gemm_min_ow;        /* narrower output rows: im2col panels beat shifted rows */
    /* Cost model (csrc/conv.c, convx_conv_cost): when cost.on, the variant with the least
     * predicted time runs and the thresholds above are unused. Per variant (index
     * CONVX_VARIANT_* - 1): mac, seconds per 1e10 multiply-adds the kernel computes (tile
     * padding included); kpx, per 1e8 (pixel x tap x channel block) pointer setups or BLAS calls;
     * c0, per-call setup in units of 10 us. Shared: copy, pack, out: seconds per 1e9 elements
     * copied into padded/im2col buffers, packed weights, written outputs. */
    struct {
        int on;
        float mac[5], kpx[5], c0[5];
        float copy, pack, out;
    } cost;
    int depthwise_max_cog;  /* one input channel per group: the dwconv kernels up to this
                             * channel multiplier (more: the sliding kernel's channel blocks) */
} convx_conv_select_params;

/* Everything a driver needs for one ISA: kernel pointers for both dtypes, their tiles (copied
 * from the registry by dispatch.c and checked against it at import) and block sizes. Block
 * sizes are in bytes or elements as named, chosen per ISA in dispatch.c. A NULL kernel means
 * the ISA has none (the driver then uses another variant or plain loops). */
typedef struct {
    int isa;
    int sliding_ocb[CONVX_SLIDING_NOCB];                 /* descending, last is 1; both dtypes */
    convx_f32_sliding_ukernel_fn sliding_f32[CONVX_SLIDING_NOCB];
    convx_f64_sliding_ukernel_fn sliding_f64[CONVX_SLIDING_NOCB];
    convx_f32_gemm_ukernel_fn gemm_f32;
    convx_f64_gemm_ukernel_fn gemm_f64;
    convx_f32_shifted_gemm_ukernel_fn shifted_gemm_f32;   /* same tile as gemm_* */
    convx_f64_shifted_gemm_ukernel_fn shifted_gemm_f64;
    int gemm_mr_f32, gemm_nr_f32, gemm_mr_f64, gemm_nr_f64;
    cx_idx gemm_kc;             /* reduction chunk of the GEMM micro-kernel (B sub-panel in L2) */
    /* depthwise kernels by window: CONVX_DWCONV_SLOT(K, S), CONVX_DWCONV_GENERIC (any window);
     * NULL (the baseline): variant "depthwise" is not offered */
    convx_f32_dwconv_ukernel_fn dwconv_f32[CONVX_DWCONV_NSLOT];
    convx_f64_dwconv_ukernel_fn dwconv_f64[CONVX_DWCONV_NSLOT];
    int dwconv_px_f32, dwconv_px_f64;   /* output columns of a full register tile */
    /* depthwise 3x3 stride 1 / 2 reading rows in place (f32, AVX-512); NULL: the slab kernels */
    convx_f32_dwconv_inplace_ukernel_fn dwconv_inplace3x3s1_f32, dwconv_inplace3x3s2_f32;
    /* channels-last depthwise (every ISA); tile dwconv_cl_oc channels x 4 pixels */
    convx_f32_dwconv_cl_ukernel_fn dwconv_cl_f32;
    convx_f64_dwconv_cl_ukernel_fn dwconv_cl_f64;
    int dwconv_cl_oc_f32, dwconv_cl_oc_f64;
    /* channels-last depthwise rows by window: CONVX_DWCONV_SLOT(K, S) (K = 3, 5, 7; S = 1, 2) */
    convx_f32_dwconv_cl_row_ukernel_fn dwconv_cl_row_f32[CONVX_DWCONV_NSLOT - 1];
    convx_f64_dwconv_cl_row_ukernel_fn dwconv_cl_row_f64[CONVX_DWCONV_NSLOT - 1];
    int dwconv_cl_row_px_f32, dwconv_cl_row_px_f64;
    convx_f32_im2col_fn im2col_f32;
    convx_f64_im2col_fn im2col_f64;
    convx_f32_pack_row_fn pack_row_f32;
    convx_f64_pack_row_fn pack_row_f64;
    convx_peak_ukernel_fn peak_f32, peak_f64;
    cx_idx sliding_slab_bytes;   /* per-thread padded-input slab of the sliding driver */
    cx_idx sliding_out_bytes;    /* output block a sliding task writes (kept cache resident) */
    cx_idx col_tile_bytes;      /* im2col super-tile target (columns shared by the team) */
    cx_idx gemm_nb;             /* GEMM block: output pixels per BLAS call */
    cx_idx gemm_mb;             /* GEMM block: output channels per BLAS call */
    /* tile: indirect_gemm_oc x indirect_gemm_np; NULL: none */
    convx_f32_indirect_gemm_ukernel_fn indirect_gemm_f32;
    convx_f64_indirect_gemm_ukernel_fn indirect_gemm_f64;
    int indirect_gemm_oc_f32, indirect_gemm_np_f32, indirect_gemm_oc_f64, indirect_gemm_np_f64;
    convx_f32_transpose_fn transpose_f32;        /* NULL: the driver's plain loops */
    convx_f64_transpose_fn transpose_f64;
    convx_f32_filter_ukernel_fn filter_f32;      /* one row; image filters and separable convs */
    convx_f64_filter_ukernel_fn filter_f64;
    convx_f32_filter2d_ukernel_fn filter2d_f32;  /* CONVX_FILTER2D_ROWS rows */
    convx_f64_filter2d_ukernel_fn filter2d_f64;
    convx_f32_fftconv_ukernel_fn fftconv_f32;    /* FFT correlation tile (large 2-D kernels) */
    convx_f64_fftconv_ukernel_fn fftconv_f64;
    convx_conv_select_params select;   /* conv variant thresholds (convx_conv_select) */
} convx_table;

/* The GEMM register tile for the dtype a *.template.c instantiation is compiled for
 * (CX_T_IS_F64 is defined there); one place instead of an #if in every driver. */
#define CX_GEMM_MR(tbl) ((cx_idx)(CX_T_IS_F64 ? (tbl)->gemm_mr_f64 : (tbl)->gemm_mr_f32))
#define CX_GEMM_NR(tbl) ((cx_idx)(CX_T_IS_F64 ? (tbl)->gemm_nr_f64 : (tbl)->gemm_nr_f32))
#define CX_TRANSPOSE(tbl) ((tbl)->CONVX_CAT(transpose_, CONVX_DT))
#define CX_INDIRECT_GEMM_OC(tbl)                                                               \
    ((cx_idx)(CX_T_IS_F64 ? (tbl)->indirect_gemm_oc_f64 : (tbl)->indirect_gemm_oc_f32))
#define CX_INDIRECT_GEMM_NP(tbl)                                                               \
    ((cx_idx)(CX_T_IS_F64 ? (tbl)->indirect_gemm_np_f64 : (tbl)->indirect_gemm_np_f32))

/* The active table (set by convx_cpu_init). Never NULL after a successful init. */
const convx_table *convx_active_table(void);
const convx_table *convx_table_for_isa(int isa);   /* NULL if not compiled */

/* ---- the registry: one entry per listed kernel, in list order ---- */
typedef struct {
    const char *family;   /* "sliding", "gemm", ... (the <family>.inc it comes from) */
    const char *name;     /* the C symbol */
    const char *dtype;    /* "f32" or "f64" */
    const char *tile;     /* the tile string of the name ("12x32", "3x3s1", "rows", "") */
    int isa;              /* CONVX_ISA_* */
    int slot;             /* place in the dispatch table (see above) */
    int oc, px, rows;     /* register tile, per family as in the table above; 0: unused */
    int ksize, stride;    /* fixed window and stride (dwconv); 0: any */
    void (*fn)(void);     /* NULL if this build did not compile the ISA */
} convx_kernel_info;
int convx_kernel_count(void);
const convx_kernel_info *convx_kernel_get(int i);

/* Checks that every compiled table points at registry kernels of its own ISA, dtype, family and
 * slot, with the registry's tiles, and has every kernel the drivers require. CONVX_OK, or
 * CONVX_ERR_INTERNAL with the first mismatch written to msg. */
int convx_dispatch_check_table(const convx_table *t, char *msg, size_t len);
int convx_dispatch_check(char *msg, size_t len);

#endif
