"""convx.conv1d / conv2d / conv3d against the oracle convx.reference.conv{1,2,3}d.

Every fast path (algorithm "direct", "im2col", "auto") x float32/float64 x op on
hand-written edge cases, hypothesis-generated configurations and a sample of real
network shapes (tests/data/conv_shapes_sample.jsonl); plus the API contract:
dtype policy, memory layouts, inputs never modified, out=, NaN/Inf, array-likes.
"""

import functools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import convx
from _helpers import (
    ALGORITHMS,
    PADDING_MODES,
    assert_conv_close,
    conv_configs,
    conv_op,
    load_conv_shapes_sample,
    make_data,
    record_id,
    record_problem,
    reduction_length,
    reference_op,
)

DTYPES = (np.float32, np.float64)
algorithms = pytest.mark.parametrize("algorithm", ALGORITHMS)
# the oracle path too, where the API contract (shapes, out=) is what is checked
all_algorithms = pytest.mark.parametrize("algorithm", ALGORITHMS + ("reference",))


def _sp(sizes, ndim):
    """First ndim entries of a per-axis tuple (cases are written for 3 axes)."""
    return tuple(sizes[:ndim]) if isinstance(sizes, tuple) else sizes


def _kw(kwargs, ndim):
    return {key: _sp(val, ndim) for key, val in kwargs.items()}


def check_against_oracle(ndim, x, w, b=None, *, algorithm, dtype, **kwargs):
    """Run convx and the oracle, compare, and check the inputs were not modified."""
    saved = [None if a is None else a.copy() for a in (x, w, b)]
    got = conv_op(ndim)(x, w, b, algorithm=algorithm, **kwargs)
    for before, after in zip(saved, (x, w, b)):
        if before is not None:
            np.testing.assert_array_equal(after, before, err_msg="convx modified an input")
    expected = reference_op(ndim)(x, w, b, **kwargs)
    assert_conv_close(got, expected, dtype, reduction_length(w.shape))
    return got


# --------------------------------------------------------------------------------------
# Hand-written edge cases. Per-axis values are written for 3 axes; 1-d/2-d use a prefix.
# Each case: (x_shape without spatial, spatial, w_shape without spatial, kernel, kwargs).

EDGE_CASES = {
    # kernel covers the whole input: one output per axis
    "k_eq_input": ((2, 3), (5, 4, 3), (4, 3), (5, 4, 3), {}),
    "k_eq_input_padded": ((1, 3), (5, 4, 3), (2, 3), (5, 4, 3), dict(padding=1)),
    "1x1": ((2, 5), (7, 6, 5), (3, 5), (1, 1, 1), {}),
    "1x1_stride2": ((2, 4), (7, 6, 5), (3, 4), (1, 1, 1), dict(stride=2)),
    "1x1_pad2_bias_border": ((1, 2), (3, 3, 3), (3, 2), (1, 1, 1), dict(padding=2)),
    "stride_gt_k": ((2, 3), (11, 10, 8), (4, 3), (2, 2, 2), dict(stride=3)),
    "stride_gt_k_padded": ((1, 2), (9, 8, 7), (3, 2), (1, 2, 1), dict(stride=4, padding=2)),
    "dilation2": ((2, 3), (9, 8, 7), (4, 3), (3, 3, 3), dict(dilation=2)),
    "dilation3_stride2_pad2": ((1, 3), (11, 10, 9), (2, 3), (3, 2, 3),
                               dict(dilation=3, stride=2, padding=2)),
    "dilated_extent_eq_input": ((1, 2), (6, 6, 6), (2, 2), (2, 2, 2), dict(dilation=5)),
    "odd_sizes": ((3, 5), (13, 11, 9), (7, 5), (3, 3, 3), {}),
    "even_kernel": ((2, 3), (8, 7, 6), (3, 3), (4, 2, 2), dict(padding=1)),
    "c_in_1": ((2, 1), (8, 7, 6), (4, 1), (3, 3, 3), dict(padding=1)),
    "c_out_1": ((2, 4), (8, 7, 6), (1, 4), (3, 3, 3), {}),
    "batch3": ((3, 2), (6, 5, 4), (3, 2), (2, 2, 2), {}),
    "depthwise_m1": ((2, 4), (8, 7, 6), (4, 1), (3, 3, 3), dict(groups=4, padding=1)),
    "depthwise_m2": ((2, 3), (8, 7, 6), (6, 1), (3, 3, 3), dict(groups=3, padding=1)),
    "depthwise_m1_stride2": ((1, 8), (9, 8, 7), (8, 1), (3, 3, 3), dict(groups=8, stride=2)),
    "groups2": ((2, 4), (7, 6, 5), (6, 2), (3, 3, 3), dict(groups=2)),
    "groups4": ((2, 8), (7, 6, 5), (8, 2), (3, 3, 3), dict(groups=4, padding=1)),
    "groups4_m3": ((1, 4), (7, 6, 5), (12, 1), (2, 2, 2), dict(groups=4, dilation=2)),
    "pad_tuple": ((2, 3), (7, 6, 5), (2, 3), (3, 3, 3), dict(padding=(1, 0, 2))),
    "stride_tuple": ((2, 3), (9, 8, 7), (2, 3), (3, 2, 3), dict(stride=(2, 1, 3))),
    "dilation_tuple": ((2, 3), (9, 8, 7), (2, 3), (2, 3, 2), dict(dilation=(3, 1, 2))),
    "all_tuples": ((1, 4), (10, 9, 8), (6, 2), (3, 2, 2),
                   dict(stride=(1, 2, 3), padding=(2, 1, 0), dilation=(2, 3, 1), groups=2)),
    "valid": ((2, 3), (7, 6, 5), (2, 3), (3, 3, 3), dict(padding="valid")),
    "same_k3": ((2, 3), (7, 6, 5), (2, 3), (3, 3, 3), dict(padding="same")),
    "same_k4_even": ((2, 3), (7, 6, 5), (2, 3), (4, 4, 4), dict(padding="same")),
    "same_k2_even": ((2, 3), (7, 6, 5), (2, 3), (2, 2, 2), dict(padding="same")),
    "same_k4_dil2": ((1, 3), (9, 8, 7), (2, 3), (4, 4, 4), dict(padding="same", dilation=2)),
    "same_k2_dil3": ((1, 3), (9, 8, 7), (2, 3), (2, 2, 2), dict(padding="same", dilation=3)),
    "same_k3_dil2": ((1, 3), (9, 8, 7), (2, 3), (3, 3, 3), dict(padding="same", dilation=2)),
    "same_mixed": ((1, 4), (8, 7, 6), (4, 2), (4, 1, 3),
                   dict(padding="same", dilation=(1, 2, 3), groups=2)),
    "same_kernel_gt_input": ((1, 2), (3, 3, 3), (2, 2), (5, 4, 5), dict(padding="same")),
    "no_bias": ((2, 3), (7, 6, 5), (2, 3), (3, 3, 3), dict(_bias=False, padding=1)),
    # crosses SIMD widths (16 f32 / 8 f64 lanes) and register tiles in channels and space
    "tile_edges": ((2, 17), (67, 19, 9), (33, 17), (3, 3, 3), dict(padding=1)),
    "tile_edges_1x1": ((1, 33), (65, 17, 9), (31, 33), (1, 1, 1), {}),
}
for _mode in PADDING_MODES[1:]:
    EDGE_CASES.update({
        f"{_mode}_pad1": ((2, 3), (7, 6, 5), (2, 3), (3, 3, 3), dict(padding=1, padding_mode=_mode)),
        f"{_mode}_pad2_stride2": ((1, 2), (8, 7, 6), (3, 2), (3, 3, 3),
                                  dict(padding=2, stride=2, padding_mode=_mode)),
        f"{_mode}_pad_tuple_dil": ((1, 2), (8, 7, 6), (2, 2), (2, 3, 2),
                                   dict(padding=(3, 0, 1), dilation=(2, 1, 3), padding_mode=_mode)),
        f"{_mode}_same_even": ((1, 3), (7, 6, 5), (2, 3), (4, 2, 4),
                               dict(padding="same", padding_mode=_mode)),
        f"{_mode}_same_dil_groups": ((2, 4), (9, 8, 7), (4, 2), (3, 2, 3),
                                    dict(padding="same", dilation=2, groups=2, padding_mode=_mode)),
    })
# the largest pad each mode allows: reflect size-1, circular size, replicate any
EDGE_CASES.update({
    "reflect_pad_max": ((1, 2), (4, 4, 4), (2, 2), (3, 3, 3), dict(padding=3, padding_mode="reflect")),
    "circular_pad_max": ((1, 2), (4, 4, 4), (2, 2), (3, 3, 3), dict(padding=4, padding_mode="circular")),
    "replicate_pad_gt_size": ((1, 2), (3, 3, 3), (2, 2), (2, 2, 2),
                              dict(padding=5, padding_mode="replicate")),
    "zeros_mode_explicit": ((1, 2), (5, 4, 3), (2, 2), (2, 2, 2), dict(padding=1, padding_mode="zeros")),
})


def _edge_params():
    return [pytest.param(name, id=name) for name in EDGE_CASES]


def _run_edge(ndim, name, algorithm, dtype):
    (n, cin), sp, (cout, cin_g), k, kwargs = EDGE_CASES[name]
    kwargs = dict(kwargs)
    bias = kwargs.pop("_bias", True)
    x, w, b = make_data(1000 + ndim, (n, cin, *_sp(sp, ndim)), (cout, cin_g, *_sp(k, ndim)),
                        dtype, bias)
    check_against_oracle(ndim, x, w, b, algorithm=algorithm, dtype=dtype, **_kw(kwargs, ndim))


@algorithms
@pytest.mark.parametrize("name", _edge_params())
def test_conv1d_edge_cases(name, algorithm, dtype):
    _run_edge(1, name, algorithm, dtype)


@algorithms
@pytest.mark.parametrize("name", _edge_params())
def test_conv2d_edge_cases(name, algorithm, dtype):
    _run_edge(2, name, algorithm, dtype)


@algorithms
@pytest.mark.parametrize("name", _edge_params())
def test_conv3d_edge_cases(name, algorithm, dtype):
    _run_edge(3, name, algorithm, dtype)


def _run_batch_zero(ndim, algorithm, dtype):
    x, w, b = make_data(7, (0, 3, *_sp((6, 5, 4), ndim)), (4, 3, *_sp((3, 2, 2), ndim)), dtype)
    out = conv_op(ndim)(x, w, b, stride=2, padding=1, algorithm=algorithm)
    assert out.shape == (0, 4, *_sp((3, 3, 3), ndim))
    assert out.dtype == dtype


@all_algorithms
def test_conv1d_batch_zero(algorithm, dtype):
    _run_batch_zero(1, algorithm, dtype)


@all_algorithms
def test_conv2d_batch_zero(algorithm, dtype):
    _run_batch_zero(2, algorithm, dtype)


@all_algorithms
def test_conv3d_batch_zero(algorithm, dtype):
    _run_batch_zero(3, algorithm, dtype)


def _run_unbatched(ndim, algorithm, dtype):
    x, w, b = make_data(11, (1, 4, *_sp((7, 6, 5), ndim)), (6, 2, *_sp((3, 2, 3), ndim)), dtype)
    kwargs = dict(padding=1, groups=2, padding_mode="reflect")
    got = conv_op(ndim)(x[0], w, b, algorithm=algorithm, **kwargs)
    expected = reference_op(ndim)(x, w, b, **kwargs)[0]
    assert_conv_close(got, expected, dtype, reduction_length(w.shape))
    batched = conv_op(ndim)(x, w, b, algorithm=algorithm, **kwargs)
    np.testing.assert_array_equal(got, batched[0])


@algorithms
def test_conv1d_unbatched(algorithm, dtype):
    _run_unbatched(1, algorithm, dtype)


@algorithms
def test_conv2d_unbatched(algorithm, dtype):
    _run_unbatched(2, algorithm, dtype)


@algorithms
def test_conv3d_unbatched(algorithm, dtype):
    _run_unbatched(3, algorithm, dtype)


@pytest.mark.parametrize("ndim", [1, 2, 3], ids=["conv1d", "conv2d", "conv3d"])
def test_conv_reference_algorithm_matches_oracle(ndim, dtype):
    """algorithm="reference" routes to the oracle itself."""
    x, w, b = make_data(12, (2, 4, *_sp((7, 6, 5), ndim)), (4, 2, *_sp((3, 3, 3), ndim)), dtype)
    got = conv_op(ndim)(x, w, b, padding=1, groups=2, algorithm="reference")
    expected = reference_op(ndim)(x, w, b, padding=1, groups=2)
    assert_conv_close(got, expected, dtype, reduction_length(w.shape))


# --------------------------------------------------------------------------------------
# Hypothesis: random valid configurations (small, so the oracle stays fast).

def _run_config(ndim, cfg, algorithm, dtype):
    x, w, b = make_data(cfg["seed"], cfg["x_shape"], cfg["w_shape"], dtype, cfg["bias"])
    kwargs = cfg["kwargs"]
    if cfg["unbatched"]:
        got = conv_op(ndim)(x, w, b, algorithm=algorithm, **kwargs)
        expected = reference_op(ndim)(x[None], w, b, **kwargs)[0]
        assert_conv_close(got, expected, dtype, reduction_length(w.shape))
    else:
        check_against_oracle(ndim, x, w, b, algorithm=algorithm, dtype=dtype, **kwargs)


_hyp = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
_algo_st = st.sampled_from(ALGORITHMS)
_dtype_st = st.sampled_from(DTYPES)


@settings(_hyp, max_examples=120)
@given(cfg=conv_configs(1), algorithm=_algo_st, dtype=_dtype_st)
def test_conv1d_hypothesis(cfg, algorithm, dtype):
    _run_config(1, cfg, algorithm, dtype)


@settings(_hyp, max_examples=120)
@given(cfg=conv_configs(2), algorithm=_algo_st, dtype=_dtype_st)
def test_conv2d_hypothesis(cfg, algorithm, dtype):
    _run_config(2, cfg, algorithm, dtype)


@settings(_hyp, max_examples=80)
@given(cfg=conv_configs(3), algorithm=_algo_st, dtype=_dtype_st)
def test_conv3d_hypothesis(cfg, algorithm, dtype):
    _run_config(3, cfg, algorithm, dtype)


# Slow sweeps: more examples, bigger shapes (channels past SIMD widths, longer rows).
@pytest.mark.slow
@settings(_hyp, max_examples=600)
@given(cfg=conv_configs(1, max_in=70, max_k=9, max_ch=12), algorithm=_algo_st, dtype=_dtype_st)
def test_conv1d_hypothesis_slow(cfg, algorithm, dtype):
    _run_config(1, cfg, algorithm, dtype)


@pytest.mark.slow
@settings(_hyp, max_examples=600)
@given(cfg=conv_configs(2, max_in=20, max_k=6, max_ch=12), algorithm=_algo_st, dtype=_dtype_st)
def test_conv2d_hypothesis_slow(cfg, algorithm, dtype):
    _run_config(2, cfg, algorithm, dtype)


@pytest.mark.slow
@settings(_hyp, max_examples=400)
@given(cfg=conv_configs(3, max_in=10, max_k=4, max_ch=8), algorithm=_algo_st, dtype=_dtype_st)
def test_conv3d_hypothesis_slow(cfg, algorithm, dtype):
    _run_config(3, cfg, algorithm, dtype)


# --------------------------------------------------------------------------------------
# Real network shapes (reduced; see tests/data/README.md).

SAMPLE = load_conv_shapes_sample()


def _sample_params(ndim):
    return [pytest.param(i, id=record_id(r)) for i, r in enumerate(SAMPLE) if r["ndim"] == ndim]


@functools.lru_cache(maxsize=None)
def _sample_case(index, dtype_name):
    """Data and oracle result for one record, computed once per dtype."""
    x_shape, w_shape, kwargs = record_problem(SAMPLE[index])
    x, w, b = make_data(2000 + index, x_shape, w_shape, np.dtype(dtype_name))
    ndim = SAMPLE[index]["ndim"]
    return x, w, b, kwargs, reference_op(ndim)(x, w, b, **kwargs)


def _run_record(index, algorithm, dtype):
    rec = SAMPLE[index]
    x, w, b, kwargs, expected = _sample_case(index, np.dtype(dtype).name)
    got = conv_op(rec["ndim"])(x, w, b, algorithm=algorithm, **kwargs)
    assert got.shape == (rec["mb"], rec["oc"], *rec["out"])
    assert_conv_close(got, expected, dtype, reduction_length(w.shape), err_msg=record_id(rec))


@algorithms
@pytest.mark.parametrize("index", _sample_params(1))
def test_conv1d_real_shapes(index, algorithm, dtype):
    _run_record(index, algorithm, dtype)


@algorithms
@pytest.mark.parametrize("index", _sample_params(2))
def test_conv2d_real_shapes(index, algorithm, dtype):
    _run_record(index, algorithm, dtype)


@algorithms
@pytest.mark.parametrize("index", _sample_params(3))
def test_conv3d_real_shapes(index, algorithm, dtype):
    _run_record(index, algorithm, dtype)


# --------------------------------------------------------------------------------------
# dtype policy: result_type(input, weight), then float16 -> float32, int/bool -> float64.

DTYPE_POLICY = [
    # (input dtype, weight dtype, result dtype)
    ("float16", "float16", "float32"),
    ("float16", "float32", "float32"),
    ("float32", "float16", "float32"),
    ("float16", "float64", "float64"),
    ("float32", "float32", "float32"),
    ("float32", "float64", "float64"),
    ("float64", "float32", "float64"),
    ("float64", "float64", "float64"),
    ("int32", "int32", "float64"),
    ("int64", "float32", "float64"),
    ("int8", "float32", "float32"),
    ("int16", "float16", "float32"),
    ("uint8", "uint8", "float64"),
    ("bool", "bool", "float64"),
    ("bool", "float32", "float32"),
    ("int32", "float64", "float64"),
]


def _policy(dt):
    dt = np.dtype(dt)
    if dt == np.float16:
        return np.dtype(np.float32)
    if dt.kind in "biu":
        return np.dtype(np.float64)
    return dt


def _run_dtype_policy(ndim, x_dt, w_dt, res_dt, algorithm):
    assert _policy(np.result_type(np.dtype(x_dt), np.dtype(w_dt))) == np.dtype(res_dt)
    rng = np.random.default_rng(21)
    x = rng.integers(-3, 4, (2, 3, *_sp((6, 5, 4), ndim)))
    w = rng.integers(-3, 4, (4, 3, *_sp((3, 2, 3), ndim)))
    b = rng.integers(-3, 4, 4)
    if x_dt == "bool" or w_dt == "bool":
        x, w, b = x > 0, w > 0, b > 0
    x, w, b = x.astype(x_dt), w.astype(w_dt), b.astype(x_dt)
    got = conv_op(ndim)(x, w, b, padding=1, algorithm=algorithm)
    assert got.dtype == np.dtype(res_dt)
    expected = reference_op(ndim)(x.astype(np.float64), w.astype(np.float64),
                                  b.astype(np.float64), padding=1)
    assert_conv_close(got, expected, res_dt, reduction_length(w.shape))


_policy_params = pytest.mark.parametrize("x_dt, w_dt, res_dt", DTYPE_POLICY)


@algorithms
@_policy_params
def test_conv1d_dtype_policy(x_dt, w_dt, res_dt, algorithm):
    _run_dtype_policy(1, x_dt, w_dt, res_dt, algorithm)


@algorithms
@_policy_params
def test_conv2d_dtype_policy(x_dt, w_dt, res_dt, algorithm):
    _run_dtype_policy(2, x_dt, w_dt, res_dt, algorithm)


@algorithms
@_policy_params
def test_conv3d_dtype_policy(x_dt, w_dt, res_dt, algorithm):
    _run_dtype_policy(3, x_dt, w_dt, res_dt, algorithm)


def _run_bias_dtype(ndim, dtype):
    """The bias dtype does not take part: result dtype is result_type(input, weight)."""
    x, w, b = make_data(23, (2, 3, *_sp((6, 5, 4), ndim)), (4, 3, *_sp((3, 2, 3), ndim)), dtype)
    expected = reference_op(ndim)(x, w, b.astype(np.float64), padding=1)
    assert expected.dtype == dtype
    for bias in (b.astype(np.float64), b.astype(np.float16), np.rint(b).astype(np.int64),
                 b.astype(np.float64).tolist()):
        got = conv_op(ndim)(x, w, bias, padding=1)
        assert got.dtype == dtype, f"bias {np.asarray(bias).dtype} made the result {got.dtype}"
        assert_conv_close(got, reference_op(ndim)(x, w, np.asarray(bias, np.float64), padding=1),
                          dtype, reduction_length(w.shape))


def test_conv1d_bias_dtype_does_not_promote(dtype):
    _run_bias_dtype(1, dtype)


def test_conv2d_bias_dtype_does_not_promote(dtype):
    _run_bias_dtype(2, dtype)


def test_conv3d_bias_dtype_does_not_promote(dtype):
    _run_bias_dtype(3, dtype)


BAD_DTYPES = [
    # (which argument, dtype)
    ("input", np.complex64),
    ("input", np.complex128),
    ("input", object),
    ("input", np.str_),
    ("weight", np.complex128),
    ("weight", object),
    ("weight", np.str_),
    ("bias", np.complex64),
    ("bias", object),
]


def _run_bad_dtype(ndim, which, bad):
    x, w, b = make_data(22, (1, 2, *_sp((5, 5, 5), ndim)), (3, 2, *_sp((2, 2, 2), ndim)),
                        np.float32)
    args = dict(input=x, weight=w, bias=b)
    args[which] = args[which].astype(bad)
    with pytest.raises(TypeError, match=which):
        conv_op(ndim)(args["input"], args["weight"], args["bias"])


_bad_dtype_params = pytest.mark.parametrize(
    "which, bad", BAD_DTYPES, ids=[f"{a}-{np.dtype(d).name}" for a, d in BAD_DTYPES])


@_bad_dtype_params
def test_conv1d_bad_dtype(which, bad):
    _run_bad_dtype(1, which, bad)


@_bad_dtype_params
def test_conv2d_bad_dtype(which, bad):
    _run_bad_dtype(2, which, bad)


@_bad_dtype_params
def test_conv3d_bad_dtype(which, bad):
    _run_bad_dtype(3, which, bad)


# --------------------------------------------------------------------------------------
# Memory layouts: right answer, inputs (and their flags) never modified.

def _non_contiguous(a):
    big = np.zeros(a.shape[:-1] + (2 * a.shape[-1],), a.dtype)
    big[..., ::2] = a
    return big[..., ::2]


def _reversed(a):
    return np.ascontiguousarray(a[..., ::-1])[..., ::-1]


def _permuted(a):
    return np.ascontiguousarray(a.swapaxes(0, -1)).swapaxes(0, -1)


def _read_only(a):
    a = a.copy()
    a.setflags(write=False)
    return a


def _big_endian(a):
    return a.astype(a.dtype.newbyteorder(">"))


def _broadcast(a):
    # stride-0 view along axis 0 (requires identical slices along it)
    return np.broadcast_to(a[:1], a.shape)


def _at_byte_offset(a, offset):
    """A C-contiguous copy of a starting `offset` bytes past a 64-byte boundary."""
    buf = np.zeros(a.nbytes + 128, np.uint8)
    start = (-buf.ctypes.data) % 64 + offset
    view = buf[start:start + a.nbytes].view(a.dtype).reshape(a.shape)
    view[...] = a
    return view


LAYOUTS = {
    # C-contiguous but not 64-byte aligned (next element) / not even itemsize-aligned
    "offset_one_element": lambda a: _at_byte_offset(a, a.itemsize),
    "unaligned": lambda a: _at_byte_offset(a, 1),
    "non_contiguous": _non_contiguous,
    "negative_strides": _reversed,
    "permuted_strides": _permuted,
    "read_only": _read_only,
    "fortran": np.asfortranarray,
    "big_endian": _big_endian,
    "broadcast": _broadcast,
}


def _run_layout(ndim, layout, algorithm, dtype):
    x, w, b = make_data(31, (2, 4, *_sp((9, 7, 6), ndim)), (6, 2, *_sp((3, 2, 3), ndim)), dtype)
    kwargs = dict(padding=1, stride=2, groups=2)
    make = LAYOUTS[layout]
    xs, ws, bs = make(x), make(w), make(b)
    expected = reference_op(ndim)(xs.astype(dtype), ws.astype(dtype), bs.astype(dtype), **kwargs)
    if layout == "unaligned":
        assert not xs.flags.aligned
    elif layout not in ("read_only", "broadcast", "big_endian", "offset_one_element"):
        assert not xs.flags.c_contiguous and not ws.flags.c_contiguous
    saved = [(a.copy(), a.flags.writeable, a.strides, a.dtype) for a in (xs, ws, bs)]
    got = conv_op(ndim)(xs, ws, bs, algorithm=algorithm, **kwargs)
    for (copy, writeable, strides, dt), a in zip(saved, (xs, ws, bs)):
        np.testing.assert_array_equal(a, copy, err_msg="convx modified an input")
        assert (a.flags.writeable, a.strides, a.dtype) == (writeable, strides, dt)
    assert_conv_close(got, expected, dtype, reduction_length(w.shape))


_layout_params = pytest.mark.parametrize("layout", list(LAYOUTS))


@algorithms
@_layout_params
def test_conv1d_input_layouts(layout, algorithm, dtype):
    _run_layout(1, layout, algorithm, dtype)


@algorithms
@_layout_params
def test_conv2d_input_layouts(layout, algorithm, dtype):
    _run_layout(2, layout, algorithm, dtype)


@algorithms
@_layout_params
def test_conv3d_input_layouts(layout, algorithm, dtype):
    _run_layout(3, layout, algorithm, dtype)


# --------------------------------------------------------------------------------------
# out=

def _out_problem(ndim, dtype, batched=True):
    x, w, b = make_data(41, (2, 4, *_sp((8, 7, 6), ndim)), (6, 4, *_sp((3, 3, 2), ndim)), dtype)
    if not batched:
        x = x[0]
    kwargs = dict(padding=1, stride=(1, 2, 1)[:ndim])
    shape = reference_op(ndim)(x if batched else x[None], w, b, **kwargs).shape
    return x, w, b, kwargs, shape if batched else shape[1:]


def _run_out(ndim, algorithm, dtype, batched):
    x, w, b, kwargs, shape = _out_problem(ndim, dtype, batched)
    out = np.full(shape, np.nan, dtype)
    got = conv_op(ndim)(x, w, b, algorithm=algorithm, out=out, **kwargs)
    assert got is out
    xb = x if batched else x[None]
    expected = reference_op(ndim)(xb, w, b, **kwargs)
    assert_conv_close(out, expected if batched else expected[0], dtype, reduction_length(w.shape))


@all_algorithms
@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
def test_conv1d_out(algorithm, dtype, batched):
    _run_out(1, algorithm, dtype, batched)


@all_algorithms
@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
def test_conv2d_out(algorithm, dtype, batched):
    _run_out(2, algorithm, dtype, batched)


@all_algorithms
@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
def test_conv3d_out(algorithm, dtype, batched):
    _run_out(3, algorithm, dtype, batched)


@pytest.mark.parametrize("offset", [4, 1], ids=["offset_4_bytes", "unaligned"])
@pytest.mark.parametrize("ndim", [1, 2, 3], ids=["conv1d", "conv2d", "conv3d"])
def test_conv_out_not_64_byte_aligned(ndim, offset, dtype):
    """A C-contiguous out at any address is filled correctly (or refused naming out)."""
    x, w, b, kwargs, shape = _out_problem(ndim, dtype)
    expected = reference_op(ndim)(x, w, b, **kwargs)
    for algorithm in ALGORITHMS:
        out = _at_byte_offset(np.full(shape, np.nan, dtype), offset)
        try:
            got = conv_op(ndim)(x, w, b, out=out, algorithm=algorithm, **kwargs)
        except (TypeError, ValueError) as exc:
            assert offset == 1 and "out" in str(exc)
            continue
        assert got is out
        assert_conv_close(np.array(out), expected, dtype, reduction_length(w.shape))


def _bad_out(kind, shape, dtype):
    other = np.float64 if np.dtype(dtype) == np.float32 else np.float32
    if kind == "wrong_shape":
        return np.empty(shape[:-1] + (shape[-1] + 1,), dtype)
    if kind == "wrong_ndim":
        return np.empty(shape[1:], dtype)
    if kind == "wrong_dtype":
        return np.empty(shape, other)
    if kind == "int_dtype":
        return np.empty(shape, np.int32)
    if kind == "non_contiguous":
        return np.empty(shape[:-1] + (2 * shape[-1],), dtype)[..., ::2]
    if kind == "fortran":
        return np.empty(shape, dtype, order="F")
    if kind == "read_only":
        out = np.empty(shape, dtype)
        out.setflags(write=False)
        return out
    if kind == "list":
        return np.empty(shape, dtype).tolist()
    raise AssertionError(kind)


BAD_OUTS = ["wrong_shape", "wrong_ndim", "wrong_dtype", "int_dtype", "non_contiguous",
            "fortran", "read_only", "list"]


def _run_bad_out(ndim, kind, dtype):
    x, w, b, kwargs, shape = _out_problem(ndim, dtype)
    out = _bad_out(kind, shape, dtype)
    before = None if kind == "list" else out.copy()
    with pytest.raises((ValueError, TypeError), match="out"):
        conv_op(ndim)(x, w, b, out=out, **kwargs)
    if before is not None:
        np.testing.assert_array_equal(out, before)


_bad_out_params = pytest.mark.parametrize("kind", BAD_OUTS)


@_bad_out_params
def test_conv1d_bad_out(kind, dtype):
    _run_bad_out(1, kind, dtype)


@_bad_out_params
def test_conv2d_bad_out(kind, dtype):
    _run_bad_out(2, kind, dtype)


@_bad_out_params
def test_conv3d_bad_out(kind, dtype):
    _run_bad_out(3, kind, dtype)


@pytest.mark.parametrize("ndim", [1, 2, 3], ids=["conv1d", "conv2d", "conv3d"])
def test_conv_big_endian_out_rejected_or_right(ndim, dtype):
    """A '>f4' out is not the result dtype: reject it naming out, or fill it correctly."""
    x, w, b, kwargs, shape = _out_problem(ndim, dtype)
    out = np.zeros(shape, np.dtype(dtype).newbyteorder(">"))
    try:
        got = conv_op(ndim)(x, w, b, out=out, **kwargs)
    except (TypeError, ValueError) as exc:
        assert "out" in str(exc)
        return
    assert got is out
    expected = reference_op(ndim)(x, w, b, **kwargs)
    assert_conv_close(out.astype(dtype), expected, dtype, reduction_length(w.shape))


# --------------------------------------------------------------------------------------
# NaN / Inf propagation

def _run_nonfinite(ndim, algorithm, dtype):
    x, w, b = make_data(51, (2, 3, *_sp((9, 8, 7), ndim)), (4, 3, *_sp((3, 3, 3), ndim)), dtype)
    x[(0, 1) + _sp((2, 3, 1), ndim)] = np.nan
    x[(1, 0) + _sp((6, 0, 5), ndim)] = np.inf
    x[(1, 2) + _sp((0, 7, 6), ndim)] = -np.inf
    got = check_against_oracle(ndim, x, w, b, algorithm=algorithm, dtype=dtype,
                               padding=1, dilation=(1, 2, 1)[:ndim])
    assert np.isnan(got[0]).any() and np.isinf(got[1]).any()
    assert np.isfinite(got[0]).any()  # NaN stays local
    # NaN in the weight, no padding: every output of that channel is NaN
    w2 = w.copy()
    w2[(2, 1) + _sp((1, 0, 2), ndim)] = np.nan
    x2 = make_data(52, x.shape, w.shape, dtype)[0]
    got = check_against_oracle(ndim, x2, w2, b, algorithm=algorithm, dtype=dtype)
    assert np.isnan(got[:, 2]).all() and np.isfinite(got[:, [0, 1, 3]]).all()


@algorithms
def test_conv1d_nan_inf(algorithm, dtype):
    _run_nonfinite(1, algorithm, dtype)


@algorithms
def test_conv2d_nan_inf(algorithm, dtype):
    _run_nonfinite(2, algorithm, dtype)


@algorithms
def test_conv3d_nan_inf(algorithm, dtype):
    _run_nonfinite(3, algorithm, dtype)


# --------------------------------------------------------------------------------------
# Array-likes

def _run_lists(ndim, algorithm):
    x, w, b = make_data(61, (2, 3, *_sp((6, 5, 4), ndim)), (2, 3, *_sp((2, 3, 2), ndim)),
                        np.float64)
    got = conv_op(ndim)(x.tolist(), w.tolist(), b.tolist(), padding=1, algorithm=algorithm)
    expected = reference_op(ndim)(x, w, b, padding=1)
    assert_conv_close(got, expected, np.float64, reduction_length(w.shape))
    # nested int lists follow the int -> float64 rule
    xi = np.rint(x * 2).astype(np.int64)
    wi = np.rint(w * 2).astype(np.int64)
    got = conv_op(ndim)(xi.tolist(), wi.tolist(), algorithm=algorithm)
    expected = reference_op(ndim)(xi.astype(np.float64), wi.astype(np.float64))
    assert_conv_close(got, expected, np.float64, reduction_length(w.shape))


@algorithms
def test_conv1d_list_inputs(algorithm):
    _run_lists(1, algorithm)


@algorithms
def test_conv2d_list_inputs(algorithm):
    _run_lists(2, algorithm)


@algorithms
def test_conv3d_list_inputs(algorithm):
    _run_lists(3, algorithm)


def test_conv2d_numpy_integer_arguments():
    """NumPy integer scalars are accepted wherever a Python int is."""
    x, w, b = make_data(71, (1, 4, 9, 8), (4, 2, 3, 3), np.float64)
    kwargs = dict(stride=np.int64(2), padding=(np.int32(1), np.int64(2)),
                  dilation=(np.int16(1), np.uint8(2)), groups=np.int64(2))
    got = convx.conv2d(x, w, b, **kwargs)
    expected = reference_op(2)(x, w, b, stride=2, padding=(1, 2), dilation=(1, 2), groups=2)
    assert_conv_close(got, expected, np.float64, reduction_length(w.shape))


def test_conv2d_repeatable():
    """The same call twice gives bit-identical results."""
    x, w, b = make_data(72, (2, 16, 20, 19), (24, 16, 3, 3), np.float32)
    for algorithm in ALGORITHMS:
        first = convx.conv2d(x, w, b, padding=1, algorithm=algorithm)
        np.testing.assert_array_equal(first, convx.conv2d(x, w, b, padding=1, algorithm=algorithm))


# ---- call plans (convx/conv.py: repeated calls skip the Python-side normalisation) ----

def test_conv2d_call_plan_reused_and_exact():
    from convx import conv as conv_mod
    rng = np.random.default_rng(40)
    x = rng.standard_normal((2, 6, 9, 11)).astype(np.float32)
    w = rng.standard_normal((8, 3, 3, 2)).astype(np.float32)
    b = rng.standard_normal(8).astype(np.float32)
    kw = dict(stride=(2, 1), padding=1, dilation=(1, 2), groups=2)
    first = convx.conv2d(x, w, b, **kw)
    n_plans = len(conv_mod._PLANS)
    assert n_plans >= 1
    again = convx.conv2d(x, w, b, **kw)
    assert len(conv_mod._PLANS) == n_plans
    assert np.array_equal(first, again)
    assert_conv_close(again, convx.reference.conv2d(x, w, b, **kw), np.float32, 3 * 3 * 2)
    # same shapes, other layouts: the plan must not be taken for arrays it does not describe
    xf = np.asfortranarray(x)
    assert np.array_equal(convx.conv2d(xf, w, b, **kw), first)
    xs = np.ascontiguousarray(np.concatenate([x, x], axis=3))[..., ::2]
    assert np.array_equal(convx.conv2d(xs, w, b, **kw),
                          convx.conv2d(np.ascontiguousarray(xs), w, b, **kw))
    xb = x.astype(">f4")
    assert np.array_equal(convx.conv2d(xb, w, b, **kw), first)
    assert convx.conv2d(xb, w, b, **kw).dtype == np.float32


@pytest.mark.parametrize("bad", [dict(stride=True), dict(stride=1.0), dict(groups=2.0),
                                 dict(padding=(1, True)), dict(dilation=(1, 2.0))])
def test_conv2d_call_plan_never_accepts_what_validation_rejects(bad):
    x = np.ones((1, 4, 6, 6), np.float32)
    w = np.ones((4, 2, 3, 3), np.float32)
    good = dict(stride=1, padding=(1, 1), dilation=(1, 2), groups=2)
    convx.conv2d(x, w, **good)
    convx.conv2d(x, w, **good)   # now planned
    with pytest.raises(TypeError):
        convx.conv2d(x, w, **{**good, **bad})


def test_conv2d_call_plan_unbatched_and_out():
    x = np.arange(3 * 5 * 5, dtype=np.float64).reshape(3, 5, 5)
    w = np.ones((2, 3, 2, 2))
    y1 = convx.conv2d(x, w)
    y2 = convx.conv2d(x, w)
    assert y1.shape == y2.shape == (2, 4, 4) and np.array_equal(y1, y2)
    out = np.empty((2, 4, 4))
    assert convx.conv2d(x, w, out=out) is out and np.array_equal(out, y1)


@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("padding", [2**40, 2**61])
def test_huge_padding_is_a_value_error_naming_it(nd, padding):
    if nd == 1 and padding == 2**40:
        padding = 2**61   # 2**41 elements in 1-D are addressable
    op = conv_op(nd)
    x = np.ones((1, 2) + (3,) * nd, np.float32)
    w = np.ones((2, 2) + (1,) * nd, np.float32)
    with pytest.raises(ValueError, match="^padding="):
        op(x, w, padding=padding)
    # huge strides and dilations are either harmless (one output) or rejected by name
    assert op(x, w, stride=2**40).shape == (1, 2) + (1,) * nd
    with pytest.raises(ValueError, match="dilation"):
        op(x, np.ones((2, 2) + (2,) * nd, np.float32), dilation=2**40)
