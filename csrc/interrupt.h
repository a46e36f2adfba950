/* interrupt.h — cancellation of long driver calls (Ctrl-C), for the drivers only.
 *
 * The C core does not link Python. The glue registers one hook at import
 * (convx_set_interrupt_hook, convx.h); each driver call owns a convx_cancel on its stack:
 *
 *     convx_cancel cc;
 *     convx_cancel_begin(&cc, work);          // on the calling thread, before any region
 *     ... every thread, at every block boundary:  if (cx_cancelled(&cc)) skip the block ...
 *     return convx_cancel_end(&cc, status);   // on the calling thread, after the regions
 *
 * cx_cancelled costs every thread one relaxed atomic load and, while polling, one call; only the
 * thread that called convx_cancel_begin (the owner: thread 0 of the teams it starts, or the only
 * thread) reads a monotonic clock, and calls the hook once ~20 ms have passed since the call started or since its last hook call.
 * When the hook reports a pending exception the flag is set: every thread skips the rest of
 * its blocks (OpenMP `for` loops cannot break, so their bodies become no-ops; team loops still
 * meet every barrier), the driver frees its workspace as usual and convx_cancel_end turns the
 * status into CONVX_ERR_INTERRUPTED. A poll never changes what a block computes, so results
 * are unchanged (and bit-identical for any `workers`) whenever no interrupt arrives; after an
 * interrupt the output holds partial results.
 *
 * A thread that runs out of blocks waits for the others at the end of the loop; if that is the
 * owner, nobody would poll while the others finish long blocks (a 1-D filter of one long row is
 * one task). So the main loop of each parallel region is `nowait` and followed by
 * convx_cancel_team_wait(&cc): the owner keeps polling until every thread has arrived, and the
 * others' polls inside their blocks then stop them.
 *
 * Calls below CX_POLL_MIN_WORK multiply-adds (at most a few ms even on the scalar ISA) and
 * builds without a hook never poll: cx_cancelled is then one load of a constant field.
 */
#ifndef CONVX_INTERRUPT_H
#define CONVX_INTERRUPT_H

#include "convx.h"

#if defined(_MSC_VER) && !defined(__clang__)
typedef volatile long cx_stop_flag;    /* aligned 32-bit loads and stores are atomic on MSVC */
#define CX_STOP_LOAD(f) (*(f))
#define CX_STOP_STORE(f, v) (*(f) = (v))
#else
#include <stdatomic.h>
typedef atomic_int cx_stop_flag;
#define CX_STOP_LOAD(f) atomic_load_explicit((f), memory_order_relaxed)
#define CX_STOP_STORE(f, v) atomic_store_explicit((f), (v), memory_order_relaxed)
#endif

#define CX_POLL_MIN_WORK 1048576.0

typedef struct convx_cancel {
    cx_stop_flag stop;           /* set once, by the owner, when the hook reports an exception */
    cx_stop_flag arrived;        /* threads done with the region's main loop (team_wait) */
    int polling;                 /* 0: this call never polls (tiny, or no hook registered) */
    int64_t t_read, t_hook, interval;   /* owner, ns: last clock read, next hook call */
    struct convx_cancel *prev;   /* the owner thread's enclosing call (a handler may call convx) */
} convx_cancel;

/* `work`: the call's multiply-adds (or element operations), only compared with
 * CX_POLL_MIN_WORK. Must be paired with convx_cancel_end on the same thread. */
void convx_cancel_begin(convx_cancel *c, double work);
/* CONVX_ERR_INTERRUPTED if the call was cancelled (whatever `status` says: the pending Python
 * exception must reach the caller), else `status`. */
int convx_cancel_end(convx_cancel *c, int status);
/* The slow part of cx_cancelled: the owner's clock and hook (other threads return 0). */
int convx_cancel_poll(convx_cancel *c);

/* Call from every thread of a parallel region, as the last use of the team in it (after the
 * region's `nowait` main loop; then only the region's end follows, or per-thread cleanup): the
 * owner polls until every thread of the team has called it. No-op when the call does not poll
 * (the region's closing barrier does the waiting). */
void convx_cancel_team_wait(convx_cancel *c);

/* 1 when the call has been cancelled: skip the rest of the work. Call at block boundaries from
 * any thread of the call (c may be NULL: never cancelled). */
CX_INLINE int cx_cancelled(convx_cancel *c)
{
    if (!c || !c->polling) return 0;
    if (CX_STOP_LOAD(&c->stop)) return 1;
    return convx_cancel_poll(c);
}

/* Blocks between polls for a loop whose blocks each do about `block_work` multiply-adds (or
 * element copies): one clock read per ~CX_POLL_BLOCK_WORK of them (>= a few us), so tiny blocks
 * do not pay a clock read each. */
#define CX_POLL_BLOCK_WORK 65536.0
CX_INLINE cx_idx cx_poll_every(double block_work)
{
    return block_work >= CX_POLL_BLOCK_WORK ? 1 : (cx_idx)(CX_POLL_BLOCK_WORK / (block_work + 1.0)) + 1;
}

/* cx_cancelled for block i of a loop that polls every `every` blocks (cx_poll_every); the
 * flag is still checked at every block, so a stopped call skips them all. */
CX_INLINE int cx_cancelled_every(convx_cancel *c, cx_idx i, cx_idx every)
{
    if (!c || !c->polling) return 0;
    if (CX_STOP_LOAD(&c->stop)) return 1;
    return i % every == 0 ? convx_cancel_poll(c) : 0;
}

/* 1 when cancelled, without polling: for loops that must not take the owner's clock (cheap). */
CX_INLINE int cx_stopped(convx_cancel *c)
{
    return c && c->polling && CX_STOP_LOAD(&c->stop);
}

/* convx_gemm_f32/f64 (convx.h) for callers that own a cancel state (c may be NULL). */
int convx_gemm_cx_f32(cx_idx M, cx_idx N, cx_idx K, const float *A, cx_idx lda, const float *B,
                      cx_idx ldb, float *C, cx_idx ldc, const float *bias, int accumulate,
                      int workers, convx_cancel *c);
int convx_gemm_cx_f64(cx_idx M, cx_idx N, cx_idx K, const double *A, cx_idx lda,
                      const double *B, cx_idx ldb, double *C, cx_idx ldc, const double *bias,
                      int accumulate, int workers, convx_cancel *c);

#endif
