/* conv/panel_gemm.c — im2col panels + convx's GEMM micro-kernel (variant "panel_gemm"):
 * conv/panel_gemm.template.c instantiated for f32 and f64. */
#include "conv/internal.h"

#define CX_TEMPLATE "conv/panel_gemm.template.c"
#include "instantiate.h"
