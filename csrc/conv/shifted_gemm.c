/* conv/shifted_gemm.c — stride-1 shifted GEMM over a zero-padded copy (variant "shifted_gemm"):
 * conv/shifted_gemm.template.c instantiated for f32 and f64. */
#include "conv/internal.h"

#define CX_TEMPLATE "conv/shifted_gemm.template.c"
#include "instantiate.h"
