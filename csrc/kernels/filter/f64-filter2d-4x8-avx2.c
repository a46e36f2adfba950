/* filter2d micro-kernel (4 output rows x 2 vectors, tile 4x8), f64 avx2. Instantiates
 * filter2d.template.h; compiled with the avx2 flags (file suffix). */
#define CONVX_T double
#define CX_T_IS_F64 1
#define CX_ISA_AVX2 1
#define RB 4
#define NV 2
#define UKERNEL_NAME convx_f64_filter2d_ukernel_4x8__avx2
#include "filter2d.template.h"
