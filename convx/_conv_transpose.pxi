"""Glue for the transposed convolutions (csrc/conv_transpose*.c): no policy, just the C
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


def _conv_transpose_cl(cnp.ndarray x, cnp.ndarray w, object bias, cnp.ndarray y, tuple stride,
                       tuple pad, tuple dil, Py_ssize_t groups, int algorithm, int workers):
    """Channels-last _conv_transpose: x [N, D, H, W, C_in], y [N, oD, oH, oW, C_out]
    (csrc/conv_cl.c)."""
    cdef convx_conv_transpose_problem p
    cdef int a, st
    p.N = x.shape[0]
    p.C_in = x.shape[4]
    p.C_out = w.shape[1] * groups
    p.groups = groups
    for a in range(3):
        p.in_[a] = x.shape[1 + a]
        p.k[a] = w.shape[2 + a]
        p.out[a] = y.shape[1 + a]
        p.stride[a] = stride[a]
        p.pad[a] = pad[a]
        p.dil[a] = dil[a]
    if y.shape[4] != p.C_out:
        raise ValueError("internal: y's channel axis does not match the weight")
    cdef void *bp = _data_or_null(bias)
    cdef void *xp = cnp.PyArray_DATA(x)
    cdef void *wp = cnp.PyArray_DATA(w)
    cdef void *yp = cnp.PyArray_DATA(y)
    if x.dtype.num == cnp.NPY_FLOAT32:
        with nogil:
            st = convx_conv_transpose_cl_f32(&p, <const float *>xp, <const float *>wp,
                                             <const float *>bp, <float *>yp, algorithm, workers)
    else:
        with nogil:
            st = convx_conv_transpose_cl_f64(&p, <const double *>xp, <const double *>wp,
                                             <const double *>bp, <double *>yp, algorithm,
                                             workers)
    _check(st)
    return y


def _ct_last_variant():
    """Name of the driver that ran this thread's last transposed convolution (csrc/convx.h):
    'fused', 'fused_t' (algorithm 'direct'), 'two_pass' ('im2col'), 'subpixel' followed by the
    forward variant of its largest phase convolution ('subpixel:indirect_gemm'; just 'subpixel'
    when no phase has taps), or 'none'."""
    cdef int v = convx_conv_transpose_last_variant()
    name = convx_conv_transpose_variant_name(v).decode()
    cdef int phase = convx_conv_transpose_last_phase_variant()
    if v == CONVX_CT_SUBPIXEL_VARIANT and phase != 0:   # 0: bias only, no phase had taps
        name += ":" + convx_conv_variant_name(phase).decode()
    return name


def _ct_choose_algorithm(tuple in_shape, tuple w_shape, tuple out_spatial, tuple stride,
                         tuple pad, tuple dil, Py_ssize_t groups, isa=None):
    """'direct', 'im2col' or 'subpixel': the "auto" rule of convx_conv_transpose_select
    (csrc/conv_transpose.c) for validated 5-D shapes; isa: an ISA name, None: the active."""
    cdef convx_conv_transpose_problem p
    cdef int a, algo, isa_id = -1
    if isa is not None:
        names = [convx_isa_name(a).decode() for a in range(CONVX_ISA_COUNT)]
        if isa not in names:
            raise ValueError(f"isa must be one of {names} or None, got isa={isa!r}")
        isa_id = names.index(isa)
    p.N = in_shape[0]
    p.C_in = in_shape[1]
    p.C_out = w_shape[1] * groups
    p.groups = groups
    for a in range(3):
        p.in_[a] = in_shape[2 + a]
        p.k[a] = w_shape[2 + a]
        p.out[a] = out_spatial[a]
        p.stride[a] = stride[a]
        p.pad[a] = pad[a]
        p.dil[a] = dil[a]
    algo = convx_conv_transpose_select(&p, 0, isa_id)
    return {CONVX_CT_FUSED: "direct", CONVX_CT_TWO_PASS: "im2col",
            CONVX_CT_SUBPIXEL: "subpixel"}[algo]


# the drivers (csrc/conv_transpose*.c): algorithm "auto" lets C choose (CT_AUTO), "direct" runs
# CT_FUSED, "im2col" CT_TWO_PASS, "subpixel" CT_SUBPIXEL
CT_AUTO = CONVX_CT_AUTO
CT_FUSED = CONVX_CT_FUSED
CT_TWO_PASS = CONVX_CT_TWO_PASS
CT_SUBPIXEL = CONVX_CT_SUBPIXEL
