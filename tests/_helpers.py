"""Helpers shared by the convx test modules (importable; conftest.py holds the fixtures)."""

import json
import math
import os

import numpy as np

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")

ALGORITHMS = ("direct", "im2col", "auto")
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
KNOWN_ISAS = ("scalar", "avx2", "avx512")


def available_isas():
    """ISAs both compiled into convx and supported by this CPU (the `isa` list)."""
    import convx._cpu as cpu

    supported = set(cpu.supported_isas())
    return [isa for isa in cpu.compiled_isas() if isa in supported]


def subprocess_env(**extra):
    """Environment for a child `python` that imports the same convx as this process."""
    import convx

    root = os.path.dirname(os.path.dirname(os.path.abspath(convx.__file__)))
    env = dict(os.environ, **extra)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    return env


def conv_op(ndim):
    """The public convx.conv{ndim}d function."""
    import convx

    return getattr(convx, f"conv{ndim}d")


def reference_op(ndim):
    """The pure-NumPy oracle convx.reference.conv{ndim}d."""
    import convx.reference

    return getattr(convx.reference, f"conv{ndim}d")


def reduction_length(weight_shape):
    """k = C_in/groups * prod(kernel): the number of products summed per output."""
    return math.prod(weight_shape[1:])


def assert_conv_close(actual, expected, dtype, k, err_msg="", term_scale=1.0):
    """Assert a convolution result matches the oracle within a k-scaled tolerance.

    Checks type, dtype (exactly `dtype`, native byte order) and shape, then values
    with rtol = 2*eps and atol = 4*eps*k*t, where t is the size of one product term:
    `term_scale` (1 for the standard-normal data the tests draw) or, if larger,
    max|expected| / sqrt(k) (what random-sign terms of size t sum to).
    Rounding in a length-k sum in any order (FMA, blocking, im2col+GEMM) stays below
    about eps*k*t/5 (random walk of the partial-sum errors), so this leaves a wide
    margin, and it does not depend on the outputs being large (cancellation), yet a
    dropped or doubled term (an error of about t) is far outside it.
    NaN and +-Inf must sit in the same places.
    """
    dtype = np.dtype(dtype)
    assert isinstance(actual, np.ndarray), f"result is {type(actual).__name__}, not ndarray"
    assert actual.dtype == dtype and actual.dtype.isnative, (
        f"result dtype {actual.dtype!r}, expected {dtype!r}")
    expected = np.asarray(expected)
    assert actual.shape == expected.shape, (
        f"result shape {actual.shape}, expected {expected.shape}")
    if actual.size == 0:
        return
    eps = float(np.finfo(dtype).eps)
    k = max(int(k), 1)
    exp64 = expected.astype(np.float64)
    finite = exp64[np.isfinite(exp64)]
    t = max(term_scale, float(np.max(np.abs(finite), initial=0.0)) / math.sqrt(k))
    np.testing.assert_allclose(actual.astype(np.float64), exp64, rtol=2.0 * eps,
                               atol=4.0 * eps * k * t, equal_nan=True, err_msg=err_msg)


def make_data(seed, x_shape, w_shape, dtype, bias=True):
    """Seeded standard-normal input, weight and (optionally) bias of the given dtype."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(x_shape).astype(dtype)
    w = rng.standard_normal(w_shape).astype(dtype)
    b = rng.standard_normal(w_shape[0]).astype(dtype) if bias else None
    return x, w, b


def load_conv_shapes_sample():
    """Records of tests/data/conv_shapes_sample.jsonl (see tests/data/README.md)."""
    with open(os.path.join(DATA_DIR, "conv_shapes_sample.jsonl")) as f:
        return [json.loads(line) for line in f if line.strip()]


def record_id(rec):
    return f"{rec['net']}:{rec['name']}".replace(" ", "_")


def record_problem(rec):
    """(x_shape, w_shape, kwargs) for a conv_shapes record."""
    x_shape = (rec["mb"], rec["ic"], *rec["in"])
    w_shape = (rec["oc"], rec["ic"] // rec["groups"], *rec["k"])
    kwargs = dict(stride=tuple(rec["stride"]), padding=tuple(rec["pad"]),
                  dilation=tuple(rec["dilation"]), groups=rec["groups"])
    return x_shape, w_shape, kwargs


def same_pads(k, d):
    """(left, right) per axis for padding='same': total d*(k-1), extra on the right."""
    pads = []
    for kk, dd in zip(k, d):
        total = dd * (kk - 1)
        pads.append((total // 2, total - total // 2))
    return pads


def out_size(n, k, s, left, right, d):
    return (n + left + right - d * (k - 1) - 1) // s + 1


try:
    from hypothesis import strategies as st
except ImportError:  # hypothesis-based tests skip themselves
    st = None


if st is not None:

    @st.composite
    def conv_configs(draw, ndim, max_in=None, max_k=None, max_ch=3):
        """A small, valid conv problem: dict(x_shape, w_shape, bias, unbatched, kwargs, seed).

        kwargs has stride, padding (int, tuple, 'same' or 'valid'), dilation, groups,
        padding_mode; sizes are drawn so that every constraint (kernel fits the padded
        input, reflect pad < size, circular pad <= size, 'same' only with stride 1)
        holds by construction rather than by rejection.
        """
        max_in = max_in or {1: 12, 2: 7, 3: 5}[ndim]
        max_k = max_k or {1: 5, 2: 3, 3: 3}[ndim]
        groups = draw(st.integers(1, 3))
        cin = groups * draw(st.integers(1, max_ch))
        cout = groups * draw(st.integers(1, max_ch))
        padding_mode = draw(st.sampled_from(PADDING_MODES))
        pad_kind = draw(st.sampled_from(["int", "tuple", "same", "valid"]))
        same_int = draw(st.booleans())  # int-broadcast stride/dilation vs tuple
        k = [draw(st.integers(1, max_k)) for _ in range(ndim)]
        if same_int:
            d = [draw(st.integers(1, 3))] * ndim
            s = [draw(st.integers(1, 3))] * ndim
        else:
            d = [draw(st.integers(1, 3)) for _ in range(ndim)]
            s = [draw(st.integers(1, 3)) for _ in range(ndim)]
        if pad_kind == "same":
            s = [1] * ndim
            pads = same_pads(k, d)
            padding = "same"
        elif pad_kind == "valid":
            pads = [(0, 0)] * ndim
            padding = "valid"
        elif pad_kind == "int":
            p = draw(st.integers(0, 3))
            pads = [(p, p)] * ndim
            padding = p
        else:
            ps = [draw(st.integers(0, 3)) for _ in range(ndim)]
            pads = [(p, p) for p in ps]
            padding = tuple(ps)
        sizes = []
        for kk, dd, (left, right) in zip(k, d, pads):
            lo = max(1, dd * (kk - 1) + 1 - left - right)
            if padding_mode == "reflect":
                lo = max(lo, max(left, right) + 1)
            elif padding_mode == "circular":
                lo = max(lo, left, right)
            sizes.append(draw(st.integers(lo, max(lo, max_in) + 2)))
        unbatched = draw(st.integers(0, 5)) == 0
        batch = draw(st.integers(1, 2))
        x_shape = (cin, *sizes) if unbatched else (batch, cin, *sizes)
        return dict(
            x_shape=x_shape,
            w_shape=(cout, cin // groups, *k),
            bias=draw(st.booleans()),
            unbatched=unbatched,
            kwargs=dict(
                stride=s[0] if same_int else tuple(s),
                padding=padding,
                dilation=d[0] if same_int else tuple(d),
                groups=groups,
                padding_mode=padding_mode,
            ),
            seed=draw(st.integers(0, 2**32 - 1)),
        )
