/* FMA peak probe, f32 avx2. Instantiates peak.template.h. */
#define CONVX_T float
#define CX_T_IS_F64 0
#define CX_ISA_AVX2 1
#define UKERNEL_NAME convx_f32_peak_ukernel__avx2
#include "peak.template.h"
