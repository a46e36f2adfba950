/* conv_cl.template.c — channels-last (NDHWC) forward and transposed convolutions, one dtype.
 *
 * Included twice by conv_cl.c (csrc/instantiate.h). The geometry (conv_cl.c, cl_geom) describes
 * both operations as gathers: along each axis, output o = ph + S*j of phase ph reads input
 * i = j*IS + off(t) for the taps t of that phase (forward: one phase, S = 1, IS = stride;
 * transposed: one phase per stride residue, S = stride, IS = 1). Every output element is then
 * one dot product computed by one thread, so results are bit-identical for any `workers`.
 *
 * Three drivers:
 *  - depthwise (one input and one output channel per group; conv_cl_dw.template.c): the
 *    dwconv_cl_row kernel on rows' interiors, the dwconv_cl kernel (one pointer per output
 *    pixel, shorter tap lists) on borders, tails, dilated and transposed windows;
 *  - indirect GEMM (forward, not 1x1, when the ISA has the kernel): bands of output rows,
 *    zero-padded band copies, packed weights per output-channel block;
 *  - GEMM (the rest, and algorithm "im2col"): rows of output pixels x (tap, input channel)
 *    columns copied from the channels-last
 *    input (whole runs of C_in/groups channels per tap), times packed weights
 *    [(tap, input channel)][output channel], with OpenBLAS (single-threaded inside the team);
 *    a 1x1 stride-1 forward convolution reads the input itself as the GEMM's A (no copy) and the
 *    weights in place (B transposed). Forward GEMMs write the output rows in place
 *    (ldc = C_out); transposed ones go through a small buffer, their rows are strided.
 * Tiles (pixel rows, output-channel blocks) are cut from the problem alone.
 */
#if !defined(CONVX_T) || !defined(CONVX_DT)
#error "conv_cl.template.c needs CONVX_T and CONVX_DT (include it from conv_cl.c)"
#endif

#define T CONVX_T

static void CONVX_NAME(cl_gemm)(int transb, cx_idx M, cx_idx Nn, cx_idx K, const T *A, cx_idx lda,
                                const T *Bm, cx_idx ldb, T *C, cx_idx ldc)
{
#if CX_T_IS_F64
    scipy_cblas_dgemm(CX_CblasRowMajor, CX_CblasNoTrans, transb ? CX_CblasTrans : CX_CblasNoTrans,
                      (int)M, (int)Nn, (int)K, 1.0, A, (int)lda, Bm, (int)ldb, 0.0, C, (int)ldc);
#else
    scipy_cblas_sgemm(CX_CblasRowMajor, CX_CblasNoTrans, transb ? CX_CblasTrans : CX_CblasNoTrans,
                      (int)M, (int)Nn, (int)K, 1.0f, A, (int)lda, Bm, (int)ldb, 0.0f, C,
                      (int)ldc);
#endif
}

typedef struct {
    const cl_geom *q;
    const T *x, *w, *bias;
    T *y, *wp;   /* wp: packed weights (GEMM driver), [tap][C] (depthwise driver) */
    const convx_table *tbl;
    convx_cancel *cc;
} CONVX_CAT(cl_team_, CONVX_DT);
#define CTEAM CONVX_CAT(cl_team_, CONVX_DT)

#include "conv_cl_dw.template.c"   /* the depthwise driver */

/* ---- GEMM ------------------------------------------------------------------------------------ */

/* Pack the weights of phase combination cb and group g: [(tap, ci)][co]. */
static void CONVX_NAME(cl_pack)(const CTEAM *t, cx_idx cb, cx_idx g)
{
    const cl_geom *q = t->q;
    cx_idx ph[3];
    cl_combo_phases(q, cb, ph);
    const cx_idx Cig = q->Cig, Cog = q->Cog, taps = q->k[0] * q->k[1] * q->k[2];
    T *dst = t->wp + q->wofs[cb] + g * q->combo_taps[cb] * Cig * Cog;
    for (cx_idx a = q->start[0][ph[0]]; a < q->start[0][ph[0] + 1]; a++)
        for (cx_idx b = q->start[1][ph[1]]; b < q->start[1][ph[1] + 1]; b++)
            for (cx_idx c = q->start[2][ph[2]]; c < q->start[2][ph[2] + 1]; c++) {
                const cx_idx tap = (q->tk[0][a] * q->k[1] + q->tk[1][b]) * q->k[2] + q->tk[2][c];
                for (cx_idx ci = 0; ci < Cig; ci++, dst += Cog) {
                    if (q->transposed) {   /* w [C_in][C_out/groups][taps] */
                        const T *src = t->w + ((g * Cig + ci) * Cog) * taps + tap;
                        for (cx_idx co = 0; co < Cog; co++) dst[co] = src[co * taps];
                    } else {               /* w [C_out][C_in/groups][taps] */
                        const T *src = t->w + ((g * Cog) * Cig + ci) * taps + tap;
                        for (cx_idx co = 0; co < Cog; co++) dst[co] = src[co * Cig * taps];
                    }
                }
            }
}

/* Task `task`: (combo, image, pixel tile, group, output-channel block); A and Cbuf are this
 * thread's buffers (Mt x Kmax, Mt x cob). */
static void CONVX_NAME(cl_gemm_task)(const CTEAM *t, cx_idx task, T *A, T *Cbuf)
{
    const cl_geom *q = t->q;
    cx_idx lo = 0, hi = q->ncombo - 1;   /* the first combination whose tasks end past `task` */
    while (lo < hi) {
        const cx_idx mid = lo + (hi - lo) / 2;
        if (task < q->task_end[mid]) hi = mid; else lo = mid + 1;
    }
    const cx_idx cb = lo;
    cx_idx r = task - (cb ? q->task_end[cb - 1] : 0);
    const cx_idx ncob = CX_CEILDIV(q->Cog, q->cob), G = q->G;
    const cx_idx ib = r % ncob; r /= ncob;
    const cx_idx g = r % G; r /= G;
    const cx_idx ntile = q->combo_tiles[cb];
    const cx_idx tile = r % ntile;
    const cx_idx n = r / ntile;
    cx_idx ph[3];
    cl_combo_phases(q, cb, ph);
    const cx_idx J0 = q->J[0][ph[0]], J1 = q->J[1][ph[1]], J2 = q->J[2][ph[2]];
    const cx_idx Q = J0 * J1 * J2;
    const cx_idx q0 = tile * q->Mt, M = CX_MIN(q->Mt, Q - q0);
    const cx_idx c0 = ib * q->cob, nc = CX_MIN(q->cob, q->Cog - c0);
    const cx_idx Cin = q->C_in, Cout = q->C_out, Cig = q->Cig, Cog = q->Cog;
    const cx_idx ntap = q->combo_taps[cb], K = ntap * Cig;
    const cx_idx ID = q->in[0], IH = q->in[1], IW = q->in[2];
    const T *xn = t->x + n * ID * IH * IW * Cin + g * Cig;
    const T *bias = t->bias ? t->bias + g * Cog + c0 : NULL;
    const T *Am = A;
    cx_idx lda = K;
    if (q->pointwise) {
        Am = xn + q0 * Cin;
        lda = Cin;
    } else if (K > 0) {
        /* im2col rows: pixel qq = (j0, j1, j2) of the combo, columns (tap, ci) */
        cx_idx j2 = q0 % J2, j1 = (q0 / J2) % J1, j0 = q0 / (J1 * J2);
        for (cx_idx m = 0; m < M; m++) {
            T *row = A + m * K;
            for (cx_idx a = q->start[0][ph[0]]; a < q->start[0][ph[0] + 1]; a++) {
                const cx_idx i0 = j0 * q->IS[0] + q->off[0][a];
                const int v0 = i0 >= 0 && i0 < ID;
                for (cx_idx b = q->start[1][ph[1]]; b < q->start[1][ph[1] + 1]; b++) {
                    const cx_idx i1 = j1 * q->IS[1] + q->off[1][b];
                    const int v1 = v0 && i1 >= 0 && i1 < IH;
                    for (cx_idx c = q->start[2][ph[2]]; c < q->start[2][ph[2] + 1]; c++, row += Cig) {
                        const cx_idx i2 = j2 * q->IS[2] + q->off[2][c];
                        if (v1 && i2 >= 0 && i2 < IW)
                            memcpy(row, xn + ((i0 * IH + i1) * IW + i2) * Cin, (size_t)Cig * sizeof(T));
                        else
                            memset(row, 0, (size_t)Cig * sizeof(T));
                    }
                }
            }
            if (++j2 == J2) { j2 = 0; if (++j1 == J1) { j1 = 0; j0++; } }
        }
    }
    /* forward: the output rows themselves; transposed: a buffer, scattered below */
    T *Cm = q->transposed ? Cbuf : t->y + (n * Q + q0) * Cout + g * Cog + c0;
    const cx_idx ldc = q->transposed ? nc : Cout;
    if (K > 0) {
        if (q->pointwise)
            CONVX_NAME(cl_gemm)(1, M, nc, K, Am, lda, t->w + (g * Cog + c0) * Cig, Cig, Cm, ldc);
        else
            CONVX_NAME(cl_gemm)(0, M, nc, K, Am, lda,
                                t->wp + q->wofs[cb] + g * K * Cog + c0, Cog, Cm, ldc);
    } else {
        for (cx_idx m = 0; m < M; m++) memset(Cm + m * ldc, 0, (size_t)nc * sizeof(T));
    }
    if (!q->transposed) {
        if (bias)
            for (cx_idx m = 0; m < M; m++)
                for (cx_idx co = 0; co < nc; co++) Cm[m * ldc + co] += bias[co];
        return;
    }
    const cx_idx OH = q->out[1], OW = q->out[2];
    cx_idx j2 = q0 % J2, j1 = (q0 / J2) % J1, j0 = q0 / (J1 * J2);
    T *yn = t->y + n * q->out[0] * OH * OW * Cout + g * Cog + c0;
    for (cx_idx m = 0; m < M; m++) {
        const cx_idx o0 = ph[0] + q->S[0] * j0, o1 = ph[1] + q->S[1] * j1,
                     o2 = ph[2] + q->S[2] * j2;
        T *dst = yn + ((o0 * OH + o1) * OW + o2) * Cout;
        const T *src = Cbuf + m * nc;
        if (bias)
            for (cx_idx co = 0; co < nc; co++) dst[co] = src[co] + bias[co];
        else
            memcpy(dst, src, (size_t)nc * sizeof(T));
        if (++j2 == J2) { j2 = 0; if (++j1 == J1) { j1 = 0; j0++; } }
    }
}

static int CONVX_NAME(cl_gemm_team)(void *ctx)
{
    const CTEAM *t = (const CTEAM *)ctx;
    const cl_geom *q = t->q;
    int fail = 0;
    if (!q->pointwise) {
        const cx_idx npack = q->ncombo * q->G;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
        for (cx_idx i = 0; i < npack; i++)
            if (!cx_cancelled(t->cc)) CONVX_NAME(cl_pack)(t, i / q->G, i % q->G);
    }
    size_t ga = 0, gc = 0;
    const size_t abytes = q->pointwise ? 0 : (size_t)(q->Mt * q->Kmax) * sizeof(T);
    const size_t cbytes = q->transposed ? (size_t)(q->Mt * q->cob) * sizeof(T) : 0;
    T *A = abytes ? (T *)convx_ws_acquire(abytes, &ga) : NULL;
    T *Cbuf = cbytes ? (T *)convx_ws_acquire(cbytes, &gc) : NULL;
    if ((abytes && !A) || (cbytes && !Cbuf)) fail = 1;
    const cx_idx ntask = q->task_end[q->ncombo - 1];
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1) nowait
#endif
    for (cx_idx task = 0; task < ntask; task++)
        if (!fail && !cx_cancelled(t->cc)) CONVX_NAME(cl_gemm_task)(t, task, A, Cbuf);
    convx_cancel_team_wait(t->cc);
    if (A) convx_ws_release(A, ga);
    if (Cbuf) convx_ws_release(Cbuf, gc);
    return fail;
}

/* ---- indirect GEMM (forward) --------------------------------------------------------------- */

/* Packed weights of (group, output-channel block) gb: [(ci, tap)][OCB] (the weights' own
 * order, so a transpose), then OCB biases; channels past the group's end are zero (computed,
 * never stored). */
static void CONVX_NAME(cl_ig_pack)(const CTEAM *t, cx_idx gb)
{
    const cl_geom *q = t->q;
    const cx_idx g = gb / q->nob, oc0 = (gb % q->nob) * q->OCB, OCB = q->OCB;
    const cx_idx K = q->k[0] * q->k[1] * q->k[2] * q->Cig;
    const cx_idx m = CX_MIN(OCB, q->Cog - oc0);
    T *dst = t->wp + gb * q->wblk;
    const T *src = t->w + (g * q->Cog + oc0) * K;
    const CONVX_CAT3(convx_, CONVX_DT, _transpose_fn) tr = CX_TRANSPOSE(t->tbl);
    if (tr) {
        tr(m, K, src, K, dst, OCB);
        for (cx_idx k = 0; m < OCB && k < K; k++)
            memset(dst + k * OCB + m, 0, (size_t)(OCB - m) * sizeof(T));
    } else {
        for (cx_idx k0 = 0; k0 < K; k0 += 16) {   /* 16-row strips: reads and writes cached */
            const cx_idx k1 = CX_MIN(K, k0 + 16);
            for (cx_idx o = 0; o < OCB; o++)
                for (cx_idx k = k0; k < k1; k++) dst[k * OCB + o] = o < m ? src[o * K + k] : (T)0;
        }
    }
    for (cx_idx o = 0; o < OCB; o++)
        dst[K * OCB + o] = (t->bias && o < m) ? t->bias[g * q->Cog + oc0 + o] : (T)0;
}

/* Task = (band, group of output-channel blocks): band b = (image, od, output rows
 * [oh0, oh0 + Bh)); buf holds the band's zero-padded input when q->padded. */
static void CONVX_NAME(cl_ig_task)(const CTEAM *t, cx_idx task, T *buf, T *acc, const T **px,
                                   cx_idx *koff)
{
    const cl_geom *q = t->q;
    const cx_idx band = task / q->nobg, og = task % q->nobg;
    const cx_idx nbh = CX_CEILDIV(q->out[1], q->Bh);
    const cx_idx hb = band % nbh, od = (band / nbh) % q->out[0], n = band / (nbh * q->out[0]);
    const cx_idx oh0 = hb * q->Bh, bh = CX_MIN(q->Bh, q->out[1] - oh0);
    const cx_idx OW = q->out[2], P = bh * OW, C = q->C_in;
    const cx_idx ID = q->in[0], IH = q->in[1], IW = q->in[2];
    const cx_idx KD = q->k[0], KH = q->k[1], KW = q->k[2], Cig = q->Cig;
    const cx_idx nrows = (bh - 1) * q->stride[1] + (KH - 1) * q->dil[1] + 1;
    const T *src;
    cx_idx rs, ps;   /* row stride, plane-slot stride (elements) of the source */
    const cx_idx ih0 = oh0 * q->stride[1] - q->pad[1];
    if (q->padded) {
        rs = q->Wp * C;
        ps = nrows * rs;
        for (cx_idx kd = 0; kd < KD; kd++) {
            const cx_idx id = od * q->stride[0] - q->pad[0] + kd * q->dil[0];
            for (cx_idx r = 0; r < nrows; r++) {
                T *dst = buf + kd * ps + r * rs;
                const cx_idx ih = ih0 + r;
                if (id < 0 || id >= ID || ih < 0 || ih >= IH) {
                    memset(dst, 0, (size_t)rs * sizeof(T));
                    continue;
                }
                const cx_idx lo = q->pad[2] * C, len = IW * C;
                memset(dst, 0, (size_t)lo * sizeof(T));
                memcpy(dst + lo, t->x + ((n * ID + id) * IH + ih) * IW * C, (size_t)len * sizeof(T));
                memset(dst + lo + len, 0, (size_t)(rs - lo - len) * sizeof(T));
            }
        }
        src = buf;
    } else {
        rs = IW * C;
        ps = q->dil[0] * IH * rs;
        src = t->x + ((n * ID + od * q->stride[0]) * IH + ih0) * rs;
    }
    /* reduction steps k = (ci, tap), the weights' order; pixel pointers carry the group */
    cx_idx k = 0;
    for (cx_idx ci = 0; ci < Cig; ci++)
        for (cx_idx kd = 0; kd < KD; kd++)
            for (cx_idx kh = 0; kh < KH; kh++)
                for (cx_idx kw = 0; kw < KW; kw++)
                    koff[k++] = kd * ps + kh * q->dil[1] * rs + kw * q->dil[2] * C + ci;
    const cx_idx K = k, OCB = q->OCB, NP = q->NP;
    const CONVX_CAT3(convx_, CONVX_DT, _indirect_gemm_ukernel_fn) uk =
        t->tbl->CONVX_CAT(indirect_gemm_, CONVX_DT);
    const cx_idx gb0 = og * q->obg, gb1 = CX_MIN(q->G * q->nob, gb0 + q->obg);
    const cx_idx ntile = CX_CEILDIV(P, NP);
    T *yb = t->y + (((n * q->out[0] + od) * q->out[1] + oh0) * OW) * q->C_out;
    cx_idx gcur = -1;
    for (cx_idx gb = gb0; gb < gb1; gb++) {
        const cx_idx g = gb / q->nob, ob = gb % q->nob;
        if (g != gcur) {
            for (cx_idx j = 0; j < P; j++) {
                const cx_idx oh = j / OW, ow = j % OW;
                px[j] = src + oh * q->stride[1] * rs + ow * q->stride[2] * C + g * Cig;
            }
            gcur = g;
        }
        const T *wb = t->wp + gb * q->wblk;
        for (cx_idx k0 = 0; k0 < K; k0 += q->kc) {
            /* a band's block can be seconds of work (512 channels, 7x7): poll per K chunk */
            if (cx_cancelled(t->cc)) return;
            const cx_idx kn = CX_MIN(q->kc, K - k0);
            for (cx_idx tt = 0; tt < ntile; tt++)
                uk(kn, wb + k0 * OCB, px + tt * NP, koff + k0, CX_MIN(NP, P - tt * NP),
                   acc + tt * NP * OCB, k0 > 0, wb + K * OCB);
        }
        const cx_idx m = CX_MIN(OCB, q->Cog - ob * OCB);
        T *yo = yb + g * q->Cog + ob * OCB;
        for (cx_idx j = 0; j < P; j++)
            memcpy(yo + j * q->C_out, acc + j * OCB, (size_t)m * sizeof(T));
    }
}

static int CONVX_NAME(cl_ig_team)(void *ctx)
{
    const CTEAM *t = (const CTEAM *)ctx;
    const cl_geom *q = t->q;
    int fail = 0;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
    for (cx_idx gb = 0; gb < q->G * q->nob; gb++)
        if (!cx_cancelled(t->cc)) CONVX_NAME(cl_ig_pack)(t, gb);
    const cx_idx Pmax = q->Bh * q->out[2];
    const cx_idx taps = q->k[0] * q->k[1] * q->k[2];
    size_t g1 = 0, g2 = 0, g3 = 0, g4 = 0;
    const size_t bufb = q->padded ? (size_t)(q->k[0] * q->nrows_max * q->Wp * q->C_in) * sizeof(T) : 0;
    T *buf = bufb ? (T *)convx_ws_acquire(bufb, &g1) : NULL;
    T *acc = (T *)convx_ws_acquire((size_t)(CX_CEILDIV(Pmax, q->NP) * q->NP * q->OCB) * sizeof(T), &g2);
    const T **px = (const T **)convx_ws_acquire((size_t)(CX_CEILDIV(Pmax, q->NP) * q->NP) * sizeof(T *), &g3);
    cx_idx *koff = (cx_idx *)convx_ws_acquire((size_t)(taps * q->Cig) * sizeof(cx_idx), &g4);
    if ((bufb && !buf) || !acc || !px || !koff) fail = 1;
    const cx_idx ntask = q->nband * q->nobg;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1) nowait
#endif
    for (cx_idx task = 0; task < ntask; task++)
        if (!fail && !cx_cancelled(t->cc)) CONVX_NAME(cl_ig_task)(t, task, buf, acc, px, koff);
    convx_cancel_team_wait(t->cc);
    if (buf) convx_ws_release(buf, g1);
    if (acc) convx_ws_release(acc, g2);
    if (px) convx_ws_release((void *)px, g3);
    if (koff) convx_ws_release(koff, g4);
    return fail;
}

static int CONVX_NAME(cl_run)(cl_geom *q, const T *x, const T *w, const T *bias, T *y,
                              int algorithm, int workers)
{
    const convx_table *tbl = convx_active_table();
    const int dw = algorithm != CONVX_ALGO_IM2COL && q->Cig == 1 && q->Cog == 1;
    /* forward problems on the indirect GEMM kernel when the ISA has one */
    /* (1x1 stride-1 convolutions stay on OpenBLAS reading x in place: measured faster) */
    const int ig = !dw && !q->transposed && !q->pointwise && algorithm != CONVX_ALGO_IM2COL &&
                   tbl->CONVX_CAT(indirect_gemm_, CONVX_DT) != NULL &&
                   cl_plan_igemm(q, CX_INDIRECT_GEMM_OC(tbl), CX_INDIRECT_GEMM_NP(tbl),
                                 (cx_idx)sizeof(T));
    int st = ig ? CONVX_OK : cl_plan(q, dw, (cx_idx)sizeof(T));
    if (st != CONVX_OK) return st;
    const double work = (double)q->N * q->C_out * q->Cig * (double)q->k[0] * q->k[1] * q->k[2] *
                        (double)q->out[0] * q->out[1] * q->out[2] /
                        (q->transposed ? (double)q->nph[0] * q->nph[1] * q->nph[2] : 1.0);
    workers = cx_team_size(workers, work, CX_CONV_TEAM_MIN_WORK);
    CTEAM t;
    t.q = q; t.x = x; t.w = w; t.bias = bias; t.y = y; t.tbl = tbl;
    size_t got = 0;
    t.wp = q->wp_elems ? (T *)convx_ws_acquire((size_t)q->wp_elems * sizeof(T), &got) : NULL;
    if (q->wp_elems && !t.wp) { cl_free(q); return CONVX_ERR_NOMEM; }
    convx_cancel cc;
    convx_cancel_begin(&cc, work);
    t.cc = &cc;
    const int fail = convx_team_run(workers, dw ? CONVX_NAME(cl_dw_team) :
                                             ig ? CONVX_NAME(cl_ig_team) : CONVX_NAME(cl_gemm_team),
                                    &t);
    if (t.wp) convx_ws_release(t.wp, got);
    cl_free(q);
    return convx_cancel_end(&cc, fail ? CONVX_ERR_NOMEM : CONVX_OK);
}

int CONVX_NAME(conv_cl)(const convx_conv_problem *p, const T *x, const T *w, const T *bias, T *y,
                        int algorithm, int workers)
{
    int st = convx_check_conv_geometry(p->N, p->C_in, p->C_out, p->groups, p->in, p->k, p->out,
                                       p->stride, p->pad, p->dil);
    if (st != CONVX_OK) return st;
    cl_geom q;
    st = cl_geom_forward(&q, p);
    if (st != CONVX_OK) return st;
    return CONVX_NAME(cl_run)(&q, x, w, bias, y, algorithm, workers);
}

int CONVX_NAME(conv_transpose_cl)(const convx_conv_transpose_problem *p, const T *x, const T *w,
                                  const T *bias, T *y, int algorithm, int workers)
{
    int st = convx_check_conv_geometry(p->N, p->C_in, p->C_out, p->groups, p->in, p->k, p->out,
                                       p->stride, p->pad, p->dil);
    if (st != CONVX_OK) return st;
    cl_geom q;
    st = cl_geom_transposed(&q, p);
    if (st != CONVX_OK) return st;
    return CONVX_NAME(cl_run)(&q, x, w, bias, y, algorithm, workers);
}

#undef CTEAM
#undef T
