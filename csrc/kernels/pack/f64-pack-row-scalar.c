/* Slab row packer, f64 scalar. Instantiates pack.template.h. */
#define CONVX_T double
#define CX_T_IS_F64 1
#define CX_ISA_SCALAR 1
#define UKERNEL_NAME convx_f64_pack_ukernel_row__scalar
#include "pack.template.h"
