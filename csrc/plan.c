/* plan.c — forward-convolution plans (plan.h): plan.template.c instantiated for f32 and f64.
 * The variant order comes from convx_conv_select (conv.c), the one selection rule, so a plan
 * runs what convx_conv_* would run. */
#include "plan.h"
#include "conv/internal.h"

#define CX_TEMPLATE "plan.template.c"
#include "instantiate.h"
