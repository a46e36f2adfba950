/* conv/indirect_gemm.c — indirect GEMM: per-pixel input pointers, vectors over output channels
 * (variant "indirect_gemm"):
 * conv/indirect_gemm.template.c instantiated for f32 and f64. */
#include "conv/internal.h"

#define CX_TEMPLATE "conv/indirect_gemm.template.c"
#include "instantiate.h"
