/* conv/depthwise.c — depthwise driver (variant "depthwise"): conv/depthwise.template.c
 * instantiated for f32 and f64. */
#include "conv/internal.h"

#define CX_TEMPLATE "conv/depthwise.template.c"
#include "instantiate.h"
