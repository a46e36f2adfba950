/* conv/indirect_gemm.template.c — indirect GEMM: per-pixel input pointers, vectors over output
 * channels (variant "indirect_gemm"), one dtype.
 *
 * Instantiated for f32 and f64 by conv/indirect_gemm.c (csrc/instantiate.h); the entry point
 * (csrc/conv.template.c) runs it when convx_conv_select (csrc/conv.c) picks it. 3-D problem
 * (1-D/2-D have leading sizes of 1), NCDHW layouts, front zero padding; blocks are cut from the
 * problem alone and each output's reduction runs in one thread in a fixed order, so results are
 * bit-identical for any `workers`.
 */
#if !defined(CONVX_T) || !defined(CONVX_DT)
#error "conv/indirect_gemm.template.c needs CONVX_T and CONVX_DT (include it from its .c)"
#endif

#define T CONVX_T

/* Geometry of conv_indirect_gemm: where a group's (padded) input lives and how work is cut. Work
 * runs per block = (group, run of up to `nimg` images); a block's output pixels are numbered
 * image after image, so pixel tiles run across image ends (no half-empty tile per image). */
typedef struct {
    cx_idx Cig, Cog, K, P, OCB, NP, nob, nimg, tpj, kc;
    cx_idx Dp, Hp, Wp, CS, DS, HS;    /* source extents and strides (padded copy or x itself) */
    int padded;                       /* 1: read a zero-padded copy, 0: read x in place */
    cx_idx img_elems, wblk;           /* padded copy of one image; packed weights + bias per block */
} CONVX_CAT(ocb_geom_, CONVX_DT);
#define OGEOM CONVX_CAT(ocb_geom_, CONVX_DT)

/* Channel `ci` of the group's zero-padded copy [Dp][Hp][Wp] (whole rows: memset / memcpy). */
static void CONVX_NAME(ocb_pad_channel)(const convx_conv_problem *p, const OGEOM *q, const T *xg,
                                        T *xp, cx_idx ci)
{
    const cx_idx ID = p->in[0], IH = p->in[1], IW = p->in[2];
    const cx_idx pd = p->pad[0], ph = p->pad[1], pw = p->pad[2], Wp = q->Wp;
    const cx_idx lo = CX_MIN(pw, Wp), hi = CX_MIN(Wp, pw + IW);
    T *dst = xp + ci * q->CS;
    for (cx_idx dz = 0; dz < q->Dp; dz++) {
        const cx_idx id = dz - pd;
        for (cx_idx hz = 0; hz < q->Hp; hz++, dst += Wp) {
            const cx_idx ih = hz - ph;
            if (id < 0 || id >= ID || ih < 0 || ih >= IH || hi <= lo) {
                memset(dst, 0, (size_t)Wp * sizeof(T));
                continue;
            }
            const T *src = xg + ((ci * ID + id) * IH + ih) * IW;
            if (lo > 0) memset(dst, 0, (size_t)lo * sizeof(T));
            memcpy(dst + lo, src + (lo - pw), (size_t)(hi - lo) * sizeof(T));
            if (hi < Wp) memset(dst + hi, 0, (size_t)(Wp - hi) * sizeof(T));
        }
    }
}

/* Packed weights of block `gb` = (group, output-channel block): [K][OCB] then OCB biases;
 * channels past the group's end are zero (computed, never stored). */
static void CONVX_NAME(ocb_pack)(const OGEOM *q, const convx_table *tbl, const T *w,
                                 const T *bias, T *wp, cx_idx gb)
{
    const cx_idx g = gb / q->nob, oc0 = (gb % q->nob) * q->OCB, OCB = q->OCB, K = q->K;
    const cx_idx m = CX_MIN(OCB, q->Cog - oc0);
    T *dst = wp + gb * q->wblk;
    const T *src = w + (g * q->Cog + oc0) * K;
    const CONVX_CAT3(convx_, CONVX_DT, _transpose_fn) tr = CX_TRANSPOSE(tbl);
    if (tr) {   /* vector transposes, then zeros for the missing channels */
        tr(m, K, src, K, dst, OCB);
        for (cx_idx k = 0; m < OCB && k < K; k++)
            memset(dst + k * OCB + m, 0, (size_t)(OCB - m) * sizeof(T));
    } else {
        /* 16-row strips keep both the reads (rows of w) and the writes in cache */
        for (cx_idx k0 = 0; k0 < K; k0 += 16) {
            const cx_idx k1 = CX_MIN(K, k0 + 16);
            for (cx_idx o = 0; o < OCB; o++) {
                const T *sr = src + o * K;
                for (cx_idx k = k0; k < k1; k++) dst[k * OCB + o] = o < m ? sr[k] : (T)0;
            }
        }
    }
    for (cx_idx o = 0; o < OCB; o++)
        dst[K * OCB + o] = (bias && o < m) ? bias[g * q->Cog + oc0 + o] : (T)0;
}

/* One job of a block (group g, images n0 .. n0 + nimg - 1): output-channel block `ob`, pixel
 * tiles of chunk `ch`. Image i of the block is read at src + i * img_stride (its padded copy,
 * or x itself). The reduction runs in kc-long chunks over all the job's tiles (the weight chunk
 * stays in L1); each tile's sums live in `acc` between chunks, in the same k order as one long
 * call. */
static void CONVX_NAME(ocb_job)(const convx_conv_problem *p, const OGEOM *q,
                                const convx_table *tbl, const T *src, cx_idx img_stride,
                                const cx_idx *koff, const T *wpg, T *y, cx_idx g, cx_idx n0,
                                cx_idx nimg, T *acc, const T **px, cx_idx ob, cx_idx ch)
{
    const CONVX_CAT3(convx_, CONVX_DT, _indirect_gemm_ukernel_fn) uk =
        tbl->CONVX_CAT(indirect_gemm_, CONVX_DT);
    const cx_idx OCB = q->OCB, NP = q->NP, K = q->K, P = q->P, Q = nimg * P;
    const cx_idx OH = p->out[1], OW = p->out[2];
    const cx_idx ntiles = CX_CEILDIV(Q, NP);
    const cx_idx t0 = ch * q->tpj, t1 = CX_MIN(ntiles, t0 + q->tpj);
    const cx_idx pix0 = t0 * NP, pix1 = CX_MIN(Q, t1 * NP);
    const T *wb = wpg + ob * q->wblk;
    {   /* pixel pointers: tiles are runs of NP output pixels in (image, output) order */
        cx_idx img = pix0 / P, r = pix0 % P;
        cx_idx od = r / (OH * OW), oh = (r / OW) % OH, ow = r % OW;
        for (cx_idx pix = pix0; pix < pix1; pix++) {
            px[pix - pix0] = src + img * img_stride + od * p->stride[0] * q->DS +
                             oh * p->stride[1] * q->HS + ow * p->stride[2];
            if (++ow == OW) {
                ow = 0;
                if (++oh == OH) { oh = 0; if (++od == p->out[0]) { od = 0; img++; } }
            }
        }
    }
    for (cx_idx k0 = 0; k0 < K; k0 += q->kc) {
        const cx_idx kn = CX_MIN(q->kc, K - k0);
        for (cx_idx t = t0; t < t1; t++) {
            const cx_idx n = CX_MIN(NP, Q - t * NP);
            uk(kn, wb + k0 * OCB, px + (t - t0) * NP, koff + k0, n, acc + (t - t0) * NP * OCB,
               k0 > 0, wb + K * OCB);
        }
    }
    /* write out, one run per image: acc is [pixel][channel], y is [channel][pixel] */
    const cx_idx m = CX_MIN(OCB, q->Cog - ob * OCB);
    const CONVX_CAT3(convx_, CONVX_DT, _transpose_fn) tr = CX_TRANSPOSE(tbl);
    for (cx_idx a = pix0; a < pix1;) {
        const cx_idx img = a / P, r = a % P, len = CX_MIN(pix1 - a, P - r);
        T *dst = y + ((n0 + img) * p->C_out + g * q->Cog + ob * OCB) * P + r;
        const T *s = acc + (a - pix0) * OCB;
        if (tr) {
            tr(len, m, s, OCB, dst, P);
        } else {
            for (cx_idx o = 0; o < m; o++)
                for (cx_idx j = 0; j < len; j++) dst[o * P + j] = s[j * OCB + o];
        }
        a += len;
    }
}

/* Block b of conv_indirect_gemm = (group g, images n0 .. n0 + nimg - 1): where its images are read
 * (x itself; ocb_block_pad moves that to a padded copy) and its number of pixel-tile chunks. */
typedef struct {
    cx_idx g, n0, nimg, img_stride, nchunk;
    const T *src;
} CONVX_CAT(ocb_block_, CONVX_DT);
#define OBLK CONVX_CAT(ocb_block_, CONVX_DT)

static OBLK CONVX_NAME(ocb_block)(const convx_conv_problem *p, const OGEOM *q, const T *x,
                                  cx_idx b, cx_idx nbimg)
{
    OBLK k;
    const cx_idx in_vol = p->in[0] * p->in[1] * p->in[2];
    k.g = b / nbimg;
    k.n0 = (b % nbimg) * q->nimg;
    k.nimg = CX_MIN(q->nimg, p->N - k.n0);
    k.src = x + (k.n0 * p->groups + k.g) * q->Cig * in_vol;
    k.img_stride = p->C_in * in_vol;
    k.nchunk = CX_CEILDIV(CX_CEILDIV(k.nimg * q->P, q->NP), q->tpj);
    return k;
}

/* Row r = (image, channel) of the block's padded copy in xp */
static void CONVX_NAME(ocb_block_pad)(const convx_conv_problem *p, const OGEOM *q,
                                      const OBLK *k, T *xp, cx_idx r)
{
    CONVX_NAME(ocb_pad_channel)(p, q, k->src + (r / q->Cig) * k->img_stride,
                                xp + (r / q->Cig) * q->img_elems, r % q->Cig);
}

/* Dense convolution with vectors over output channels: weights are packed once per call into
 * [K][OCB] blocks; every output pixel gets a pointer into the input (a zero-padded copy when the
 * problem pads, else x itself), so tiles hold exactly NP pixels whatever the image width, stride
 * or batch (tiles run across image ends). Suits small images and odd widths, where
 * pixel-vectorised tiles waste lanes. Jobs = (output-channel block, chunk of pixel tiles) of one
 * block (group, run of images), cut from the problem alone; each output's reduction is one
 * fixed-order loop (bit-identical for any `workers`). With many blocks each thread runs whole
 * blocks (private padded copy, no barriers); otherwise the team shares one block at a time.
 * Returns CONVX_DECLINED when a padded image or the packed weights would exceed the workspace
 * cap (the caller then uses another variant). */
static int CONVX_NAME(ocb_run)(const convx_conv_problem *p, const T *x, const T *w,
                               const T *bias, const T *wpre, T *y, int workers,
                               const convx_table *tbl, convx_cancel *cc);

int CONVX_NAME(conv_indirect_gemm)(const convx_conv_problem *p, const T *x, const T *w,
                                   const T *bias, T *y, int workers, const convx_table *tbl,
                                   convx_cancel *cc)
{
    return CONVX_NAME(ocb_run)(p, x, w, bias, NULL, y, workers, tbl, cc);
}

/* Plans (csrc/plan.template.c): the packed weights + bias of every block, as the driver packs
 * them on each call ([G * nob][(K + 1) * OCB]); with wp == NULL only the element count. They
 * do not depend on the batch, so one packing serves every N. */
cx_idx CONVX_NAME(conv_indirect_gemm_pack)(const convx_conv_problem *p, const convx_table *tbl,
                                           const T *w, const T *bias, T *wp)
{
    OGEOM q;
    q.Cig = p->C_in / p->groups; q.Cog = p->C_out / p->groups;
    q.K = q.Cig * p->k[0] * p->k[1] * p->k[2];
    q.OCB = CX_INDIRECT_GEMM_OC(tbl);
    q.nob = CX_CEILDIV(q.Cog, q.OCB);
    q.wblk = (q.K + 1) * q.OCB;
    if (wp)
        for (cx_idx gb = 0; gb < p->groups * q.nob; gb++)
            CONVX_NAME(ocb_pack)(&q, tbl, w, bias, wp, gb);
    return p->groups * q.nob * q.wblk;
}

/* The driver with weights packed beforehand by conv_indirect_gemm_pack (same results). */
int CONVX_NAME(conv_indirect_gemm_packed)(const convx_conv_problem *p, const T *x,
                                          const T *wpre, T *y, int workers,
                                          const convx_table *tbl, convx_cancel *cc)
{
    return CONVX_NAME(ocb_run)(p, x, NULL, NULL, wpre, y, workers, tbl, cc);
}

/* What ocb_run's team shares (one per call, read-only in the team). */
typedef struct {
    const convx_conv_problem *p;
    const OGEOM *q;
    const convx_table *tbl;
    const T *x, *w, *bias, *wpre;
    T *wp, *xp, *y;
    const cx_idx *koff;
    convx_cancel *cc;
    int per_thread;
    cx_idx nblocks, nbimg;
    size_t acc_bytes, px_bytes, blk_bytes;
    cx_idx pack_every, pad_every, job_every;
} CONVX_CAT(OTEAM_, CONVX_DT);
#define OTEAM CONVX_CAT(OTEAM_, CONVX_DT)

/* One team member's part of ocb_run (convx_team_run: every thread of the team, or the calling
 * thread alone, its worksharing loops then serial); returns 1 when a buffer was missing. */
static int CONVX_NAME(ocb_team)(void *ctx)
{
    const OTEAM *t = (const OTEAM *)ctx;
    const convx_conv_problem *p = t->p;
    const cx_idx G = p->groups;
    const OGEOM q = *t->q;
    const convx_table *tbl = t->tbl;
    const T *x = t->x, *w = t->w, *bias = t->bias, *wpre = t->wpre;
    T *wp = t->wp, *xp = t->xp, *y = t->y;
    const cx_idx *koff = t->koff;
    convx_cancel *cc = t->cc;
    const int per_thread = t->per_thread;
    const cx_idx nblocks = t->nblocks, nbimg = t->nbimg;
    const size_t acc_bytes = t->acc_bytes, px_bytes = t->px_bytes, blk_bytes = t->blk_bytes;
    const cx_idx pack_every = t->pack_every, pad_every = t->pad_every, job_every = t->job_every;
    int fail = 0;
    size_t ag = 0, pg = 0, xg_got = 0;
    T *acc = (T *)convx_ws_acquire(acc_bytes, &ag);
    const T **px = (const T **)convx_ws_acquire(px_bytes, &pg);
    T *xmine = NULL;   /* per-thread padded copy (per_thread mode) */
    if (per_thread && q.padded) xmine = (T *)convx_ws_acquire(blk_bytes, &xg_got);
    const int ok = acc && px && (!per_thread || !q.padded || xmine);
    if (!ok) fail = 1;
    /* the pack's barrier is the first barrier below (fewer team-wide waits) */
#ifdef _OPENMP
#pragma omp for schedule(static) nowait
#endif
    for (cx_idx gb = 0; gb < (wpre ? 0 : G * q.nob); gb++)
        if (!cx_cancelled_every(cc, gb, pack_every)) CONVX_NAME(ocb_pack)(&q, tbl, w, bias, wp, gb);
    if (per_thread) {
#ifdef _OPENMP
#pragma omp barrier
#pragma omp for schedule(dynamic, 1) nowait
#endif
        for (cx_idx b = 0; b < nblocks; b++) {
            if (!ok || cx_cancelled(cc)) continue;
            OBLK k = CONVX_NAME(ocb_block)(p, &q, x, b, nbimg);
            if (q.padded) {
                for (cx_idx r = 0; r < k.nimg * q.Cig; r++) {
                    if (cx_cancelled_every(cc, r, pad_every)) break;
                    CONVX_NAME(ocb_block_pad)(p, &q, &k, xmine, r);
                }
                k.src = xmine;
                k.img_stride = q.img_elems;
            }
            for (cx_idx job = 0; job < q.nob * k.nchunk; job++) {
                if (cx_cancelled_every(cc, job, job_every)) break;
                CONVX_NAME(ocb_job)(p, &q, tbl, k.src, k.img_stride, koff,
                                    wp + k.g * q.nob * q.wblk, y, k.g, k.n0, k.nimg, acc, px,
                                    job / k.nchunk, job % k.nchunk);
            }
        }
        convx_cancel_team_wait(cc);
    } else {
        for (cx_idx b = 0; b < nblocks; b++) {
            OBLK k = CONVX_NAME(ocb_block)(p, &q, x, b, nbimg);
            if (q.padded) {
                /* the implicit barriers order the copy before the jobs, and the jobs
                 * before the next block's copy */
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
                for (cx_idx r = 0; r < k.nimg * q.Cig; r++)
                    if (!cx_cancelled_every(cc, r, pad_every))
                        CONVX_NAME(ocb_block_pad)(p, &q, &k, xp, r);
                k.src = xp;
                k.img_stride = q.img_elems;
            } else if (b == 0) {
#ifdef _OPENMP
#pragma omp barrier
#endif
            }
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
            for (cx_idx job = 0; job < q.nob * k.nchunk; job++) {
                if (!ok || cx_cancelled_every(cc, job, job_every)) continue;
                CONVX_NAME(ocb_job)(p, &q, tbl, k.src, k.img_stride, koff,
                                    wp + k.g * q.nob * q.wblk, y, k.g, k.n0, k.nimg, acc, px,
                                    job / k.nchunk, job % k.nchunk);
            }
        }
    }
    if (acc) convx_ws_release(acc, ag);
    if (px) convx_ws_release((void *)px, pg);
    if (xmine) convx_ws_release(xmine, xg_got);
    return fail;
}

/* wpre: weights packed by conv_indirect_gemm_pack (w and bias unused), or NULL: pack w, bias */
static int CONVX_NAME(ocb_run)(const convx_conv_problem *p, const T *x, const T *w,
                               const T *bias, const T *wpre, T *y, int workers,
                               const convx_table *tbl, convx_cancel *cc)
{
    OGEOM q;
    const cx_idx G = p->groups, N = p->N;
    const cx_idx KD = p->k[0], KH = p->k[1], KW = p->k[2];
    q.Cig = p->C_in / G; q.Cog = p->C_out / G;
    q.K = q.Cig * KD * KH * KW;
    q.P = p->out[0] * p->out[1] * p->out[2];
    q.OCB = CX_INDIRECT_GEMM_OC(tbl); q.NP = CX_INDIRECT_GEMM_NP(tbl);
    q.nob = CX_CEILDIV(q.Cog, q.OCB);
    /* a padded copy whenever a window reaches outside the input: front padding, or back
     * padding (implied by out[], e.g. padding="same" with an even kernel: front 0, back 1) */
    q.padded = 0;
    for (int a = 0; a < 3; a++)
        if (p->pad[a] != 0 ||
            (p->out[a] - 1) * p->stride[a] + (p->k[a] - 1) * p->dil[a] + 1 > p->in[a])
            q.padded = 1;
    if (q.padded) {
        q.Dp = (p->out[0] - 1) * p->stride[0] + (KD - 1) * p->dil[0] + 1;
        q.Hp = (p->out[1] - 1) * p->stride[1] + (KH - 1) * p->dil[1] + 1;
        q.Wp = (p->out[2] - 1) * p->stride[2] + (KW - 1) * p->dil[2] + 1;
        if (q.Wp > 4 * p->in[2] + 4096 || q.Hp > 4 * p->in[1] + 4096 || q.Dp > 4 * p->in[0] + 4096)
            return CONVX_DECLINED;
    } else {
        q.Dp = p->in[0]; q.Hp = p->in[1]; q.Wp = p->in[2];
    }
    q.HS = q.Wp; q.DS = q.Hp * q.Wp; q.CS = q.Dp * q.DS;
    if (cx_mul_overflow(q.Cig, q.CS, &q.img_elems)) return CONVX_DECLINED;
    q.wblk = (q.K + 1) * q.OCB;
    cx_idx wp_elems;
    if (cx_mul_overflow(G * q.nob, q.wblk, &wp_elems)) return CONVX_DECLINED;
    if ((q.padded && (size_t)q.img_elems * sizeof(T) > convx_ws_cap_bytes()) ||
        (size_t)wp_elems * sizeof(T) > convx_ws_cap_bytes())
        return CONVX_DECLINED;
    /* images per block: the padded copies of a block fill at most ~2 MiB (L2 + a bit of L3,
     * read once per output-channel block); without padding x is read in place, all at once */
    q.nimg = q.padded ? CX_MAX((cx_idx)1, CX_MIN(N, ((cx_idx)2 << 20) /
                                                       (q.img_elems * (cx_idx)sizeof(T) + 1)))
                      : N;
    /* A batch of at least two images per thread runs in per-thread blocks of N / (2 workers)
     * images (dynamic schedule, private padded copies, no barriers) when such a block still
     * holds >= 256 output pixels (else its weight reuse is too low: the shared block wins).
     * Measured 2026-12-04, Zen 4, 2 threads, zoo layers with batch >= 4, one process with the
     * two rules interleaved: geomean +0.8 % (AVX-512) / +3.2 % (AVX2), up to 1.2x / 1.8x
     * (ResNet-50 res3a_branch2a, Inception 3c 3x3 s2 at batch 8: 0.56x / 0.59x of torch
     * before), worst -4 % / -6 % (Inception-v3 1x1 layers on 35x35); a shared block's static
     * split also lost up to 1.4x whenever one core was slowed (a busy neighbour), where
     * dynamically scheduled blocks adapt. */
    if (workers > 1 && N >= 2 * (cx_idx)workers && (N / (2 * (cx_idx)workers)) * q.P >= 256)
        q.nimg = CX_MIN(q.nimg, N / (2 * (cx_idx)workers));
    /* reduction chunk: the weight chunk (kc x OCB) fills about half of a 48 KiB L1 */
    q.kc = CX_MAX((cx_idx)16, (cx_idx)(24576 / (q.OCB * (cx_idx)sizeof(T))));
    const cx_idx nbimg = CX_CEILDIV(N, q.nimg), nblocks = G * nbimg;
    const int per_thread = nblocks >= 2 * (cx_idx)workers;
    /* tiles per job: at most 16 (the accumulators stay in L1/L2); fewer when a single block
     * must feed the whole team */
    const cx_idx ntiles_full = CX_CEILDIV(q.nimg * q.P, q.NP);
    q.tpj = CX_MIN((cx_idx)16, ntiles_full);
    while (!per_thread && q.tpj > 1 && q.nob * CX_CEILDIV(ntiles_full, q.tpj) < 4 * (cx_idx)workers)
        q.tpj = CX_CEILDIV(q.tpj, 2);
    const size_t acc_bytes = (size_t)(q.tpj * q.NP * q.OCB) * sizeof(T);
    const size_t px_bytes = (size_t)(q.tpj * q.NP) * sizeof(T *);
    const size_t blk_bytes = (size_t)(q.nimg * q.img_elems) * sizeof(T);

    cx_idx *koff = convx_conv_tap_offsets(p, q.Cig, q.CS, q.DS, q.HS);
    if (!koff) return CONVX_ERR_NOMEM;
    const cx_idx pack_every = cx_poll_every((double)q.K * q.OCB);
    const cx_idx pad_every = cx_poll_every((double)q.CS);
    const cx_idx job_every = cx_poll_every((double)q.tpj * q.NP * q.OCB * q.K);
    size_t wp_got = 0, xp_got = 0;
    T *wp = wpre ? (T *)wpre : (T *)convx_ws_acquire((size_t)wp_elems * sizeof(T), &wp_got);
    T *xp = NULL;
    if (wp && q.padded && !per_thread) xp = (T *)convx_ws_acquire(blk_bytes, &xp_got);
    if (!wp || (q.padded && !per_thread && !xp)) {
        if (wp && !wpre) convx_ws_release(wp, wp_got);
        free(koff);
        return CONVX_ERR_NOMEM;
    }
    OTEAM t = {p, &q, tbl, x, w, bias, wpre, wp, xp, y, koff, cc, per_thread, nblocks, nbimg,
               acc_bytes, px_bytes, blk_bytes, pack_every, pad_every, job_every};
    const int fail = convx_team_run(workers, CONVX_NAME(ocb_team), &t);
    free(koff);
    if (!wpre) convx_ws_release(wp, wp_got);
    if (xp) convx_ws_release(xp, xp_got);
    return fail ? CONVX_ERR_NOMEM : CONVX_OK;
}
#undef OBLK
#undef OGEOM
#undef OTEAM

#undef T
