/* filter micro-kernel (one output row, register tile 1x4), f64 scalar. Instantiates
 * filter.template.h; compiled with the scalar flags (file suffix). */
#define CONVX_T double
#define CX_T_IS_F64 1
#define CX_ISA_SCALAR 1
#define UKERNEL_NAME convx_f64_filter_ukernel_1x4__scalar
#include "filter.template.h"
