/* filter micro-kernel (one output row, register tile 1x32), f64 avx512. Instantiates
 * filter.template.h; compiled with the avx512 flags (file suffix). */
#define CONVX_T double
#define CX_T_IS_F64 1
#define CX_ISA_AVX512 1
#define UKERNEL_NAME convx_f64_filter_ukernel_1x32__avx512
#include "filter.template.h"
