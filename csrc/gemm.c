/* gemm.c — convx_gemm_f32 / convx_gemm_f64: the threaded GEMM over convx's micro-kernels.
 * Instantiates gemm.template.c once per dtype. Compiled with baseline flags and OpenMP. */
#include "convx.h"
#include "kernels/kernels.h"

#if defined(CONVX_T) || defined(CONVX_DT)
#error "CONVX_T / CONVX_DT must not be defined outside the template instantiations"
#endif

#define CONVX_T float
#define CONVX_DT f32
#define CX_T_IS_F64 0
#include "gemm.template.c"
#undef CONVX_T
#undef CONVX_DT
#undef CX_T_IS_F64

#define CONVX_T double
#define CONVX_DT f64
#define CX_T_IS_F64 1
#include "gemm.template.c"
#undef CONVX_T
#undef CONVX_DT
#undef CX_T_IS_F64
