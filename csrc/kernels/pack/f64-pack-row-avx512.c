/* Slab row packer, f64 avx512. Instantiates pack.template.h. */
#define CONVX_T double
#define CX_T_IS_F64 1
#define CX_ISA_AVX512 1
#define UKERNEL_NAME convx_f64_pack_ukernel_row__avx512
#include "pack.template.h"
