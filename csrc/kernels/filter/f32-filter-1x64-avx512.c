/* filter micro-kernel (one output row, register tile 1x64), f32 avx512. Instantiates
 * filter.template.h; compiled with the avx512 flags (file suffix). */
#define CONVX_T float
#define CX_T_IS_F64 0
#define CX_ISA_AVX512 1
#define UKERNEL_NAME convx_f32_filter_ukernel_1x64__avx512
#include "filter.template.h"
