/* conv/igemm.c — stride-1 indirect GEMM over a zero-padded copy (variant "igemm"):
 * conv/igemm.template.c instantiated for f32 and f64. */
#include "conv/internal.h"

#define CX_TEMPLATE "conv/igemm.template.c"
#include "instantiate.h"
