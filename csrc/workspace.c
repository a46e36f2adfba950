/* workspace.c — a small pool of reusable, 64-byte aligned workspace buffers.
 *
 * Fresh memory costs a page fault per 4 KiB on first touch, which for multi-MB im2col tiles can
 * cost more than the arithmetic; so buffers released by one call are kept (at most POOL_SLOTS of
 * them, each at most convx_ws_cap_bytes()) and handed to the next. A mutex guards the pool, so
 * concurrent Python threads (the GIL is released) and OpenMP threads can all acquire safely.
 */
#define _POSIX_C_SOURCE 200112L
#include <stdlib.h>
#include <string.h>
#include "convx.h"

#if defined(_WIN32)
#include <malloc.h>
#include <windows.h>
static SRWLOCK g_lock = SRWLOCK_INIT;
#define LOCK() AcquireSRWLockExclusive(&g_lock)
#define UNLOCK() ReleaseSRWLockExclusive(&g_lock)
static void *cx_aligned_alloc(size_t n) { return _aligned_malloc(n, 64); }
static void cx_aligned_free(void *p) { _aligned_free(p); }
#else
#include <pthread.h>
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
#define LOCK() pthread_mutex_lock(&g_lock)
#define UNLOCK() pthread_mutex_unlock(&g_lock)
static void *cx_aligned_alloc(size_t n)
{
    void *p = NULL;
    return posix_memalign(&p, 64, n) == 0 ? p : NULL;
}
static void cx_aligned_free(void *p) { free(p); }
#endif

#define POOL_SLOTS 8
#define POOL_TOTAL_CAP ((size_t)128 << 20)   /* all pooled buffers together */
static struct { void *p; size_t bytes; } g_pool[POOL_SLOTS];
static size_t g_total;

/* 64 MiB: the hard bound on one workspace buffer (issue #2: never a whole-batch im2col). */
size_t convx_ws_cap_bytes(void) { return (size_t)64 << 20; }

void *convx_ws_acquire(size_t bytes, size_t *got)
{
    if (bytes == 0) bytes = 64;
    bytes = (bytes + 63) & ~(size_t)63;
    int best = -1;
    LOCK();
    for (int i = 0; i < POOL_SLOTS; i++)
        if (g_pool[i].p && g_pool[i].bytes >= bytes && (best < 0 || g_pool[i].bytes < g_pool[best].bytes))
            best = i;
    void *p = NULL;
    if (best >= 0) {
        p = g_pool[best].p;
        bytes = g_pool[best].bytes;
        g_pool[best].p = NULL;
        g_total -= bytes;
    }
    UNLOCK();
    if (!p) p = cx_aligned_alloc(bytes);
    *got = p ? bytes : 0;
    return p;
}

/* `bytes` must be the size that acquire reported in *got. */
void convx_ws_release(void *p, size_t bytes)
{
    if (!p) return;
    bytes = (bytes + 63) & ~(size_t)63;
    if (bytes > convx_ws_cap_bytes()) { cx_aligned_free(p); return; }
    void *victim = p;
    LOCK();
    int slot = -1;
    for (int i = 0; i < POOL_SLOTS; i++)
        if (!g_pool[i].p) { slot = i; break; }
    if (slot < 0) {   /* full: replace the smallest buffer if this one is larger */
        slot = 0;
        for (int i = 1; i < POOL_SLOTS; i++)
            if (g_pool[i].bytes < g_pool[slot].bytes) slot = i;
        if (g_pool[slot].bytes < bytes) {
            victim = g_pool[slot].p;
        } else {
            slot = -1;
        }
    } else {
        victim = NULL;
    }
    if (slot >= 0 && victim) g_total -= g_pool[slot].bytes;
    if (slot >= 0 && g_total + bytes > POOL_TOTAL_CAP) {
        if (victim) {  /* undo the eviction: keep the pool as it was, drop the new buffer */
            g_total += g_pool[slot].bytes;
        }
        victim = p;
        slot = -1;
    }
    if (slot >= 0) { g_pool[slot].p = p; g_pool[slot].bytes = bytes; g_total += bytes; }
    UNLOCK();
    if (victim) cx_aligned_free(victim);
}
