/* instantiate.h — compile a *.template.c once per dtype (STYLE.md section 5).
 *
 *   #define CX_TEMPLATE "conv.template.c"
 *   #include "instantiate.h"
 *
 * includes the template twice, with CONVX_T / CONVX_DT / CX_T_IS_F64 set to float / f32 / 0,
 * then double / f64 / 1, and undefines them (and CX_TEMPLATE) afterwards. Deliberately without
 * an include guard: one inclusion per template.
 */
#ifndef CX_TEMPLATE
#error "define CX_TEMPLATE (the template's file name) before including instantiate.h"
#endif
#if defined(CONVX_T) || defined(CONVX_DT)
#error "CONVX_T / CONVX_DT must not be defined outside the template instantiations"
#endif

#define CONVX_T float
#define CONVX_DT f32
#define CX_T_IS_F64 0
#include CX_TEMPLATE
#undef CONVX_T
#undef CONVX_DT
#undef CX_T_IS_F64

#define CONVX_T double
#define CONVX_DT f64
#define CX_T_IS_F64 1
#include CX_TEMPLATE
#undef CONVX_T
#undef CONVX_DT
#undef CX_T_IS_F64

#undef CX_TEMPLATE
