"""Glue for deformable convolution (csrc/deform.template.c): no policy, just the C call.

The caller (convx/deform.py) passes C-contiguous, native-order arrays of one dtype, already
validated; this module fills the problem struct and releases the GIL around the C driver.
"""


def _deform_conv2d(cnp.ndarray x, cnp.ndarray offset, object mask, cnp.ndarray w, object bias,
                   cnp.ndarray y, Py_ssize_t offset_groups, tuple stride, tuple pad, tuple dil,
                   int workers):
    """y[...] = deform_conv2d(x, offset, w, bias, mask) for 4-D arrays; groups from w.shape[1]."""
    cdef convx_deform_problem p
    cdef int a, st
    p.N = x.shape[0]
    p.C_in = x.shape[1]
    p.H = x.shape[2]
    p.W = x.shape[3]
    p.C_out = w.shape[0]
    p.groups = x.shape[1] // w.shape[1]
    p.offset_groups = offset_groups
    p.kh = w.shape[2]
    p.kw = w.shape[3]
    p.OH = y.shape[2]
    p.OW = y.shape[3]
    for a in range(2):
        p.stride[a] = stride[a]
        p.pad[a] = pad[a]
        p.dil[a] = dil[a]
    cdef void *mp = _data_or_null(mask)
    cdef void *bp = _data_or_null(bias)
    cdef void *xp = cnp.PyArray_DATA(x)
    cdef void *op = cnp.PyArray_DATA(offset)
    cdef void *wp = cnp.PyArray_DATA(w)
    cdef void *yp = cnp.PyArray_DATA(y)
    if x.dtype.num == cnp.NPY_FLOAT32:
        with nogil:
            st = convx_deform_conv2d_f32(&p, <const float *>xp, <const float *>op,
                                         <const float *>mp, <const float *>wp,
                                         <const float *>bp, <float *>yp, workers)
    else:
        with nogil:
            st = convx_deform_conv2d_f64(&p, <const double *>xp, <const double *>op,
                                         <const double *>mp, <const double *>wp,
                                         <const double *>bp, <double *>yp, workers)
    _check(st)
    return y
