/* conv/sliding.c — sliding-window driver (variant "sliding"):
 * conv/sliding.template.c instantiated for f32 and f64. */
#include "conv/internal.h"

#define CX_TEMPLATE "conv/sliding.template.c"
#include "instantiate.h"
