/* FMA peak probe, f32 avx512. Instantiates peak.template.h. */
#define CONVX_T float
#define CX_T_IS_F64 0
#define CX_ISA_AVX512 1
#define UKERNEL_NAME convx_f32_peak_ukernel__avx512
#include "peak.template.h"
