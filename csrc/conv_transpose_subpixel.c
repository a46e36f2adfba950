/* conv_transpose_subpixel.c — the sub-pixel (stride-phase) transposed-convolution driver:
 * the dtype-free phase plan, and conv_transpose_subpixel.template.c instantiated for f32 and f64
 * (convx_ct_subpixel_f32 / _f64, see conv_transpose_internal.h). Compiled with baseline flags
 * and OpenMP; the arithmetic runs in the forward-convolution variants (csrc/conv/).
 *
 * Along one axis (stride s, dilation d, padding p, kernel K), output o = s*m + r (phase r in
 * [0, s)) receives tap t from input i = m + (r + p - t*d)/s exactly when t*d = r + p (mod s).
 * Those taps are t0, t0 + step, ... (step = s/gcd(d, s)), and their input offsets
 * c(t) = (r + p - t*d)/s fall by dd = d/gcd(d, s) per step. So phase r is a stride-1 forward
 * correlation with the sub-kernel flipped, w_r[j] = w[t0 + (n_r - 1 - j)*step] (n_r taps,
 * dilation dd), front padding -c_last (c_last = c of the last tap), over M_r = ceil((out - r)/s)
 * outputs. When c_last > 0 (padding wider than the kernel reaches) the phase convolution
 * computes `lead` = c_last extra leading outputs with padding 0 and they are dropped; when the
 * phase reads past the input's end by more than its front padding, the front padding and the
 * lead grow to match (the forward variants take torch's geometry, back padding <= front).
 * Phases with the same (n_r, c_last) form a class: along every axis there are few classes
 * (usually 1 or 2 whatever s is), and the phases of a class are stacked as extra output
 * channels of one convolution. A phase with outputs but no taps (K < s/gcd) holds the bias.
 */
#include <stdlib.h>
#include <string.h>
#include "conv_transpose_internal.h"
#include "conv/internal.h"

typedef struct {
    cx_idx s, step, dd;
    int ncls;
    /* per class: taps, forward padding, dropped leading outputs, outputs computed, members */
    cx_idx ntap[CT_SUBPIXEL_MAX_STRIDE], pad[CT_SUBPIXEL_MAX_STRIDE];
    cx_idx lead[CT_SUBPIXEL_MAX_STRIDE], mout[CT_SUBPIXEL_MAX_STRIDE];
    cx_idx nmem[CT_SUBPIXEL_MAX_STRIDE], clast[CT_SUBPIXEL_MAX_STRIDE];
    /* per phase r: class (-1: no taps or no outputs), rank in its class, first tap, outputs */
    int cls[CT_SUBPIXEL_MAX_STRIDE];
    cx_idx rank[CT_SUBPIXEL_MAX_STRIDE], t0[CT_SUBPIXEL_MAX_STRIDE], M[CT_SUBPIXEL_MAX_STRIDE];
    int any_empty;   /* a phase has outputs but no taps */
} ct_sp_axis;

static cx_idx ct_gcd(cx_idx a, cx_idx b)
{
    while (b) { const cx_idx r = a % b; a = b; b = r; }
    return a;
}

/* 0 when the stride is beyond the tables (the driver then declines) */
static int ct_sp_axis_plan(ct_sp_axis *A, cx_idx K, cx_idx s, cx_idx pd, cx_idx d, cx_idx OUT,
                           cx_idx IN)
{
    if (s < 1 || s > CT_SUBPIXEL_MAX_STRIDE) return 0;
    const cx_idx g = ct_gcd(d, s);
    A->s = s; A->step = s / g; A->dd = d / g; A->ncls = 0; A->any_empty = 0;
    for (cx_idx r = 0; r < s; r++) {
        A->cls[r] = -1;
        A->M[r] = r < OUT ? (OUT - r + s - 1) / s : 0;
        if (A->M[r] == 0) continue;
        cx_idx t0 = -1;
        for (cx_idx t = 0; t < CX_MIN(K, A->step); t++)
            if ((((t % s) * (d % s) - r - pd) % s + s) % s == 0) { t0 = t; break; }
        if (t0 < 0) { A->any_empty = 1; continue; }
        const cx_idx n = (K - 1 - t0) / A->step + 1, tl = t0 + (n - 1) * A->step;
        const cx_idx clast = (r + pd - tl * d) / s;   /* exact: tl*d = r + pd (mod s) */
        int c = 0;
        while (c < A->ncls && !(A->ntap[c] == n && A->clast[c] == clast)) c++;
        if (c == A->ncls) {
            A->ncls++;
            A->ntap[c] = n; A->clast[c] = clast; A->nmem[c] = 0; A->mout[c] = 0;
            A->lead[c] = clast > 0 ? clast : 0;
            A->pad[c] = clast > 0 ? 0 : -clast;
        }
        A->cls[r] = c; A->t0[r] = t0; A->rank[r] = A->nmem[c]++;
        A->mout[c] = CX_MAX(A->mout[c], A->M[r] + A->lead[c]);
    }
    /* The forward variants take torch's geometry: the padding past the input's end is at most
     * the front padding (some read an unpadded input in place when the front padding is 0).
     * Where a class reads further, its front padding grows to match and the extra leading
     * outputs are dropped with the lead. */
    for (int c = 0; c < A->ncls; c++) {
        const cx_idx extent = A->dd * (A->ntap[c] - 1) + 1;
        const cx_idx back = A->mout[c] - A->pad[c] + extent - 1 - IN;
        if (back > A->pad[c]) {
            const cx_idx e = back - A->pad[c];
            A->pad[c] += e; A->lead[c] += e; A->mout[c] += e;
        }
    }
    return 1;
}

/* the phases of class c, ascending (at most CT_SUBPIXEL_MAX_STRIDE) */
static cx_idx ct_sp_members(const ct_sp_axis *A, int c, cx_idx *mem)
{
    cx_idx n = 0;
    for (cx_idx r = 0; r < A->s; r++)
        if (A->cls[r] == c) mem[n++] = r;
    return n;
}

double convx_ct_subpixel_waste(const convx_conv_transpose_problem *p, cx_idx *min_cog,
                               cx_idx *nconv)
{
    double ratio = 1.0;
    cx_idx phases = 1;   /* phases stacked in the smallest phase convolution */
    *nconv = 1;
    for (int a = 0; a < 3; a++) {
        ct_sp_axis A;
        if (!ct_sp_axis_plan(&A, p->k[a], p->stride[a], p->pad[a], p->dil[a], p->out[a],
                             p->in[a]))
            return -1.0;
        double macs = 0.0;
        cx_idx fewest = 0;
        for (int c = 0; c < A.ncls; c++) {
            macs += (double)A.ntap[c] * (double)A.nmem[c] * (double)A.mout[c];
            if (c == 0 || A.nmem[c] < fewest) fewest = A.nmem[c];
        }
        ratio *= macs / ((double)p->in[a] * (double)p->k[a]);
        phases *= CX_MAX((cx_idx)1, fewest);
        *nconv *= A.ncls;
    }
    *min_cog = (p->C_out / p->groups) * phases;
    return ratio;
}

#define CX_TEMPLATE "conv_transpose_subpixel.template.c"
#include "instantiate.h"
