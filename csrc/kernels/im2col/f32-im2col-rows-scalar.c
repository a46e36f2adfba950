/* im2col rows, f32 scalar. Instantiates im2col.template.h. */
#define CONVX_T float
#define UKERNEL_NAME convx_f32_im2col_ukernel_rows__scalar
#include "im2col.template.h"
