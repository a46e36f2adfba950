/* conv/ocblock.c — output-channel-blocked driver (variant "ocblock"):
 * conv/ocblock.template.c instantiated for f32 and f64. */
#include "conv/internal.h"

#define CX_TEMPLATE "conv/ocblock.template.c"
#include "instantiate.h"
