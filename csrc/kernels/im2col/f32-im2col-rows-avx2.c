/* im2col rows, f32 avx2. Instantiates im2col.template.h. */
#define CONVX_T float
#define UKERNEL_NAME convx_f32_im2col_ukernel_rows__avx2
#include "im2col.template.h"
