/* conv_transpose_gemm.c — the GEMM + col2im transposed-convolution drivers (fused, fused_t,
 * two_pass): instantiates conv_transpose_gemm.template.c for f32 and f64 (convx_ct_gemm_f32 /
 * _f64, see conv_transpose_internal.h). Compiled with baseline flags and OpenMP; the GEMM work
 * goes through convx's GEMM micro-kernels (dispatch table) and convx_gemm_cx_f32/f64.
 */
#include <stdlib.h>
#include <string.h>
#include "conv_transpose_internal.h"
#include "kernels/kernels.h"

#define CX_TEMPLATE "conv_transpose_gemm.template.c"
#include "instantiate.h"
