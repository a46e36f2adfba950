/* Slab row packer, f32 scalar. Instantiates pack.template.h. */
#define CONVX_T float
#define CX_T_IS_F64 0
#define CX_ISA_SCALAR 1
#define UKERNEL_NAME convx_f32_pack_ukernel_row__scalar
#include "pack.template.h"
