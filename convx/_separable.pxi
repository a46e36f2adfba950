"""Glue for the fused depthwise-separable conv (csrc/separable.template.c): no policy.

The caller (convx/separable.py) passes the padded input as [N, C_in, D, H, W], the depthwise
weight as [C_mid, taps], the pointwise weight as [C_out, C_mid], the folded bias and the output
[N, C_out, OD, OH, OW], all C-contiguous of one dtype.
"""


def _dwsep(cnp.ndarray x, cnp.ndarray dw, tuple k, cnp.ndarray pw, object bias, cnp.ndarray y,
           tuple stride, tuple dil, Py_ssize_t mult, int workers):
    cdef convx_dwsep_problem p
    cdef int a, st
    p.N = x.shape[0]
    p.C_in = x.shape[1]
    p.mult = mult
    p.C_out = pw.shape[0]
    for a in range(3):
        p.in_[a] = x.shape[2 + a]
        p.k[a] = k[a]
        p.out[a] = y.shape[2 + a]
        p.stride[a] = stride[a]
        p.dil[a] = dil[a]
    cdef void *bp = _data_or_null(bias)
    cdef void *xp = cnp.PyArray_DATA(x)
    cdef void *dp = cnp.PyArray_DATA(dw)
    cdef void *wp = cnp.PyArray_DATA(pw)
    cdef void *yp = cnp.PyArray_DATA(y)
    if x.dtype.num == cnp.NPY_FLOAT32:
        with nogil:
            st = convx_dwsep_f32(&p, <const float *>xp, <const float *>dp, <const float *>wp,
                                 <const float *>bp, <float *>yp, workers)
    else:
        with nogil:
            st = convx_dwsep_f64(&p, <const double *>xp, <const double *>dp, <const double *>wp,
                                 <const double *>bp, <double *>yp, workers)
    _check(st)
    return y
