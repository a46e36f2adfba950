/* interrupt.c — the interrupt hook and the owner's side of convx_cancel (see interrupt.h).
 *
 * Compiled with baseline flags. The hook is a plain function pointer set once at import by the
 * glue (convx/_runtime.pxi); without one (the core used from C) nothing ever polls.
 *
 * Clock reads: the owner reads CLOCK_MONOTONIC (vDSO, ~20 ns) at each of its polls; polls sit
 * at block boundaries, and loops whose blocks can be tiny (a 7x7 depthwise plane: ~50 ns) poll
 * every cx_poll_every(block work)-th block only (interrupt.h). An earlier version counted blocks
 * between clock reads adaptively; a phase of tiny blocks then let a phase of long ones (first
 * touches of a fresh output: ~100 ms each on a loaded VM) run 8 blocks between reads.
 * Hook calls: the first ~20 ms after the call started, then every `interval` after the previous
 * one returned; `interval` is 10x the last hook call's duration, clamped to [20, 100] ms, so a
 * hook that waits for the GIL (another Python thread running bytecode) stalls the owner at most
 * ~10 % of the time.
 */
#define _POSIX_C_SOURCE 200112L
#include <time.h>
#include "interrupt.h"

#if defined(_WIN32)
#include <windows.h>
#endif
#ifdef _OPENMP
#include <omp.h>
#endif

#if defined(_MSC_VER)
#define CX_THREAD_LOCAL __declspec(thread)
#else
#define CX_THREAD_LOCAL __thread
#endif

#define CX_HOOK_MIN_NS 20000000LL
#define CX_HOOK_MAX_NS 100000000LL

static convx_interrupt_hook_fn g_hook;
/* the call this thread owns (innermost), so only its owner polls the clock and the hook */
static CX_THREAD_LOCAL convx_cancel *tl_owner;

void convx_set_interrupt_hook(convx_interrupt_hook_fn hook) { g_hook = hook; }

static int64_t cx_now_ns(void)
{
#if defined(_WIN32)
    LARGE_INTEGER f, t;
    QueryPerformanceFrequency(&f);
    QueryPerformanceCounter(&t);
    return (int64_t)((double)t.QuadPart * 1e9 / (double)f.QuadPart);
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + (int64_t)ts.tv_nsec;
#endif
}

static void cx_nap(void)
{
#if defined(_WIN32)
    Sleep(0);
#else
    struct timespec ts = {0, 20000};
    nanosleep(&ts, NULL);
#endif
}

void convx_cancel_begin(convx_cancel *c, double work)
{
    CX_STOP_STORE(&c->stop, 0);
    CX_STOP_STORE(&c->arrived, 0);
    c->polling = g_hook != NULL && work >= CX_POLL_MIN_WORK;
    c->prev = NULL;
    if (!c->polling) return;
    c->t_read = cx_now_ns();
    c->interval = CX_HOOK_MIN_NS;
    c->t_hook = c->t_read + c->interval;
    c->prev = tl_owner;
    tl_owner = c;
}

int convx_cancel_end(convx_cancel *c, int status)
{
    if (!c->polling) return status;
    tl_owner = c->prev;
    return CX_STOP_LOAD(&c->stop) ? CONVX_ERR_INTERRUPTED : status;
}

/* The owner's clock read and, when due, hook call. */
static int cx_cancel_tick(convx_cancel *c)
{
    const int64_t t = cx_now_ns();
    c->t_read = t;
    if (t < c->t_hook) return 0;
    const int raised = g_hook();
    const int64_t t2 = cx_now_ns();
    int64_t iv = 10 * (t2 - t);
    c->interval = iv < CX_HOOK_MIN_NS ? CX_HOOK_MIN_NS : iv > CX_HOOK_MAX_NS ? CX_HOOK_MAX_NS : iv;
    c->t_hook = t2 + c->interval;
    c->t_read = t2;
    if (raised) {
        CX_STOP_STORE(&c->stop, 1);
        return 1;
    }
    return 0;
}

int convx_cancel_poll(convx_cancel *c)
{
    if (tl_owner != c) return 0;
    return cx_cancel_tick(c);
}

void convx_cancel_team_wait(convx_cancel *c)
{
    if (!c->polling) return;
    int team = 1;
#ifdef _OPENMP
    team = omp_get_num_threads();
#endif
#if defined(_MSC_VER) && !defined(__clang__)
    InterlockedIncrement(&c->arrived);
#else
    atomic_fetch_add_explicit(&c->arrived, 1, memory_order_acq_rel);
#endif
    if (tl_owner != c) return;
    /* spin (reading the clock, polling when due) for ~100 us like a barrier would, then nap
     * between checks; the others only finish their current block, or skip it once stopped */
    const int64_t t0 = cx_now_ns();
    while (CX_STOP_LOAD(&c->arrived) < team) {
        int64_t t;
        if (!CX_STOP_LOAD(&c->stop)) {
            cx_cancel_tick(c);
            t = c->t_read;
        } else {
            t = cx_now_ns();
        }
        if (t - t0 > 100000) cx_nap();
    }
    CX_STOP_STORE(&c->arrived, 0);   /* the region's closing barrier orders this before reuse */
}
