"""Call plans and the glue invoker shared by the convolution families.

A call plan stores the normalised glue arguments of a call that passed every check, so that a
later identical call (same shapes, dtypes and plain arguments, C-contiguous aligned arrays)
skips the Python-side normalisation. The glue invoker turns stored arguments into one call of
a Cython entry point with convx._conv._conv's signature.
"""
import numpy as np

from convx._threads import resolve_workers

# ---- call plans: repeated calls with the same shapes and plain arguments skip normalisation ----
# A public function stores the normalised arguments of a call that passed every check under a
# key of its arrays' shapes and dtypes and its other arguments with exact types (True or 1.0
# never match a plan made for 1); a later call with the same key and C-contiguous, aligned arrays reuses
# them (~3 us of Python instead of ~9-20 us). The C drivers re-check the geometry anyway.
PLANS_MAX = 512


def plan_key(arrays, args):
    """The plan key of a call, or None when an array is not exactly an ndarray or an argument
    is not a plain int, str or tuple of ints. (Written out without generators: it runs on
    every call, and a tiny convolution's whole Python path is a few microseconds.)"""
    nd = np.ndarray
    k = []
    for a in arrays:
        if a is None:
            k.append(None)
        elif type(a) is nd:
            k.append(a.shape)
            k.append(a.dtype)
        else:
            return None
    for v in args:
        t = type(v)
        if t is int or t is str:
            continue
        if t is not tuple:
            return None
        for e in v:
            if type(e) is not int:
                return None
    return (tuple(k), args)


def plan_get(plans, key, arrays):
    """The stored plan for `key` if the arrays are C-contiguous, else None."""
    if key is None:
        return None
    plan = plans.get(key)
    if plan is None:
        return None
    for a in arrays:
        if a is not None:
            f = a.flags
            if not (f.c_contiguous and f.aligned):
                return None
    return plan


def glue_args(x_shape, w_shape, y_shape, stride, lo, dilation, groups, algo, cl=False):
    """The stored arguments of one glue call on validated [N, C, *sp] arrays ([N, *sp, C] when
    `cl`, channels-last): 5-D shapes (leading 1s), 3-tuples of stride / front padding /
    dilation, groups and the algorithm code."""
    nd = len(x_shape) - 2
    lead = (1,) * (3 - nd)
    if cl:
        x5 = (x_shape[0],) + lead + tuple(x_shape[1:])
        y5 = (y_shape[0],) + lead + tuple(y_shape[1:])
    else:
        x5 = tuple(x_shape[:2]) + lead + tuple(x_shape[2:])
        y5 = tuple(y_shape[:2]) + lead + tuple(y_shape[2:])
    return (x5, tuple(w_shape[:2]) + lead + tuple(w_shape[2:]), y5,
            lead + tuple(stride), (0,) * (3 - nd) + tuple(lo), lead + tuple(dilation), groups,
            algo)


def conv_glue_args(x_shape, w_shape, y_shape, stride, lo, dilation, groups, algorithm, cl=False):
    """glue_args for convx._conv (convx._conv_cl when `cl`), with algorithm "direct", "im2col"
    or "auto" (resolved in C by convx_conv_select, the rule convx.conv.choose_algorithm
    reports; the channels-last driver only tells "im2col" from the rest)."""
    from convx import _conv
    algo = {"auto": _conv.ALGO_AUTO, "direct": _conv.ALGO_DIRECT}.get(algorithm, _conv.ALGO_IM2COL)
    return glue_args(x_shape, w_shape, y_shape, stride, lo, dilation, groups, algo, cl)


def conv_glue(xc, wc, bc, y, stride, lo, dilation, groups, workers, algorithm="auto"):
    """One validated, zero-padded convolution straight to convx._conv (what convx.conv does
    after its checks; the separable functions chain two): stride/dilation already normalised,
    xc, wc, y C-contiguous and aligned in one dtype. Returns the glue arguments, which a call
    plan can replay with glue_call."""
    from convx import _conv
    args = conv_glue_args(xc.shape, wc.shape, y.shape, stride, lo, dilation, groups, algorithm)
    glue_call(_conv._conv, args, xc, wc, bc, y, workers)
    return args


def glue_call(glue, args, x, w, b, y, workers):
    """y = op(x, w) + b through `glue` (a Cython entry with convx._conv._conv's signature) with
    stored glue arguments (5-D shapes, 3-tuples, groups, algorithm code)."""
    x5s, w5s, y5s, st5, pad5, dil5, groups, algo = args
    if x.ndim != 5:     # 1-D/2-D: views with leading 1s (a 3-D call passes its arrays as they are)
        x, w, y = x.reshape(x5s), w.reshape(w5s), y.reshape(y5s)
    glue(x, w, b, y, st5, pad5, dil5, groups, algo, workers)


def plan_run(plans, key, arrays, glue, workers):
    """Replay a stored plan (result shape, glue arguments) for arrays = (x, w, b) through
    `glue`; None when there is none."""
    plan = plan_get(plans, key, arrays)
    if plan is None:
        return None
    shape, args = plan
    x, w, b = arrays
    y = np.empty(args[2], dtype=x.dtype)
    glue_call(glue, args, x, w, b, y, resolve_workers(workers))
    return y.reshape(shape)


def plan_put(plans, key, plan):
    if key is not None:
        if len(plans) >= PLANS_MAX:
            plans.clear()
        plans[key] = plan
