"""convx.conv1d/2d/3d against torch.nn.functional (skipped when torch is not installed).

Independent of convx.reference: torch is the semantics we promise. Non-zero padding modes
are built the way nn.ConvNd does it: F.pad(input, pads, mode) then conv with padding 0
('same' splits dil*(k-1) as left = total // 2, right = total - left).
"""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _helpers import (
    ALGORITHMS,
    assert_conv_close,
    conv_configs,
    conv_op,
    load_conv_shapes_sample,
    make_data,
    record_id,
    record_problem,
    reduction_length,
    same_pads,
)

torch = pytest.importorskip("torch")
F = torch.nn.functional


def _axes(v, ndim):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * ndim


def torch_conv(ndim, x, w, b=None, stride=1, padding=0, dilation=1, groups=1,
               padding_mode="zeros"):
    """torch's answer for a convx call, in float64 on the CPU."""
    xt = torch.from_numpy(np.array(x, dtype=np.float64))
    wt = torch.from_numpy(np.array(w, dtype=np.float64))
    bt = None if b is None else torch.from_numpy(np.array(b, dtype=np.float64))
    unbatched = xt.dim() == ndim + 1
    if unbatched:
        xt = xt[None]
    if padding == "same":
        pads = same_pads(w.shape[2:], _axes(dilation, ndim))
    elif padding == "valid":
        pads = [(0, 0)] * ndim
    else:
        pads = [(p, p) for p in _axes(padding, ndim)]
    if padding_mode == "zeros":
        conv_padding = padding if isinstance(padding, str) else tuple(p for p, _ in pads)
    else:
        flat = [p for pair in reversed(pads) for p in pair]  # last axis first
        xt = F.pad(xt, flat, mode=padding_mode)
        conv_padding = 0
    conv = getattr(F, f"conv{ndim}d")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # 'same' with even kernels
        y = conv(xt, wt, bt, stride=stride, padding=conv_padding, dilation=dilation,
                 groups=groups)
    y = y.numpy()
    return y[0] if unbatched else y


def _check(ndim, x, w, b, algorithm, dtype, **kwargs):
    got = conv_op(ndim)(x, w, b, algorithm=algorithm, **kwargs)
    expected = torch_conv(ndim, x, w, b, **kwargs).astype(dtype)
    assert_conv_close(got, expected, dtype, reduction_length(w.shape))


_hyp = settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
_given = dict(algorithm=st.sampled_from(ALGORITHMS), dtype=st.sampled_from([np.float32, np.float64]))


def _run_config(ndim, cfg, algorithm, dtype):
    x, w, b = make_data(cfg["seed"], cfg["x_shape"], cfg["w_shape"], dtype, cfg["bias"])
    _check(ndim, x, w, b, algorithm, dtype, **cfg["kwargs"])


@_hyp
@given(cfg=conv_configs(1), **_given)
def test_conv1d_torch_hypothesis(cfg, algorithm, dtype):
    _run_config(1, cfg, algorithm, dtype)


@_hyp
@given(cfg=conv_configs(2), **_given)
def test_conv2d_torch_hypothesis(cfg, algorithm, dtype):
    _run_config(2, cfg, algorithm, dtype)


@_hyp
@given(cfg=conv_configs(3), **_given)
def test_conv3d_torch_hypothesis(cfg, algorithm, dtype):
    _run_config(3, cfg, algorithm, dtype)


# Every padding mode with 'same', odd and even kernels, dilation, groups.
@pytest.mark.parametrize("padding_mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("k, dil", [(3, 1), (4, 1), (2, 3), (4, 2)])
@pytest.mark.parametrize("ndim", [1, 2, 3], ids=["conv1d", "conv2d", "conv3d"])
def test_conv_torch_same_padding_modes(ndim, k, dil, padding_mode, dtype):
    x, w, b = make_data(400 + k, (2, 4) + (7, 6, 5)[:ndim], (6, 2) + (k,) * ndim, dtype)
    for algorithm in ALGORITHMS:
        _check(ndim, x, w, b, algorithm, dtype, padding="same", dilation=dil, groups=2,
               padding_mode=padding_mode)


SAMPLE = load_conv_shapes_sample()


def _sample_params(ndim):
    return [pytest.param(i, id=record_id(r)) for i, r in enumerate(SAMPLE) if r["ndim"] == ndim]


def _run_record(index, dtype):
    x_shape, w_shape, kwargs = record_problem(SAMPLE[index])
    x, w, b = make_data(3000 + index, x_shape, w_shape, dtype)
    for algorithm in ALGORITHMS:
        _check(SAMPLE[index]["ndim"], x, w, b, algorithm, dtype, **kwargs)


@pytest.mark.parametrize("index", _sample_params(1))
def test_conv1d_torch_real_shapes(index, dtype):
    _run_record(index, dtype)


@pytest.mark.parametrize("index", _sample_params(2))
def test_conv2d_torch_real_shapes(index, dtype):
    _run_record(index, dtype)


@pytest.mark.parametrize("index", _sample_params(3))
def test_conv3d_torch_real_shapes(index, dtype):
    _run_record(index, dtype)


def test_conv2d_torch_real_shapes_with_padding_modes():
    """The real 2-d sample again with reflect / circular padding where the pad fits."""
    checked = 0
    for index, rec in enumerate(SAMPLE):
        if rec["ndim"] != 2 or not any(rec["pad"]):
            continue
        if any(p >= n for p, n in zip(rec["pad"], rec["in"])):
            continue
        x_shape, w_shape, kwargs = record_problem(rec)
        x, w, b = make_data(3500 + index, x_shape, w_shape, np.float64)
        for mode in ("reflect", "circular"):
            _check(2, x, w, b, "auto", np.float64, padding_mode=mode, **kwargs)
        checked += 1
    assert checked >= 5
