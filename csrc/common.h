/* common.h — small shared definitions for every convx C file.
 *
 * 64-bit index type, restrict, name pasting for the f32/f64 templates, overflow-checked size
 * products and assertion macros. Only macros and static inline functions live here, so the file
 * is safe to include from sources compiled with any ISA flags (see STYLE.md section 6).
 */
#ifndef CONVX_COMMON_H
#define CONVX_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <assert.h>

typedef int64_t cx_idx;     /* every size, stride and offset that indexes memory */

#if defined(_MSC_VER)
#define CX_RESTRICT __restrict
#define CX_INLINE static __inline
#else
#define CX_RESTRICT __restrict__
#define CX_INLINE static inline
#endif

#define CONVX_CAT_(a, b) a##b
#define CONVX_CAT(a, b) CONVX_CAT_(a, b)
#define CONVX_CAT3(a, b, c) CONVX_CAT(CONVX_CAT(a, b), c)
/* CONVX_NAME(conv) -> convx_conv_f32 when CONVX_DT is f32 */
#define CONVX_NAME(op) CONVX_CAT3(convx_, op, CONVX_CAT(_, CONVX_DT))

#define CX_MIN(a, b) ((a) < (b) ? (a) : (b))
#define CX_MAX(a, b) ((a) > (b) ? (a) : (b))
/* ceil(a / b) for a >= 0, b >= 1, without the a + b - 1 overflow */
#define CX_CEILDIV(a, b) ((a) / (b) + ((a) % (b) != 0))

/* Sub-buffers carved from one workspace allocation (which is 64-byte aligned) start at byte
 * offsets rounded up with CX_ALIGN64, so each part is aligned for any element type (an int64
 * table after an odd number of floats would otherwise be 4-byte aligned: undefined behaviour).
 * Sizes that add such parts must add the same rounding. */
#define CX_ALIGN64(bytes) (((size_t)(bytes) + 63) & ~(size_t)63)
/* debug builds: `ptr` is a multiple of `align` bytes (what a driver assumes of its operands) */
#define CX_ASSERT_ALIGNED(ptr, align) assert((uintptr_t)(const void *)(ptr) % (uintptr_t)(align) == 0)

/* a*b into *r; returns 1 on overflow (both operands must be >= 0). */
CX_INLINE int cx_mul_overflow(cx_idx a, cx_idx b, cx_idx *r)
{
    if (a < 0 || b < 0) return 1;
    if (a != 0 && b > INT64_MAX / a) return 1;
    *r = a * b;
    return 0;
}

/* a * b * d[0] * d[1] * d[2] into *r (e.g. batch x channels x spatial volume); 1 on overflow */
CX_INLINE int cx_volume_overflow(cx_idx a, cx_idx b, const cx_idx d[3], cx_idx *r)
{
    return cx_mul_overflow(a, b, r) || cx_mul_overflow(*r, d[0], r) ||
           cx_mul_overflow(*r, d[1], r) || cx_mul_overflow(*r, d[2], r);
}

/* Threads for a problem of `work` multiply-adds: tiny problems run on the calling thread (waking
 * a team costs more than the work, e.g. a 64x64 Sobel: 2.9 us on one thread, 7.1 us on two);
 * every driver's result is the same for any team size. */
/* Convolutions (forward, transposed, plans): below ~0.8 M multiply-adds one thread wins. On the
 * 2-core Zen 4 VM, a 3x3 conv on an 8-16 px map at 2 vs 1 threads (back-to-back calls, workers
 * threads hot): 147 K MAC 0.76x, 332 K 0.96x, 590 K 0.87x, 1.33 M 1.11x, 2.36 M 1.23x. */
#define CX_CONV_TEAM_MIN_WORK convx_conv_team_min_work
CX_INLINE int cx_team_size(int workers, double work, double min_work)
{
    return (workers < 1 || work < min_work) ? 1 : workers;
}

#endif
