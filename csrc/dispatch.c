/* dispatch.c — one table per compiled ISA: micro-kernel pointers for both dtypes and the block
 * sizes the drivers use, and the kernel registry (every entry of every <family>.inc).
 *
 * CONVX_HAVE_AVX2 / CONVX_HAVE_AVX512 are defined by setup.py when the corresponding static
 * kernel library is built (x86-64 only). Block sizes (Zen 4: 32 KiB L1d, 1 MiB L2 per core):
 *  - direct_slab_bytes 256 KiB: the per-thread padded input slab stays in L2 next to the
 *    output block (chosen with `python -m convx bench --suite mobilenet_dw`);
 *  - direct_out_bytes 256 KiB: output rows a direct task accumulates into, also L2;
 *  - col_tile_bytes 4 MiB: im2col super-tile shared by the team (L2 x cores + L3 slice), large
 *    enough that each BLAS call sees a wide panel (resnet50 suite);
 *  - gemm_kc 512: reduction chunk of convx's own GEMM micro-kernel, so the B sub-panel
 *    (kc x NR) stays in L2 while the MR-row blocks of A stream past it;
 *  - gemm_nb / gemm_mb: the BLAS call block. Blocks are fixed per problem (never per team size)
 *    so results do not depend on `workers`.
 */
#include <stddef.h>
#include "convx.h"
#include "kernels/kernels.h"

#define DIRECT_PTRS(dt, t8, t4, t1, isa)                                                       \
    {convx_##dt##_direct_ukernel_##t8##__##isa, convx_##dt##_direct_ukernel_##t4##__##isa,       \
     convx_##dt##_direct_ukernel_##t1##__##isa}

static const convx_table table_scalar = {
    CONVX_ISA_SCALAR, {8, 4, 1},
    DIRECT_PTRS(f32, 8x1, 4x2, 1x4, scalar), DIRECT_PTRS(f64, 8x1, 4x2, 1x4, scalar),
    convx_f32_gemm_ukernel_4x4__scalar, convx_f64_gemm_ukernel_4x4__scalar,
    convx_f32_igemm_ukernel_4x4__scalar, convx_f64_igemm_ukernel_4x4__scalar,
    4, 4, 4, 4, 512,
    NULL, NULL,
    convx_f32_im2col_ukernel_rows__scalar, convx_f64_im2col_ukernel_rows__scalar,
    convx_f32_pack_ukernel_row__scalar, convx_f64_pack_ukernel_row__scalar,
    convx_f32_peak_ukernel__scalar, convx_f64_peak_ukernel__scalar,
    256 << 10, 256 << 10, 4 << 20, 256, 256,
    NULL, NULL, 0, 0, 0, 0, NULL, NULL};

#ifdef CONVX_HAVE_AVX2
static const convx_table table_avx2 = {
    CONVX_ISA_AVX2, {8, 4, 1},
    DIRECT_PTRS(f32, 8x8, 4x16, 1x32, avx2), DIRECT_PTRS(f64, 8x4, 4x8, 1x16, avx2),
    convx_f32_gemm_ukernel_6x16__avx2, convx_f64_gemm_ukernel_6x8__avx2,
    convx_f32_igemm_ukernel_6x16__avx2, convx_f64_igemm_ukernel_6x8__avx2,
    6, 16, 6, 8, 512,
    NULL, NULL,
    convx_f32_im2col_ukernel_rows__avx2, convx_f64_im2col_ukernel_rows__avx2,
    convx_f32_pack_ukernel_row__avx2, convx_f64_pack_ukernel_row__avx2,
    convx_f32_peak_ukernel__avx2, convx_f64_peak_ukernel__avx2,
    256 << 10, 256 << 10, 4 << 20, 256, 256,
    convx_f32_ocblock_ukernel_16x6__avx2, convx_f64_ocblock_ukernel_8x6__avx2, 16, 6, 8, 6,
    NULL, NULL};
#endif

#ifdef CONVX_HAVE_AVX512
static const convx_table table_avx512 = {
    CONVX_ISA_AVX512, {8, 4, 1},
    DIRECT_PTRS(f32, 8x32, 4x32, 1x64, avx512), DIRECT_PTRS(f64, 8x16, 4x16, 1x32, avx512),
    convx_f32_gemm_ukernel_12x32__avx512, convx_f64_gemm_ukernel_6x32__avx512,
    convx_f32_igemm_ukernel_12x32__avx512, convx_f64_igemm_ukernel_6x32__avx512,
    12, 32, 6, 32, 512,
    convx_f32_dwconv_ukernel_3x3s1__avx512, convx_f32_dwconv_ukernel_3x3s2__avx512,
    convx_f32_im2col_ukernel_rows__avx512, convx_f64_im2col_ukernel_rows__avx512,
    convx_f32_pack_ukernel_row__avx512, convx_f64_pack_ukernel_row__avx512,
    convx_f32_peak_ukernel__avx512, convx_f64_peak_ukernel__avx512,
    256 << 10, 256 << 10, 4 << 20, 256, 256,
    convx_f32_ocblock_ukernel_32x14__avx512, convx_f64_ocblock_ukernel_16x14__avx512, 32, 14, 16,
    14, convx_f32_transpose__avx512, NULL};
#endif

const convx_table *convx_table_for_isa(int isa)
{
    switch (isa) {
    case CONVX_ISA_SCALAR: return &table_scalar;
#ifdef CONVX_HAVE_AVX2
    case CONVX_ISA_AVX2: return &table_avx2;
#endif
#ifdef CONVX_HAVE_AVX512
    case CONVX_ISA_AVX512: return &table_avx512;
#endif
    default: return NULL;
    }
}

const convx_table *convx_active_table(void)
{
    const convx_table *t = convx_table_for_isa(convx_cpu_active_isa());
    return t ? t : &table_scalar;
}

/* ---- registry ---- */
#define ISA_ID_scalar CONVX_ISA_SCALAR
#define ISA_ID_avx2 CONVX_ISA_AVX2
#define ISA_ID_avx512 CONVX_ISA_AVX512
/* Registry pointers of ISAs this build lacks are NULL (their symbols do not exist). */
#define CX_PTR_scalar(name) ((void (*)(void))name)
#ifdef CONVX_HAVE_AVX2
#define CX_PTR_avx2(name) ((void (*)(void))name)
#else
#define CX_PTR_avx2(name) NULL
#endif
#ifdef CONVX_HAVE_AVX512
#define CX_PTR_avx512(name) ((void (*)(void))name)
#else
#define CX_PTR_avx512(name) NULL
#endif

static const convx_kernel_info registry[] = {
#define CONVX_DIRECT_UKERNEL(isa, dt, ctype, ocb, ow, name)                                   \
    {"direct", #name, #dt, ISA_ID_##isa, ocb, ow, CX_PTR_##isa(name)},
#include "kernels/direct/direct.inc"
#undef CONVX_DIRECT_UKERNEL
#define CONVX_GEMM_UKERNEL(isa, dt, ctype, mr, nr, name)                                      \
    {"gemm", #name, #dt, ISA_ID_##isa, mr, nr, CX_PTR_##isa(name)},
#include "kernels/gemm/gemm.inc"
#undef CONVX_GEMM_UKERNEL
#define CONVX_IGEMM_UKERNEL(isa, dt, ctype, mr, nr, name)                                     \
    {"igemm", #name, #dt, ISA_ID_##isa, mr, nr, CX_PTR_##isa(name)},
#include "kernels/gemm/igemm.inc"
#undef CONVX_IGEMM_UKERNEL
#define CONVX_OCBLOCK_UKERNEL(isa, dt, ctype, ocb, np, name)                                  \
    {"ocblock", #name, #dt, ISA_ID_##isa, ocb, np, CX_PTR_##isa(name)},
#include "kernels/ocblock/ocblock.inc"
#undef CONVX_OCBLOCK_UKERNEL
#define CONVX_DWCONV_UKERNEL(isa, dt, ctype, k, s, name)                                      \
    {"dwconv", #name, #dt, ISA_ID_##isa, k, s, CX_PTR_##isa(name)},
#include "kernels/dwconv/dwconv.inc"
#undef CONVX_DWCONV_UKERNEL
};

int convx_kernel_count(void) { return (int)(sizeof registry / sizeof registry[0]); }

const convx_kernel_info *convx_kernel_get(int i)
{
    return (i >= 0 && i < convx_kernel_count()) ? &registry[i] : NULL;
}
