/* gemm.c — convx_gemm_f32 / convx_gemm_f64: the threaded GEMM over convx's micro-kernels.
 * Instantiates gemm.template.c once per dtype. Compiled with baseline flags and OpenMP. */
#include "convx.h"
#include "kernels/kernels.h"
#include "interrupt.h"

#define CX_TEMPLATE "gemm.template.c"
#include "instantiate.h"
