/* FMA peak probe, f64 scalar. Instantiates peak.template.h. */
#define CONVX_T double
#define CX_T_IS_F64 1
#define CX_ISA_SCALAR 1
#define UKERNEL_NAME convx_f64_peak_ukernel__scalar
#include "peak.template.h"
