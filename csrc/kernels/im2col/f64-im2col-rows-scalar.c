/* im2col rows, f64 scalar. Instantiates im2col.template.h. */
#define CONVX_T double
#define UKERNEL_NAME convx_f64_im2col_ukernel_rows__scalar
#include "im2col.template.h"
