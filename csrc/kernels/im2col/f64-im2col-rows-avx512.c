/* im2col rows, f64 avx512. Instantiates im2col.template.h. */
#define CONVX_T double
#define UKERNEL_NAME convx_f64_im2col_ukernel_rows__avx512
#include "im2col.template.h"
