/* FMA peak probe, f32 scalar. Instantiates peak.template.h. */
#define CONVX_T float
#define CX_T_IS_F64 0
#define CX_ISA_SCALAR 1
#define UKERNEL_NAME convx_f32_peak_ukernel__scalar
#include "peak.template.h"
