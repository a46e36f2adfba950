/* im2col rows, f32 avx512. Instantiates im2col.template.h. */
#define CONVX_T float
#define UKERNEL_NAME convx_f32_im2col_ukernel_rows__avx512
#include "im2col.template.h"
