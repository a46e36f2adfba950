"""Glue for the transposed convolutions (csrc/conv_transpose.template.c): no policy, just the C
call.

The caller (convx/conv_transpose.py) passes C-contiguous, native-order arrays of one dtype,
already validated, as 5-D views [N, C, D, H, W] (weight [C_in, C_out/groups, kD, kH, kW]); this
module fills the problem struct and releases the GIL around the C driver.
"""


def _conv_transpose(cnp.ndarray x, cnp.ndarray w, object bias, cnp.ndarray y, tuple stride,
                    tuple pad, tuple dil, Py_ssize_t groups, int algorithm, int workers):
    """y[...] = conv_transpose(x, w) + bias for 5-D arrays; y's shape carries output_padding."""
    cdef convx_conv_transpose_problem p
    cdef int a, st
    p.N = x.shape[0]
    p.C_in = x.shape[1]
    p.C_out = w.shape[1] * groups
    p.groups = groups
    for a in range(3):
        p.in_[a] = x.shape[2 + a]
        p.k[a] = w.shape[2 + a]
        p.out[a] = y.shape[2 + a]
        p.stride[a] = stride[a]
        p.pad[a] = pad[a]
        p.dil[a] = dil[a]
    cdef void *bp = _data_or_null(bias)
    cdef void *xp = cnp.PyArray_DATA(x)
    cdef void *wp = cnp.PyArray_DATA(w)
    cdef void *yp = cnp.PyArray_DATA(y)
    if x.dtype.num == cnp.NPY_FLOAT32:
        with nogil:
            st = convx_conv_transpose_f32(&p, <const float *>xp, <const float *>wp,
                                          <const float *>bp, <float *>yp, algorithm, workers)
    else:
        with nogil:
            st = convx_conv_transpose_f64(&p, <const double *>xp, <const double *>wp,
                                          <const double *>bp, <double *>yp, algorithm, workers)
    _check(st)
    return y


# the two drivers (csrc/conv_transpose.template.c); algorithm "direct" runs CT_FUSED, "im2col"
# CT_TWO_PASS
CT_FUSED = CONVX_CT_FUSED
CT_TWO_PASS = CONVX_CT_TWO_PASS
