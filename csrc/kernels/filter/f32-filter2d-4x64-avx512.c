/* filter2d micro-kernel (4 output rows x 4 vectors, tile 4x64), f32 avx512. Instantiates
 * filter2d.template.h; compiled with the avx512 flags (file suffix). */
#define CONVX_T float
#define CX_T_IS_F64 0
#define CX_ISA_AVX512 1
#define RB 4
#define NV 4
#define UKERNEL_NAME convx_f32_filter2d_ukernel_4x64__avx512
#include "filter2d.template.h"
