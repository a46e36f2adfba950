"""convx.conv_transpose1d/2d/3d against torch.nn.functional.conv_transpose* (skipped when torch
is not installed).

Independent of convx.reference: torch is the semantics we promise. torch computes in float64 on
the CPU here, so the comparison tolerance is the float32/float64 one of assert_conv_close.
"""
import json
import math
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import convx
from _helpers import DATA_DIR, assert_conv_close

torch = pytest.importorskip("torch")
F = torch.nn.functional


def torch_ct(nd, x, w, b, stride, padding, output_padding, groups, dilation):
    t = lambda a: None if a is None else torch.from_numpy(np.asarray(a, np.float64))  # noqa: E731
    with torch.no_grad():
        return getattr(F, f"conv_transpose{nd}d")(t(x), t(w), t(b), stride, padding,
                                                  output_padding, groups, dilation).numpy()


def compare(nd, xs, ws, dtype, algorithm, seed=0, bias=True, stride=1, padding=0,
            output_padding=0, groups=1, dilation=1):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(xs).astype(dtype)
    w = rng.standard_normal(ws).astype(dtype)
    b = rng.standard_normal(ws[1] * groups).astype(dtype) if bias else None
    args = (stride, padding, output_padding, groups, dilation)
    expected = torch_ct(nd, x, w, b, *args)
    actual = getattr(convx, f"conv_transpose{nd}d")(x, w, b, *args, algorithm=algorithm)
    assert_conv_close(actual, expected, dtype, ws[0] // groups * math.prod(ws[2:]))


CASES = [
    (1, (2, 4, 9), (4, 3, 4), dict(stride=2, padding=1)),
    (1, (1, 3, 7), (3, 2, 3), dict(stride=1, dilation=3, output_padding=2)),  # op >= stride
    (1, (2, 6, 5), (6, 1, 5), dict(stride=3, padding=2, output_padding=1, groups=6)),
    (2, (1, 8, 4, 4), (8, 6, 4, 4), dict(stride=2, padding=1)),
    (2, (2, 6, 5, 7), (6, 4, 2, 2), dict(stride=2)),
    (2, (1, 4, 6, 6), (4, 3, 3, 3), dict(stride=2, padding=1, output_padding=1)),
    (2, (2, 4, 5, 6), (4, 2, 3, 2), dict(stride=(2, 3), padding=(1, 0), output_padding=(1, 2),
                                         dilation=(1, 2), groups=2)),
    (2, (1, 3, 4, 5), (3, 2, 3, 3), dict(stride=(1, 2), dilation=(3, 2), output_padding=(2, 1))),
    (2, (1, 64, 3, 3), (64, 24, 4, 4), dict(stride=2, padding=1)),
    (3, (1, 4, 3, 4, 4), (4, 3, 2, 2, 2), dict(stride=2)),
    (3, (2, 4, 3, 3, 4), (4, 1, 3, 3, 3), dict(stride=(1, 2, 2), padding=1,
                                               output_padding=(0, 1, 1), groups=4)),
]


@pytest.mark.parametrize("algorithm", ["direct", "im2col", "reference"])
@pytest.mark.parametrize("nd,xs,ws,kw", CASES, ids=[f"{c[0]}d-{i}" for i, c in enumerate(CASES)])
def test_conv_transpose_vs_torch(nd, xs, ws, kw, algorithm, dtype):
    compare(nd, xs, ws, dtype, algorithm, **kw)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=60)
@given(data_=st.data())
@pytest.mark.parametrize("nd", [1, 2, 3])
def test_conv_transpose_vs_torch_hypothesis(nd, data_):
    d = data_.draw
    groups = d(st.integers(1, 3))
    cin, cog = groups * d(st.integers(1, 3)), d(st.integers(1, 3))
    k = [d(st.integers(1, 4 if nd == 1 else 3)) for _ in range(nd)]
    s = [d(st.integers(1, 3)) for _ in range(nd)]
    dil = [d(st.integers(1, 3)) for _ in range(nd)]
    op = [d(st.integers(0, max(a, b) - 1)) for a, b in zip(s, dil)]
    sizes = [d(st.integers(1, {1: 9, 2: 5, 3: 4}[nd])) for _ in range(nd)]
    pads = [d(st.integers(0, ((n - 1) * a + c * (kk - 1) + o) // 2))
            for n, a, c, kk, o in zip(sizes, s, dil, k, op)]
    compare(nd, (d(st.integers(1, 2)), cin, *sizes), (cin, cog, *k),
            d(st.sampled_from([np.float32, np.float64])), d(st.sampled_from(["direct", "im2col"])),
            seed=d(st.integers(0, 2**31)), bias=d(st.booleans()), stride=tuple(s),
            padding=tuple(pads), output_padding=tuple(op), groups=groups, dilation=tuple(dil))


def _records():
    with open(os.path.join(DATA_DIR, "deconv_shapes_sample.jsonl")) as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.mark.parametrize("rec", _records(), ids=lambda r: f"{r['net']}:{r['name']}")
def test_conv_transpose_real_shapes_vs_torch(rec):
    compare(rec["ndim"], (rec["mb"], rec["ic"], *rec["in"]),
            (rec["ic"], rec["oc"] // rec["groups"], *rec["k"]), np.float32, "auto",
            stride=tuple(rec["stride"]), padding=tuple(rec["pad"]),
            output_padding=tuple(rec["output_padding"]), groups=rec["groups"],
            dilation=tuple(rec["dilation"]))
