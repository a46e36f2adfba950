/* convx.h — the C API that the Cython glue calls.
 *
 * Every entry point validates nothing a Python caller could get wrong (the Python layer does that
 * first) but still re-checks sizes it allocates from, and returns a convx_status. Arrays are
 * C-contiguous, native byte order, of the entry point's dtype. Sizes are in elements.
 *
 * Threads: `workers` >= 1 is the exact OpenMP team size for the call. Results are bit-identical for
 * any `workers`: work is cut into blocks whose shapes depend only on the problem, never on the
 * team size, and no reduction is split across threads.
 */
#ifndef CONVX_H
#define CONVX_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    CONVX_OK = 0,
    CONVX_ERR_NOMEM = -1,     /* an allocation failed or a size product overflowed */
    CONVX_ERR_SHAPE = -2,     /* inconsistent shapes (a bug in the Python layer if seen) */
    CONVX_ERR_ARG = -3,       /* bad argument value (likewise) */
    CONVX_ERR_ISA = -4,       /* requested ISA not compiled or not supported by this CPU */
    CONVX_ERR_INTERNAL = -5,
    CONVX_ERR_INTERRUPTED = -6,  /* the interrupt hook reported a pending exception (Ctrl-C) */
    /* internal to the conv entry point, never returned by it: "this variant cannot take this
     * problem" (a buffer over the workspace cap, padding far wider than the input), so the entry
     * point runs the next variant of its fall-through order. Real errors never fall back. */
    CONVX_DECLINED = -7
} convx_status;

const char *convx_status_str(int status);

/* ---- interrupts (interrupt.c) ----
 * Long calls poll for interrupts between blocks of work (csrc/interrupt.h): the thread that
 * called the entry point calls `hook` about every 20 ms; a nonzero return (the hook left an
 * exception to raise, e.g. KeyboardInterrupt) makes every thread skip its remaining blocks and
 * the entry point return CONVX_ERR_INTERRUPTED after freeing its workspace (the output then
 * holds partial results). The hook runs without any lock held by convx and may take time; the
 * Python glue registers one at import (it takes the GIL and runs the signal handlers). Without a
 * hook (NULL, the default) nothing polls. */
typedef int (*convx_interrupt_hook_fn)(void);
void convx_set_interrupt_hook(convx_interrupt_hook_fn hook);

/* The checks every convolution-like entry point repeats before trusting a problem from the
 * Python layer: positive sizes, groups dividing both channel counts, legal stride/dilation/
 * padding, and input/output element counts that fit 64-bit indexing. */
static inline int convx_check_conv_geometry(cx_idx N, cx_idx C_in, cx_idx C_out, cx_idx groups,
                                            const cx_idx in[3], const cx_idx k[3],
                                            const cx_idx out[3], const cx_idx stride[3],
                                            const cx_idx pad[3], const cx_idx dil[3])
{
    if (N < 0 || C_in < 1 || C_out < 1 || groups < 1) return CONVX_ERR_SHAPE;
    if (C_in % groups || C_out % groups) return CONVX_ERR_SHAPE;
    for (int a = 0; a < 3; a++) {
        if (in[a] < 1 || k[a] < 1 || out[a] < 1) return CONVX_ERR_SHAPE;
        if (stride[a] < 1 || dil[a] < 1 || pad[a] < 0) return CONVX_ERR_ARG;
    }
    cx_idx t;
    if (cx_volume_overflow(N, C_in, in, &t) || cx_volume_overflow(N, C_out, out, &t))
        return CONVX_ERR_NOMEM;
    return CONVX_OK;
}

/* ---- CPU / dispatch (cpu.c, dispatch.c) ---- */
#include "kernels/isa.h"   /* CONVX_ISA_* ids and CONVX_ISA_COUNT (generated) */
/* Detects CPU features and picks the ISA; `request` is NULL/"" (best available) or an ISA tag.
 * Returns CONVX_ERR_ISA if the request cannot be honoured, CONVX_ERR_INTERNAL if a dispatch
 * table disagrees with the kernel registry (message via convx_cpu_error() in both cases). */
int convx_cpu_init(const char *request);
int convx_cpu_active_isa(void);
int convx_cpu_isa_compiled(int isa);
int convx_cpu_isa_supported(int isa);
const char *convx_isa_name(int isa);
const char *convx_cpu_error(void);
/* feature flags as "name=0/1" pairs for introspection: count and accessors */
int convx_cpu_feature_count(void);
const char *convx_cpu_feature_name(int i);
int convx_cpu_feature_value(int i);

/* ---- threads and BLAS (threads.c) ---- */
void convx_threads_init(void);        /* once at import: BLAS pool to 1 thread */
int convx_openmp_enabled(void);
int convx_max_threads(void);           /* cores OpenMP would use by default */
const char *convx_blas_corename(void);
/* Runs fn(ctx) on a team of `workers` OpenMP threads and returns the OR of their results; with
 * workers <= 1 it calls fn(ctx) directly on the calling thread, where fn's worksharing
 * constructs and barriers run orphaned, as plain serial code. (A team of one still pays
 * libgomp's barrier wake-ups, three futex system calls per region: ~0.9 us here, half of a
 * tiny plan call.) fn must not assume a team beyond what OpenMP's orphaned constructs give. */
int convx_team_run(int workers, int (*fn)(void *ctx), void *ctx);
/* The work (multiply-adds) below which a convolution runs on the calling thread
 * (CX_CONV_TEAM_MIN_WORK, common.h): 786432 by default; the test suite sets 0 so that every
 * workers=2 run really uses a team (the bit-identity checks then cover small shapes). */
extern double convx_conv_team_min_work;
const char *convx_blas_config(void);
/* Measures the FMA throughput of the active ISA on `workers` threads for about `seconds`. */
double convx_measure_peak_gflops(int workers, int f64, double seconds);

/* ---- workspace pool (workspace.c) ---- */
/* 64-byte aligned, at least `bytes`; *got receives the real capacity (pass it to release).
 * Reused across calls; NULL on failure. */
void *convx_ws_acquire(size_t bytes, size_t *got);
void convx_ws_release(void *p, size_t got);
/* The workspace bound drivers tile against (64 MiB): im2col super-tiles and panels are sized to
 * stay below it, and buffers above it are freed on release instead of pooled. acquire itself
 * does not refuse larger requests (a driver that needs more must say why in its header). */
size_t convx_ws_cap_bytes(void);

/* ---- GEMM over convx's micro-kernels (gemm.c / gemm.template.c) ----
 * C[M][N] (+)= A[M][K] * B[K][N] (+ bias[M] when not accumulating); row-major, leading dimensions
 * in elements, C must not alias A or B. accumulate = 0: C is overwritten; 1: added to.
 * Threaded over `workers` (bit-identical for any value); call outside OpenMP regions. */
int convx_gemm_f32(cx_idx M, cx_idx N, cx_idx K, const float *A, cx_idx lda, const float *B,
                   cx_idx ldb, float *C, cx_idx ldc, const float *bias, int accumulate,
                   int workers);
int convx_gemm_f64(cx_idx M, cx_idx N, cx_idx K, const double *A, cx_idx lda, const double *B,
                   cx_idx ldb, double *C, cx_idx ldc, const double *bias, int accumulate,
                   int workers);

/* ---- forward convolution (conv.c / conv.template.c) ---- */
/* algorithm: CONVX_ALGO_AUTO lets convx_conv_select choose (OpenBLAS im2col or the direct
 * algorithm's variants), the others force an algorithm (its variant is still chosen). */
enum { CONVX_ALGO_AUTO = 0, CONVX_ALGO_DIRECT = 1, CONVX_ALGO_IM2COL = 2 };
/* Private (tests, benchmarks): algorithm CONVX_ALGO_VARIANT + CONVX_VARIANT_* runs that one
 * variant (then panel_gemm if it declines); invalid for a problem the variant cannot take. */
enum { CONVX_ALGO_VARIANT = 16 };

/* A forward convolution problem. 1-D and 2-D problems are 3-D ones with leading spatial sizes
 * of 1 (kernel 1, stride 1, pad 0, dilation 1 on those axes). Spatial order is D, H, W.
 * pad[] is the front (top/left) zero padding; the back padding is implied by out[]:
 * out = floor((in + pad_front + pad_back - dil*(k-1) - 1) / stride) + 1.
 * Layouts: x [N, C_in, D, H, W], w [C_out, C_in/groups, kD, kH, kW], bias [C_out] or NULL,
 * y [N, C_out, oD, oH, oW]. */
typedef struct {
    cx_idx N, C_in, C_out, groups;
    cx_idx in[3], k[3], out[3];
    cx_idx stride[3], pad[3], dil[3];
} convx_conv_problem;

int convx_conv_f32(const convx_conv_problem *p, const float *x, const float *w,
                   const float *bias, float *y, int algorithm, int workers);
int convx_conv_f64(const convx_conv_problem *p, const double *x, const double *w,
                   const double *bias, double *y, int algorithm, int workers);

/* Channels-last forward convolution (conv_cl.c): the same problem with x [N, D, H, W, C_in] and
 * y [N, oD, oH, oW, C_out] (w and bias keep the layouts above). One input and one output channel
 * per group runs the dwconv_cl kernels (vectors over channels); everything else im2col rows of
 * whole channel runs times packed weights with OpenBLAS (a 1x1 stride-1 convolution reads x in
 * place). algorithm CONVX_ALGO_IM2COL sends depthwise problems to the GEMM too; any other value
 * lets the driver choose. Bit-identical for any `workers`. */
int convx_conv_cl_f32(const convx_conv_problem *p, const float *x, const float *w,
                      const float *bias, float *y, int algorithm, int workers);
int convx_conv_cl_f64(const convx_conv_problem *p, const double *x, const double *w,
                      const double *bias, double *y, int algorithm, int workers);

/* The variant that ran the calling thread's last successful convx_conv_* call (one driver each
 * in csrc/conv/<name>.template.c, see conv/internal.h). Algorithm "direct" (convx's own kernels):
 * the depthwise kernels (one input channel per group); the sliding-window kernel; the indirect GEMM (per-pixel input
 * pointers, vectors over output channels); the shifted GEMM (rows of a zero-padded copy shifted
 * per tap); the panel GEMM (im2col panels + convx's GEMM micro-kernel). Algorithm "im2col": the
 * BLAS GEMM (im2col super-tiles + OpenBLAS). */
enum { CONVX_VARIANT_NONE = 0, CONVX_VARIANT_SLIDING = 1, CONVX_VARIANT_INDIRECT_GEMM = 2,
       CONVX_VARIANT_SHIFTED_GEMM = 3, CONVX_VARIANT_PANEL_GEMM = 4,
       CONVX_VARIANT_BLAS_GEMM = 5, CONVX_VARIANT_DEPTHWISE = 6 };
int convx_conv_last_variant(void);
/* The one variant-selection rule of convx_conv_*: fills order[] with the variants it tries for
 * problem p (order[0] runs; a later one only when the one before declined at setup) and returns
 * their count, 0 for an unknown algorithm. f64: the dtype (tile sizes differ); isa: the
 * CONVX_ISA_* whose table decides, -1 for the active one. The thresholds live in each ISA's
 * table (csrc/dispatch.c); the measurements behind them are in csrc/conv.c. */
enum { CONVX_VARIANT_TRIES = 3 };
int convx_conv_select(const convx_conv_problem *p, int algorithm, int f64, int isa,
                      int order[CONVX_VARIANT_TRIES]);
const char *convx_conv_variant_name(int variant);

/* ---- deformable convolution (deform.c / deform.template.c) ----
 * torchvision.ops.deform_conv2d semantics (docs/deform_conv2d.md). Layouts (C-contiguous):
 * x [N, C_in, H, W]; offset [N, 2*offset_groups*kh*kw, OH, OW] with (dy, dx) pairs per tap
 * t = i*kw + j, offset groups stacked; mask [N, offset_groups*kh*kw, OH, OW] or NULL (all ones);
 * w [C_out, C_in/groups, kh, kw]; bias [C_out] or NULL; y [N, C_out, OH, OW] (overwritten).
 * pad is the implicit zero padding (top, left); H*W must fit in 32 bits. Threaded over `workers`,
 * bit-identical for any value; call outside OpenMP regions. */
typedef struct {
    cx_idx N, C_in, H, W, C_out, groups, offset_groups, kh, kw, OH, OW;
    cx_idx stride[2], pad[2], dil[2];
    /* 1: channels-last x [N, H, W, C_in], offset [N, OH, OW, 2*offset_groups*kh*kw], mask
     * [N, OH, OW, offset_groups*kh*kw], y [N, OH, OW, C_out] (same channel orders) */
    int channels_last;
} convx_deform_problem;

int convx_deform_conv2d_f32(const convx_deform_problem *p, const float *x, const float *offset,
                            const float *mask, const float *w, const float *bias, float *y,
                            int workers);
int convx_deform_conv2d_f64(const convx_deform_problem *p, const double *x, const double *offset,
                            const double *mask, const double *w, const double *bias, double *y,
                            int workers);

/* ---- scipy.ndimage-style filtering (filters.c / filters.template.c) ----
 * Correlation of B independent volumes [D, H, W] (W pixels of `inner` interleaved samples, each
 * sample filtered on its own) with a dense kernel w[kD][kH][kW]; output has the input's shape.
 * Along each axis the input is extended by lo[a] samples before and k[a]-1-lo[a] after with the
 * boundary `mode` (scipy.ndimage names; cval fills 'constant'):
 *   y[b,d,h,u,c] = sum_{i,j,l} w[i][j][l] * ext[b, d+i-lo0, h+j-lo1, u+l-lo2, c].
 * skip_zero = 1 leaves out taps whose weight is exactly 0 (the n-D correlate's footprint rule;
 * the caller zeroes the weights it wants skipped). x and y must not overlap. */
enum { CONVX_MODE_REFLECT = 0, CONVX_MODE_CONSTANT = 1, CONVX_MODE_NEAREST = 2,
       CONVX_MODE_MIRROR = 3, CONVX_MODE_WRAP = 4 };
typedef struct {
    cx_idx B, inner;
    cx_idx in[3], k[3], lo[3];   /* 0 <= lo[a] < k[a] */
    int mode;
    double cval;
} convx_filter_problem;
int convx_filter_f32(const convx_filter_problem *p, const float *x, const float *w,
                     int skip_zero, float *y, int workers);
int convx_filter_f64(const convx_filter_problem *p, const double *x, const double *w,
                     int skip_zero, double *y, int workers);

/* ---- transposed convolution (conv_transpose*.c, see conv_transpose_internal.h) ----
 * The adjoint of convx_conv: input pixel i and tap t scatter to output o = i*stride - pad + t*dil
 * (kept when 0 <= o < out). 1-D and 2-D problems are 3-D ones with leading sizes of 1 (kernel 1,
 * stride 1, pad 0, dilation 1 on those axes). out[] already includes output_padding:
 * out = (in - 1)*stride - 2*pad + dil*(k - 1) + output_padding + 1.
 * Layouts: x [N, C_in, D, H, W], w [C_in, C_out/groups, kD, kH, kW], bias [C_out] or NULL,
 * y [N, C_out, oD, oH, oW] (fully overwritten). algorithm: CONVX_CT_AUTO (the select rule
 * below decides), CONVX_CT_FUSED (per-thread GEMM + col2im over blocks of output channels; the
 * public algorithm "direct"), CONVX_CT_TWO_PASS (a team GEMM per tile, then a parallel col2im;
 * the public "im2col"), CONVX_CT_SUBPIXEL (stride phases as forward convolutions, written
 * interleaved; the public "subpixel"). Every driver is bit-identical for any `workers`; fused
 * and two_pass also agree with each other bit for bit. */
enum { CONVX_CT_AUTO = CONVX_ALGO_AUTO, CONVX_CT_FUSED = CONVX_ALGO_DIRECT,
       CONVX_CT_TWO_PASS = CONVX_ALGO_IM2COL, CONVX_CT_SUBPIXEL = 3 };
/* the driver that ran (convx_conv_transpose_last_variant; names from _variant_name) */
enum { CONVX_CT_VARIANT_NONE = 0, CONVX_CT_VARIANT_FUSED = 1, CONVX_CT_VARIANT_FUSED_T = 2,
       CONVX_CT_VARIANT_TWO_PASS = 3, CONVX_CT_VARIANT_SUBPIXEL = 4 };
typedef struct {
    cx_idx N, C_in, C_out, groups;
    cx_idx in[3], k[3], out[3];
    cx_idx stride[3], pad[3], dil[3];
} convx_conv_transpose_problem;

int convx_conv_transpose_f32(const convx_conv_transpose_problem *p, const float *x,
                             const float *w, const float *bias, float *y, int algorithm,
                             int workers);
int convx_conv_transpose_f64(const convx_conv_transpose_problem *p, const double *x,
                             const double *w, const double *bias, double *y, int algorithm,
                             int workers);
/* Channels-last transposed convolution (conv_cl.c): x [N, D, H, W, C_in], y [N, oD, oH, oW,
 * C_out], w and bias as above; computed as stride-phase gathers (every output one dot product),
 * depthwise problems on the dwconv_cl kernels unless algorithm is CONVX_CT_TWO_PASS.
 * Bit-identical for any `workers`. */
int convx_conv_transpose_cl_f32(const convx_conv_transpose_problem *p, const float *x,
                                const float *w, const float *bias, float *y, int algorithm,
                                int workers);
int convx_conv_transpose_cl_f64(const convx_conv_transpose_problem *p, const double *x,
                                const double *w, const double *bias, double *y, int algorithm,
                                int workers);
/* The algorithm CONVX_CT_AUTO runs for problem p (CONVX_CT_FUSED, _TWO_PASS or _SUBPIXEL); isa:
 * a CONVX_ISA_* id, or -1 for the active one. */
int convx_conv_transpose_select(const convx_conv_transpose_problem *p, int f64, int isa);
/* The calling thread's last successful convx_conv_transpose_* call: its driver
 * (CONVX_CT_VARIANT_*), and for the sub-pixel driver the forward variant (CONVX_VARIANT_*) of
 * its largest phase convolution (else CONVX_VARIANT_NONE). */
int convx_conv_transpose_last_variant(void);
int convx_conv_transpose_last_phase_variant(void);
const char *convx_conv_transpose_variant_name(int variant);

/* ---- fused depthwise-separable convolution (separable.c / separable.template.c) ----
 * y = pointwise(depthwise(x)): depthwise weight dw [C_in*mult][kD*kH*kW] (channel cm reads
 * input channel cm / mult), pointwise pw [C_out][C_in*mult], bias [C_out] or NULL (the caller
 * folds the depthwise bias in: pw @ dw_bias + pw_bias). x [N, C_in, D, H, W] is ALREADY PADDED
 * (no padding here); y [N, C_out, OD, OH, OW] with (out-1)*stride + (k-1)*dil < in per axis. */
typedef struct {
    cx_idx N, C_in, mult, C_out;
    cx_idx in[3], k[3], out[3], stride[3], dil[3];
} convx_dwsep_problem;
int convx_dwsep_f32(const convx_dwsep_problem *p, const float *x, const float *dw,
                    const float *pw, const float *bias, float *y, int workers);
int convx_dwsep_f64(const convx_dwsep_problem *p, const double *x, const double *dw,
                    const double *pw, const double *bias, double *y, int workers);

/* Separable form of convx_filter_f32/f64: the column filter wv (p->k[1] taps, boundary
 * p->mode) then the row filter wh (p->k[2] taps, boundary mode_h), in one sweep without an
 * intermediate image; equal to the two 1-D passes. p->k[0] must be 1. */
int convx_filter_sep_f32(const convx_filter_problem *p, const float *x, const float *wv,
                         const float *wh, int mode_h, float *y, int workers);
int convx_filter_sep_f64(const convx_filter_problem *p, const double *x, const double *wv,
                         const double *wh, int mode_h, double *y, int workers);

/* The same correlation by FFT (overlap-save over N x N tiles, N = 2^logn, 5 <= logn <= 12,
 * 2*k[1] <= N and 2*k[2] <= N) for p->k[0] == 1 and p->inner == 1; equal to convx_filter_* up to
 * the transform's rounding. Sets *nonfinite (and the output is then unusable) when an output is
 * inf or NaN: the caller reruns the direct path. w is [k[1]][k[2]]. */
int convx_filter_fft_f32(const convx_filter_problem *p, const float *x, const float *w,
                         int logn, float *y, int workers, int *nonfinite);
int convx_filter_fft_f64(const convx_filter_problem *p, const double *x, const double *w,
                         int logn, double *y, int workers, int *nonfinite);

#ifdef __cplusplus
}
#endif
#endif
