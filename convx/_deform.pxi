"""Glue for deformable convolution (csrc/deform.template.c): no policy, just the C call.

The caller (convx/deform.py) passes C-contiguous, native-order arrays of one dtype, already
validated; this module fills the problem struct and releases the GIL around the C driver.
"""


def _deform_conv2d(cnp.ndarray x, cnp.ndarray offset, object mask, cnp.ndarray w, object bias,
                   cnp.ndarray y, Py_ssize_t offset_groups, tuple stride, tuple pad, tuple dil,
                   int workers, bint channels_last=False):
    """y[...] = deform_conv2d(x, offset, w, bias, mask) for 4-D arrays; groups from w.shape[1].
    channels_last: x [N, H, W, C_in], offset / mask / y channels-last likewise."""
    cdef convx_deform_problem p
    cdef int a, st
    cdef int c = 3 if channels_last else 1, h = 1 if channels_last else 2
    p.channels_last = channels_last
    p.N = x.shape[0]
    p.C_in = x.shape[c]
    p.H = x.shape[h]
    p.W = x.shape[h + 1]
    p.C_out = w.shape[0]
    p.groups = p.C_in // w.shape[1]
    p.offset_groups = offset_groups
    p.kh = w.shape[2]
    p.kw = w.shape[3]
    p.OH = y.shape[h]
    p.OW = y.shape[h + 1]
    if y.shape[c] != p.C_out:
        raise ValueError("internal: y's channel axis does not match the weight")
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
