/* conv_cl.c — channels-last (NDHWC) convolutions: convx_conv_cl_f32/_f64 and
 * convx_conv_transpose_cl_f32/_f64 (conv_cl.template.c instantiated per dtype) and the
 * dtype-free geometry they share.
 *
 * Along each axis, output o = ph + S*j (phase ph) reads input i = j*IS + off(t) for the taps t
 * listed for that phase:
 *   forward     one phase, S = 1, IS = stride, off(t) = t*dil - pad, every tap;
 *   transposed  phases ph < min(stride, out), S = stride, IS = 1: output o = i*stride - pad +
 *               t*dil receives tap t from i = (o + pad - t*dil)/stride exactly when that
 *               division is exact, so tap t belongs to the phase (t*dil - pad) mod stride and
 *               off(t) = (ph + pad - t*dil)/stride.
 * An input index outside [0, in) reads zero (the implicit padding). A phase combination
 * (ph0, ph1, ph2) is a dense gather over its J0 x J1 x J2 outputs with the product of the three
 * tap lists.
 */
#include <stdlib.h>
#include <string.h>
#include "convx.h"
#include "kernels/kernels.h"
#include "interrupt.h"
#include "blas.h"

typedef struct {
    cx_idx N, C_in, C_out, G, Cig, Cog;
    cx_idx in[3], out[3], k[3];
    int transposed, pointwise;
    cx_idx nph[3], S[3], IS[3];
    cx_idx *J[3];       /* [nph] outputs per phase */
    cx_idx *start[3];   /* [nph + 1] phase ph's taps are entries start[ph] .. start[ph+1]-1 */
    cx_idx *tk[3];      /* [k] tap index of each entry */
    cx_idx *off[3];     /* [k] input offset of each entry */
    cx_idx Jmax2;       /* most outputs of one W phase (depthwise driver's pointer array) */
    cx_idx stride[3], pad[3], dil[3];   /* forward problems (the indirect GEMM driver) */
    /* indirect GEMM driver (cl_plan_igemm): output-channel blocks of OCB, NP pixels per tile,
     * bands of Bh output rows of one output plane, kc-long reduction chunks; the band's input
     * (KD plane slots of nrows x Wp pixels) is copied zero-padded unless nothing is padded */
    cx_idx OCB, NP, nob, Bh, nband, obg, nobg, kc, Wp, nrows_max, padded, wblk;
    /* GEMM driver (cl_plan) */
    cx_idx ncombo, Mt, cob, Kmax, wp_elems;
    cx_idx *combo_taps, *combo_tiles, *task_end, *wofs;   /* [ncombo] */
    void *mem, *cmem;
} cl_geom;

static void cl_free(cl_geom *q)
{
    free(q->mem);
    free(q->cmem);
    q->mem = q->cmem = NULL;
}

static void cl_combo_phases(const cl_geom *q, cx_idx cb, cx_idx ph[3])
{
    ph[2] = cb % q->nph[2];
    ph[1] = (cb / q->nph[2]) % q->nph[1];
    ph[0] = cb / (q->nph[2] * q->nph[1]);
}

/* floor modulo for a positive m */
static cx_idx cl_mod(cx_idx a, cx_idx m) { cx_idx r = a % m; return r < 0 ? r + m : r; }

/* Zeroes q and fills what both operations share: sizes, groups, per-axis extents. */
static void cl_geom_init(cl_geom *q, cx_idx N, cx_idx C_in, cx_idx C_out, cx_idx groups,
                         const cx_idx in[3], const cx_idx k[3], const cx_idx out[3])
{
    memset(q, 0, sizeof *q);
    q->N = N; q->C_in = C_in; q->C_out = C_out; q->G = groups;
    q->Cig = C_in / groups; q->Cog = C_out / groups;
    for (int a = 0; a < 3; a++) {
        q->in[a] = in[a]; q->out[a] = out[a]; q->k[a] = k[a];
    }
}

/* Allocates the per-axis lists (phase counts set). */
static int cl_alloc(cl_geom *q)
{
    cx_idx total = 0;
    for (int a = 0; a < 3; a++) total += 2 * q->nph[a] + 1 + 2 * q->k[a];
    q->mem = malloc((size_t)total * sizeof(cx_idx));
    q->cmem = NULL;
    if (!q->mem) return CONVX_ERR_NOMEM;
    cx_idx *m = (cx_idx *)q->mem;
    for (int a = 0; a < 3; a++) {
        q->J[a] = m; m += q->nph[a];
        q->start[a] = m; m += q->nph[a] + 1;
        q->tk[a] = m; m += q->k[a];
        q->off[a] = m; m += q->k[a];
    }
    return CONVX_OK;
}

static int cl_geom_forward(cl_geom *q, const convx_conv_problem *p)
{
    cl_geom_init(q, p->N, p->C_in, p->C_out, p->groups, p->in, p->k, p->out);
    q->pointwise = 1;
    for (int a = 0; a < 3; a++) {
        q->nph[a] = 1; q->S[a] = 1; q->IS[a] = p->stride[a];
        if (p->k[a] != 1 || p->stride[a] != 1 || p->pad[a] != 0 || p->out[a] != p->in[a])
            q->pointwise = 0;
        q->stride[a] = p->stride[a]; q->pad[a] = p->pad[a]; q->dil[a] = p->dil[a];
    }
    if (cl_alloc(q) != CONVX_OK) return CONVX_ERR_NOMEM;
    for (int a = 0; a < 3; a++) {
        q->J[a][0] = p->out[a];
        q->start[a][0] = 0; q->start[a][1] = p->k[a];
        for (cx_idx t = 0; t < p->k[a]; t++) {
            q->tk[a][t] = t;
            q->off[a][t] = t * p->dil[a] - p->pad[a];
        }
    }
    q->Jmax2 = p->out[2];
    return CONVX_OK;
}

static int cl_geom_transposed(cl_geom *q, const convx_conv_transpose_problem *p)
{
    cl_geom_init(q, p->N, p->C_in, p->C_out, p->groups, p->in, p->k, p->out);
    q->transposed = 1;
    for (int a = 0; a < 3; a++) {
        q->nph[a] = CX_MIN(p->stride[a], p->out[a]);
        q->S[a] = p->stride[a]; q->IS[a] = 1;
    }
    if (cl_alloc(q) != CONVX_OK) return CONVX_ERR_NOMEM;
    q->Jmax2 = 0;
    for (int a = 0; a < 3; a++) {
        const cx_idx s = p->stride[a], nph = q->nph[a];
        /* bucket the taps by phase, in tap order within a phase */
        for (cx_idx ph = 0; ph <= nph; ph++) q->start[a][ph] = 0;
        for (cx_idx t = 0; t < p->k[a]; t++) {
            const cx_idx ph = cl_mod(t * p->dil[a] - p->pad[a], s);
            if (ph < nph) q->start[a][ph + 1]++;
        }
        for (cx_idx ph = 0; ph < nph; ph++) q->start[a][ph + 1] += q->start[a][ph];
        for (cx_idx ph = 0; ph < nph; ph++) {
            cx_idx e = q->start[a][ph];
            for (cx_idx t = 0; t < p->k[a]; t++) {
                if (cl_mod(t * p->dil[a] - p->pad[a], s) != ph) continue;
                q->tk[a][e] = t;
                q->off[a][e] = (ph + p->pad[a] - t * p->dil[a]) / s;   /* exact */
                e++;
            }
            q->J[a][ph] = CX_CEILDIV(p->out[a] - ph, s);
            if (a == 2) q->Jmax2 = CX_MAX(q->Jmax2, q->J[a][ph]);
        }
    }
    return CONVX_OK;
}

/* Sizes the GEMM driver's tiles and tasks and its packed weights (from the problem alone), or
 * the depthwise driver's packed weights. */
static int cl_plan(cl_geom *q, int dw, cx_idx esz)
{
    const cx_idx taps = q->k[0] * q->k[1] * q->k[2];
    if (dw) {
        q->wp_elems = taps * q->C_out;
        return CONVX_OK;
    }
    const cx_idx nc = q->nph[0] * q->nph[1] * q->nph[2];
    q->ncombo = nc;
    q->cmem = malloc((size_t)(4 * nc) * sizeof(cx_idx));
    if (!q->cmem) { cl_free(q); return CONVX_ERR_NOMEM; }
    q->combo_taps = (cx_idx *)q->cmem;
    q->combo_tiles = q->combo_taps + nc;
    q->task_end = q->combo_tiles + nc;
    q->wofs = q->task_end + nc;
    q->Kmax = 0;
    cx_idx ph[3];
    for (cx_idx cb = 0; cb < nc; cb++) {
        cl_combo_phases(q, cb, ph);
        cx_idx n = 1;
        for (int a = 0; a < 3; a++) n *= q->start[a][ph[a] + 1] - q->start[a][ph[a]];
        q->combo_taps[cb] = n;
        q->Kmax = CX_MAX(q->Kmax, n * q->Cig);
    }
    if (q->Kmax > CX_BLAS_INT_MAX || q->Cog > CX_BLAS_INT_MAX || q->C_in > CX_BLAS_INT_MAX ||
        q->C_out > CX_BLAS_INT_MAX) {
        cl_free(q);
        return CONVX_ERR_SHAPE;
    }
    /* pixel rows per GEMM: about 512 KiB of copied rows (L2), 16..512; the whole input row
     * stride for a 1x1 (nothing copied) */
    const cx_idx rowb = CX_MAX((cx_idx)1, q->Kmax * esz);
    cx_idx Mt = q->pointwise ? 256 : CX_MIN((cx_idx)512, CX_MAX((cx_idx)16, ((cx_idx)512 << 10) / rowb / 16 * 16));
    if (!q->pointwise && Mt * rowb > (cx_idx)convx_ws_cap_bytes())
        Mt = CX_MAX((cx_idx)1, (cx_idx)convx_ws_cap_bytes() / rowb);
    q->Mt = Mt;
    cx_idx tasks0 = 0;
    for (cx_idx cb = 0; cb < nc; cb++) {
        cl_combo_phases(q, cb, ph);
        const cx_idx Q = q->J[0][ph[0]] * q->J[1][ph[1]] * q->J[2][ph[2]];
        q->combo_tiles[cb] = CX_CEILDIV(Q, Mt);
        tasks0 += q->N * q->combo_tiles[cb] * q->G;
    }
    /* few tasks (one small image): split the output channels too, >= 64 per block */
    q->cob = q->Cog;
    if (tasks0 < 8 && q->Cog > 64) {
        const cx_idx split = CX_CEILDIV((cx_idx)8, CX_MAX(tasks0, (cx_idx)1));
        q->cob = CX_MAX((cx_idx)64, CX_CEILDIV(CX_CEILDIV(q->Cog, split), 16) * 16);
        q->cob = CX_MIN(q->cob, q->Cog);
    }
    const cx_idx ncob = CX_CEILDIV(q->Cog, q->cob);
    cx_idx acc = 0, w = 0;
    for (cx_idx cb = 0; cb < nc; cb++) {
        acc += q->N * q->combo_tiles[cb] * q->G * ncob;
        q->task_end[cb] = acc;
        q->wofs[cb] = w;
        w += q->combo_taps[cb] * q->Cig * q->Cog * q->G;
    }
    q->wp_elems = q->pointwise ? 0 : w;
    return CONVX_OK;
}

/* Sizes the indirect GEMM driver (forward problems; from the problem alone): returns 0 when a
 * band of one output row would not fit the workspace cap (the GEMM driver runs instead). */
static int cl_plan_igemm(cl_geom *q, cx_idx OCB, cx_idx NP, cx_idx esz)
{
    const cx_idx KD = q->k[0], KH = q->k[1], KW = q->k[2];
    const cx_idx OH = q->out[1], OW = q->out[2], IW = q->in[2];
    q->OCB = OCB; q->NP = NP;
    q->nob = CX_CEILDIV(q->Cog, OCB);
    const cx_idx K = KD * KH * KW * q->Cig;
    q->wblk = K * OCB + OCB;
    q->kc = CX_MAX((cx_idx)16, (cx_idx)(24576 / (OCB * esz)));
    /* nothing padded (and every window inside the input): read x in place */
    q->padded = 0;
    for (int a = 0; a < 3; a++) {
        const cx_idx last = (q->out[a] - 1) * q->stride[a] + (q->k[a] - 1) * q->dil[a];
        if (q->pad[a] != 0 || last >= q->in[a]) q->padded = 1;
    }
    const cx_idx back = CX_MAX((cx_idx)0, (OW - 1) * q->stride[2] + (KW - 1) * q->dil[2] + 1 -
                                           q->pad[2] - IW);
    q->Wp = q->pad[2] + IW + back;
    const cx_idx row_elems = q->Wp * q->C_in;
    /* band: about 1 MiB of copied input, or 2048 output pixels when nothing is copied */
    cx_idx Bh;
    if (q->padded) {
        const cx_idx per_row = KD * q->stride[1] * row_elems * esz;
        Bh = ((cx_idx)1 << 20) / CX_MAX(per_row, (cx_idx)1);
    } else {
        Bh = 2048 / CX_MAX(OW, (cx_idx)1);
    }
    Bh = CX_MAX((cx_idx)1, CX_MIN(Bh, OH));
    /* at least 8 tasks where the image allows: thinner bands when the output channels give
     * fewer than 8 blocks (a 3-channel stem with 32 outputs is one block) */
    const cx_idx planes = q->N * q->out[0], blocks = q->nob * q->G;
    if (planes * CX_CEILDIV(OH, Bh) * blocks < 8) {
        const cx_idx per_plane = CX_CEILDIV(CX_CEILDIV((cx_idx)8, blocks), planes);
        Bh = CX_MAX((cx_idx)1, CX_MIN(Bh, CX_CEILDIV(OH, per_plane)));
    }
    q->Bh = Bh;
    q->nrows_max = (Bh - 1) * q->stride[1] + (KH - 1) * q->dil[1] + 1;
    if (q->padded && KD * q->nrows_max * row_elems * esz > (cx_idx)convx_ws_cap_bytes()) return 0;
    q->nband = q->N * q->out[0] * CX_CEILDIV(OH, Bh);
    /* few bands (one small image): split the output-channel blocks too */
    q->nobg = 1;
    if (q->nband < 8) q->nobg = CX_MIN(q->nob * q->G, CX_CEILDIV((cx_idx)8, q->nband));
    q->obg = CX_CEILDIV(q->nob * q->G, q->nobg);
    q->nobg = CX_CEILDIV(q->nob * q->G, q->obg);
    q->wp_elems = q->G * q->nob * q->wblk;
    return 1;
}

#define CX_TEMPLATE "conv_cl.template.c"
#include "instantiate.h"
