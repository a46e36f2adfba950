"""Glue for convx.filters (csrc/filters.template.c): no policy, just the C call.

The caller (convx/filters.py) passes a C-contiguous input viewed as [B, D, H, W, inner], a
C-contiguous kernel [kD, kH, kW] and output of the same dtype, already validated.
"""


MODES = {"reflect": CONVX_MODE_REFLECT, "constant": CONVX_MODE_CONSTANT,
         "nearest": CONVX_MODE_NEAREST, "mirror": CONVX_MODE_MIRROR, "wrap": CONVX_MODE_WRAP}


def _filter(cnp.ndarray x, cnp.ndarray w, cnp.ndarray y, tuple lo, int mode, double cval,
            bint skip_zero, int workers):
    """y = correlate(x, w) for x, y of shape [B, D, H, W, inner] and w [kD, kH, kW]."""
    cdef convx_filter_problem p
    cdef int a, st
    p.B = x.shape[0]
    p.inner = x.shape[4]
    for a in range(3):
        p.in_[a] = x.shape[1 + a]
        p.k[a] = w.shape[a]
        p.lo[a] = lo[a]
    p.mode = mode
    p.cval = cval
    cdef void *xp = cnp.PyArray_DATA(x)
    cdef void *wp = cnp.PyArray_DATA(w)
    cdef void *yp = cnp.PyArray_DATA(y)
    cdef int sz = 1 if skip_zero else 0
    if x.dtype.num == cnp.NPY_FLOAT32:
        with nogil:
            st = convx_filter_f32(&p, <const float *>xp, <const float *>wp, sz, <float *>yp,
                                  workers)
    else:
        with nogil:
            st = convx_filter_f64(&p, <const double *>xp, <const double *>wp, sz,
                                  <double *>yp, workers)
    _check(st)
    return y


def _filter_sep(cnp.ndarray x, cnp.ndarray wv, cnp.ndarray wh, cnp.ndarray y, tuple lo,
                int mode_v, int mode_h, double cval, int workers):
    """y = row filter wh (along W) of column filter wv (along H) of x, x/y [B, D, H, W, inner]."""
    cdef convx_filter_problem p
    cdef int a, st
    p.B = x.shape[0]
    p.inner = x.shape[4]
    for a in range(3):
        p.in_[a] = x.shape[1 + a]
        p.lo[a] = lo[a]
    p.k[0] = 1
    p.k[1] = wv.shape[0]
    p.k[2] = wh.shape[0]
    p.mode = mode_v
    p.cval = cval
    cdef void *xp = cnp.PyArray_DATA(x)
    cdef void *vp = cnp.PyArray_DATA(wv)
    cdef void *hp = cnp.PyArray_DATA(wh)
    cdef void *yp = cnp.PyArray_DATA(y)
    if x.dtype.num == cnp.NPY_FLOAT32:
        with nogil:
            st = convx_filter_sep_f32(&p, <const float *>xp, <const float *>vp,
                                      <const float *>hp, mode_h, <float *>yp, workers)
    else:
        with nogil:
            st = convx_filter_sep_f64(&p, <const double *>xp, <const double *>vp,
                                      <const double *>hp, mode_h, <double *>yp, workers)
    _check(st)
    return y


def _filter_fft(cnp.ndarray x, cnp.ndarray w, cnp.ndarray y, tuple lo, int mode, double cval,
                int logn, int workers):
    """y = correlate(x, w) by FFT over 2^logn tiles, x/y [B, H, W], w [kH, kW]; False (y then
    unusable) when an output came out non-finite."""
    cdef convx_filter_problem p
    cdef int st, bad = 0
    p.B = x.shape[0]
    p.inner = 1
    p.in_[0] = 1
    p.in_[1] = x.shape[1]
    p.in_[2] = x.shape[2]
    p.k[0] = 1
    p.k[1] = w.shape[0]
    p.k[2] = w.shape[1]
    p.lo[0] = 0
    p.lo[1] = lo[0]
    p.lo[2] = lo[1]
    p.mode = mode
    p.cval = cval
    cdef void *xp = cnp.PyArray_DATA(x)
    cdef void *wp = cnp.PyArray_DATA(w)
    cdef void *yp = cnp.PyArray_DATA(y)
    if x.dtype.num == cnp.NPY_FLOAT32:
        with nogil:
            st = convx_filter_fft_f32(&p, <const float *>xp, <const float *>wp, logn,
                                      <float *>yp, workers, &bad)
    else:
        with nogil:
            st = convx_filter_fft_f64(&p, <const double *>xp, <const double *>wp, logn,
                                      <double *>yp, workers, &bad)
    _check(st)
    return not bad
