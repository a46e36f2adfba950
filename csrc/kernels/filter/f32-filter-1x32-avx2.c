/* filter micro-kernel (one output row, register tile 1x32), f32 avx2. Instantiates
 * filter.template.h; compiled with the avx2 flags (file suffix). */
#define CONVX_T float
#define CX_T_IS_F64 0
#define CX_ISA_AVX2 1
#define UKERNEL_NAME convx_f32_filter_ukernel_1x32__avx2
#include "filter.template.h"
