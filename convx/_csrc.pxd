# cython: language_level=3
"""The only place the C API of csrc/convx.h is mirrored for Cython (STYLE.md section 2)."""
from libc.stdint cimport int64_t

ctypedef fused real_t:
    float
    double

cdef extern from "convx.h" nogil:
    ctypedef int64_t cx_idx
    int CONVX_OK, CONVX_ERR_NOMEM, CONVX_ERR_SHAPE, CONVX_ERR_ARG, CONVX_ERR_ISA, CONVX_ERR_INTERNAL
    int CONVX_ERR_INTERRUPTED
    const char *convx_status_str(int status)
    ctypedef int (*convx_interrupt_hook_fn)() noexcept nogil
    void convx_set_interrupt_hook(convx_interrupt_hook_fn hook)

    int CONVX_ISA_SCALAR, CONVX_ISA_AVX2, CONVX_ISA_AVX512, CONVX_ISA_COUNT
    int convx_cpu_init(const char *request)
    int convx_cpu_active_isa()
    int convx_cpu_isa_compiled(int isa)
    int convx_cpu_isa_supported(int isa)
    const char *convx_isa_name(int isa)
    const char *convx_cpu_error()
    int convx_cpu_feature_count()
    const char *convx_cpu_feature_name(int i)
    int convx_cpu_feature_value(int i)

    void convx_threads_init()
    int convx_openmp_enabled()
    int convx_max_threads()
    double convx_conv_team_min_work
    const char *convx_blas_corename()
    const char *convx_blas_config()
    double convx_measure_peak_gflops(int workers, int f64, double seconds)
    size_t convx_ws_cap_bytes()

    int CONVX_ALGO_AUTO, CONVX_ALGO_DIRECT, CONVX_ALGO_IM2COL
    int CONVX_CT_AUTO, CONVX_CT_FUSED, CONVX_CT_TWO_PASS, CONVX_CT_SUBPIXEL
    ctypedef struct convx_conv_problem:
        cx_idx N, C_in, C_out, groups
        cx_idx in_ "in"[3]
        cx_idx k[3]
        cx_idx out[3]
        cx_idx stride[3]
        cx_idx pad[3]
        cx_idx dil[3]
    int convx_conv_f32(const convx_conv_problem *p, const float *x, const float *w,
                       const float *bias, float *y, int algorithm, int workers)
    int convx_conv_f64(const convx_conv_problem *p, const double *x, const double *w,
                       const double *bias, double *y, int algorithm, int workers)
    int convx_conv_cl_f32(const convx_conv_problem *p, const float *x, const float *w,
                          const float *bias, float *y, int algorithm, int workers)
    int convx_conv_cl_f64(const convx_conv_problem *p, const double *x, const double *w,
                          const double *bias, double *y, int algorithm, int workers)
    int convx_conv_last_variant()
    const char *convx_conv_variant_name(int variant)
    int CONVX_VARIANT_TRIES, CONVX_VARIANT_BLAS_GEMM
    int convx_conv_select(const convx_conv_problem *p, int algorithm, int f64, int isa, int *order)

cdef extern from "kernels/kernels.h" nogil:
    ctypedef struct convx_kernel_info:
        const char *family
        const char *name
        const char *dtype
        const char *tile
        int isa, slot, oc, px, rows, ksize, stride
        void (*fn)()
    int convx_kernel_count()
    const convx_kernel_info *convx_kernel_get(int i)
    int CONVX_FILTER2D_ROWS
    ctypedef struct convx_table:
        int isa
        int sliding_ocb[3]
        int gemm_mr_f32, gemm_nr_f32, gemm_mr_f64, gemm_nr_f64
        int indirect_gemm_oc_f32, indirect_gemm_np_f32, indirect_gemm_oc_f64, indirect_gemm_np_f64
    const convx_table *convx_table_for_isa(int isa)
    int convx_dispatch_check_table(const convx_table *t, char *msg, size_t len)

cdef extern from "convx.h" nogil:
    ctypedef struct convx_deform_problem:
        cx_idx N, C_in, H, W, C_out, groups, offset_groups, kh, kw, OH, OW
        cx_idx stride[2]
        cx_idx pad[2]
        cx_idx dil[2]
        int channels_last
    int convx_deform_conv2d_f32(const convx_deform_problem *p, const float *x,
                                const float *offset, const float *mask, const float *w,
                                const float *bias, float *y, int workers)
    int convx_deform_conv2d_f64(const convx_deform_problem *p, const double *x,
                                const double *offset, const double *mask, const double *w,
                                const double *bias, double *y, int workers)

cdef extern from "convx.h" nogil:
    int CONVX_MODE_REFLECT, CONVX_MODE_CONSTANT, CONVX_MODE_NEAREST, CONVX_MODE_MIRROR
    int CONVX_MODE_WRAP
    ctypedef struct convx_filter_problem:
        cx_idx B, inner
        cx_idx in_ "in"[3]
        cx_idx k[3]
        cx_idx lo[3]
        int mode
        double cval
    int convx_filter_f32(const convx_filter_problem *p, const float *x, const float *w,
                         int skip_zero, float *y, int workers)
    int convx_filter_f64(const convx_filter_problem *p, const double *x, const double *w,
                         int skip_zero, double *y, int workers)

cdef extern from "convx.h" nogil:
    ctypedef struct convx_conv_transpose_problem:
        cx_idx N, C_in, C_out, groups
        cx_idx in_ "in"[3]
        cx_idx k[3]
        cx_idx out[3]
        cx_idx stride[3]
        cx_idx pad[3]
        cx_idx dil[3]
    int convx_conv_transpose_cl_f32(const convx_conv_transpose_problem *p, const float *x,
                                    const float *w, const float *bias, float *y, int algorithm,
                                    int workers)
    int convx_conv_transpose_cl_f64(const convx_conv_transpose_problem *p, const double *x,
                                    const double *w, const double *bias, double *y,
                                    int algorithm, int workers)
    int convx_conv_transpose_f32(const convx_conv_transpose_problem *p, const float *x,
                                 const float *w, const float *bias, float *y, int algorithm,
                                 int workers)
    int convx_conv_transpose_f64(const convx_conv_transpose_problem *p, const double *x,
                                 const double *w, const double *bias, double *y, int algorithm,
                                 int workers)
    int convx_conv_transpose_select(const convx_conv_transpose_problem *p, int f64, int isa)
    int convx_conv_transpose_last_variant()
    int CONVX_CT_SUBPIXEL_VARIANT "CONVX_CT_VARIANT_SUBPIXEL"
    int convx_conv_transpose_last_phase_variant()
    const char *convx_conv_transpose_variant_name(int variant)

cdef extern from "convx.h" nogil:
    ctypedef struct convx_dwsep_problem:
        cx_idx N, C_in, mult, C_out
        cx_idx in_ "in"[3]
        cx_idx k[3]
        cx_idx out[3]
        cx_idx stride[3]
        cx_idx dil[3]
    int convx_dwsep_f32(const convx_dwsep_problem *p, const float *x, const float *dw,
                        const float *pw, const float *bias, float *y, int workers)
    int convx_dwsep_f64(const convx_dwsep_problem *p, const double *x, const double *dw,
                        const double *pw, const double *bias, double *y, int workers)

cdef extern from "convx.h" nogil:
    int convx_filter_sep_f32(const convx_filter_problem *p, const float *x, const float *wv,
                             const float *wh, int mode_h, float *y, int workers)
    int convx_filter_sep_f64(const convx_filter_problem *p, const double *x, const double *wv,
                             const double *wh, int mode_h, double *y, int workers)
    int convx_filter_fft_f32(const convx_filter_problem *p, const float *x, const float *w,
                             int logn, float *y, int workers, int *nonfinite)
    int convx_filter_fft_f64(const convx_filter_problem *p, const double *x, const double *w,
                             int logn, double *y, int workers, int *nonfinite)
