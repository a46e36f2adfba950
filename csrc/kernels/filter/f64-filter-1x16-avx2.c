/* filter micro-kernel (one output row, register tile 1x16), f64 avx2. Instantiates
 * filter.template.h; compiled with the avx2 flags (file suffix). */
#define CONVX_T double
#define CX_T_IS_F64 1
#define CX_ISA_AVX2 1
#define UKERNEL_NAME convx_f64_filter_ukernel_1x16__avx2
#include "filter.template.h"
