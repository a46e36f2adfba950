"""Glue for the forward convolutions (csrc/conv.template.c): no policy, just the C call.

The caller (convx/conv.py) passes C-contiguous, native-order arrays of one dtype, already
validated, as 5-D views [N, C, D, H, W]; this module fills the problem struct and releases the
GIL around the C driver.
"""


def _conv(cnp.ndarray x, cnp.ndarray w, object bias, cnp.ndarray y, tuple stride, tuple pad,
          tuple dil, Py_ssize_t groups, int algorithm, int workers):
    """y[...] = conv(x, w) + bias for 5-D arrays (spatial D, H, W); pad is the front padding."""
    cdef convx_conv_problem p
    cdef int a, st
    p.N = x.shape[0]
    p.C_in = x.shape[1]
    p.C_out = w.shape[0]
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
            st = convx_conv_f32(&p, <const float *>xp, <const float *>wp, <const float *>bp,
                                <float *>yp, algorithm, workers)
    else:
        with nogil:
            st = convx_conv_f64(&p, <const double *>xp, <const double *>wp, <const double *>bp,
                                <double *>yp, algorithm, workers)
    _check(st)
    return y


def _conv_cl(cnp.ndarray x, cnp.ndarray w, object bias, cnp.ndarray y, tuple stride, tuple pad,
             tuple dil, Py_ssize_t groups, int algorithm, int workers):
    """y[...] = conv(x, w) + bias, channels-last: x [N, D, H, W, C_in], y [N, oD, oH, oW, C_out],
    w [C_out, C_in/groups, kD, kH, kW] (csrc/conv_cl.c)."""
    cdef convx_conv_problem p
    cdef int a, st
    p.N = x.shape[0]
    p.C_in = x.shape[4]
    p.C_out = w.shape[0]
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
            st = convx_conv_cl_f32(&p, <const float *>xp, <const float *>wp, <const float *>bp,
                                   <float *>yp, algorithm, workers)
    else:
        with nogil:
            st = convx_conv_cl_f64(&p, <const double *>xp, <const double *>wp,
                                   <const double *>bp, <double *>yp, algorithm, workers)
    _check(st)
    return y


def _set_team_min_work(double work):
    """Private (tests): the multiply-adds below which convolutions run on the calling thread
    whatever `workers` says (csrc/common.h, CX_CONV_TEAM_MIN_WORK); returns the old value."""
    global convx_conv_team_min_work
    old = convx_conv_team_min_work
    convx_conv_team_min_work = work
    return old


def last_variant():
    """Name of the variant that ran this thread's last convolution (see csrc/convx.h):
    'depthwise', 'sliding', 'indirect_gemm', 'shifted_gemm', 'panel_gemm' (algorithm 'direct'),
    'blas_gemm'
    (algorithm 'im2col'), or 'none' before the first."""
    return convx_conv_variant_name(convx_conv_last_variant()).decode()


def choose_algorithm(Py_ssize_t c_in_per_group, Py_ssize_t c_out_per_group, tuple kernel,
                     tuple out_spatial, isa=None):
    """'direct' or 'im2col': the "auto" rule of convx_conv_select (csrc/conv.c) for a problem
    with these channels per group, kernel and output sizes; isa: an ISA name, None: the active."""
    cdef convx_conv_problem p
    cdef int order[4]
    cdef int a, n, isa_id = -1
    if isa is not None:
        names = [convx_isa_name(a).decode() for a in range(CONVX_ISA_COUNT)]
        if isa not in names:
            raise ValueError(f"isa must be one of {names} or None, got isa={isa!r}")
        isa_id = names.index(isa)
    lead = 3 - len(out_spatial)
    vol = 1
    for v in out_spatial:
        vol *= v
    if c_in_per_group < 1 or c_out_per_group < 1 or len(kernel) != len(out_spatial) or lead < 0 \
            or min(out_spatial, default=1) < 1 or vol >= 2**63:
        raise ValueError(f"choose_algorithm: bad problem (channels {c_in_per_group}, "
                         f"{c_out_per_group}, kernel {kernel}, output {out_spatial})")
    p.N = 1
    p.groups = 1
    p.C_in = c_in_per_group
    p.C_out = c_out_per_group
    for a in range(3):
        p.k[a] = kernel[a - lead] if a >= lead else 1
        p.out[a] = out_spatial[a - lead] if a >= lead else 1
        p.in_[a] = p.out[a]
        p.stride[a] = 1
        p.pad[a] = 0
        p.dil[a] = 1
    n = convx_conv_select(&p, CONVX_ALGO_AUTO, 0, isa_id, order)
    if n == 0:
        raise ValueError(f"isa {isa!r} is not compiled into this build")
    return "im2col" if order[0] == CONVX_VARIANT_BLAS_GEMM else "direct"


ALGO_AUTO = CONVX_ALGO_AUTO
ALGO_DIRECT = CONVX_ALGO_DIRECT
ALGO_IM2COL = CONVX_ALGO_IM2COL
