/* cpu.c — CPU feature detection and ISA choice, run once at import (from convx/_runtime.pxi).
 *
 * GCC/Clang: __builtin_cpu_supports, which also checks that the OS saves the vector state
 * (XGETBV). F16C has no builtin name in older GCC, so it is read from CPUID leaf 1 directly.
 * CONVX_ISA (passed in as `request`) caps the choice; a request the CPU or the build cannot honour
 * is an error, never a silent fallback. Non-x86 builds have only the scalar ISA.
 */
#include <string.h>
#include <stdio.h>
#include "convx.h"
#include "kernels/kernels.h"

#if (defined(__x86_64__) || defined(_M_X64)) && defined(__GNUC__)
#define CX_X86_GNU 1
#include <cpuid.h>
#endif

static int g_active = -1;
static char g_error[256];
static int g_feat[8];
static const char *g_feat_names[8] = {"fma", "f16c", "avx2", "avx512f", "avx512cd",
                                      "avx512bw", "avx512dq", "avx512vl"};

static void detect(void)
{
    memset(g_feat, 0, sizeof g_feat);
#ifdef CX_X86_GNU
    __builtin_cpu_init();
    unsigned a, b, c, d;
    int f16c = 0;
    if (__get_cpuid(1, &a, &b, &c, &d)) f16c = (c >> 29) & 1;
    g_feat[0] = __builtin_cpu_supports("fma") != 0;
    g_feat[1] = f16c && __builtin_cpu_supports("avx") != 0;
    g_feat[2] = __builtin_cpu_supports("avx2") != 0;
    g_feat[3] = __builtin_cpu_supports("avx512f") != 0;
    g_feat[4] = __builtin_cpu_supports("avx512cd") != 0;
    g_feat[5] = __builtin_cpu_supports("avx512bw") != 0;
    g_feat[6] = __builtin_cpu_supports("avx512dq") != 0;
    g_feat[7] = __builtin_cpu_supports("avx512vl") != 0;
#endif
}

int convx_cpu_feature_count(void) { return 8; }
const char *convx_cpu_feature_name(int i) { return (i >= 0 && i < 8) ? g_feat_names[i] : ""; }
int convx_cpu_feature_value(int i) { return (i >= 0 && i < 8) ? g_feat[i] : 0; }

int convx_cpu_isa_supported(int isa)
{
    switch (isa) {
    case CONVX_ISA_SCALAR: return 1;
    case CONVX_ISA_AVX2: return g_feat[0] && g_feat[1] && g_feat[2];
    case CONVX_ISA_AVX512:
        return convx_cpu_isa_supported(CONVX_ISA_AVX2) && g_feat[3] && g_feat[4] && g_feat[5] &&
               g_feat[6] && g_feat[7];
    default: return 0;
    }
}

int convx_cpu_isa_compiled(int isa) { return convx_table_for_isa(isa) != NULL; }

const char *convx_isa_name(int isa)
{
    static const char *names[] = CONVX_ISA_NAMES;
    return (isa >= 0 && isa < CONVX_ISA_COUNT) ? names[isa] : "unknown";
}

const char *convx_cpu_error(void) { return g_error; }
int convx_cpu_active_isa(void) { return g_active; }

int convx_cpu_init(const char *request)
{
    detect();
    g_error[0] = 0;
    /* every dispatch table must agree with the kernel registry (tiles, slots, ISA): a mismatch
     * would hand drivers a kernel with another register tile, so fail the import instead */
    if (convx_dispatch_check(g_error, sizeof g_error) != CONVX_OK) return CONVX_ERR_INTERNAL;
    if (request && request[0]) {
        int isa = -1;
        for (int i = 0; i < CONVX_ISA_COUNT; i++)
            if (strcmp(request, convx_isa_name(i)) == 0) isa = i;
        if (isa < 0) {
            char tags[128] = "";
            for (int i = 0; i < CONVX_ISA_COUNT; i++)
                snprintf(tags + strlen(tags), sizeof tags - strlen(tags), "%s'%s'",
                         i ? ", " : "", convx_isa_name(i));
            snprintf(g_error, sizeof g_error, "CONVX_ISA must be one of %s, got '%.64s'", tags,
                     request);
            return CONVX_ERR_ISA;
        }
        if (!convx_cpu_isa_compiled(isa)) {
            snprintf(g_error, sizeof g_error,
                     "CONVX_ISA='%s' was requested but this build of convx has no %s kernels",
                     request, request);
            return CONVX_ERR_ISA;
        }
        if (!convx_cpu_isa_supported(isa)) {
            snprintf(g_error, sizeof g_error,
                     "CONVX_ISA='%s' was requested but this CPU (or OS) does not support it",
                     request);
            return CONVX_ERR_ISA;
        }
        g_active = isa;
        return CONVX_OK;
    }
    g_active = CONVX_ISA_SCALAR;
    for (int i = CONVX_ISA_COUNT - 1; i > 0; i--)
        if (convx_cpu_isa_compiled(i) && convx_cpu_isa_supported(i)) { g_active = i; break; }
    return CONVX_OK;
}

const char *convx_status_str(int status)
{
    switch (status) {
    case CONVX_OK: return "ok";
    case CONVX_ERR_NOMEM: return "out of memory (or a size product overflowed)";
    case CONVX_ERR_SHAPE: return "inconsistent shapes";
    case CONVX_ERR_ARG: return "invalid argument";
    case CONVX_ERR_ISA: return "requested ISA unavailable";
    case CONVX_DECLINED: return "internal error: a conv variant's decline escaped the entry point";
    case CONVX_ERR_INTERRUPTED: return "interrupted";
    default: return "internal error";
    }
}
