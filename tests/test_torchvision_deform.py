"""convx.deform_conv2d against torchvision.ops.deform_conv2d (skipped without torchvision).

torchvision is never a dependency; to run these, install it in a separate environment, e.g.
``python -m venv --system-site-packages /tmp/tvenv &&
/tmp/tvenv/bin/pip install torch==2.14.1 torchvision==0.29.1``.
"""
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
tv_ops = pytest.importorskip("torchvision.ops")

import convx  # noqa: E402
from _helpers import assert_conv_close  # noqa: E402


def _problem(seed, N, C_in, C_out, G, OG, k, s, p, d, hw, dtype, mask, bias, scale):
    rng = np.random.default_rng(seed)
    kh, kw = k
    OH = (hw[0] + 2 * p[0] - d[0] * (kh - 1) - 1) // s[0] + 1
    OW = (hw[1] + 2 * p[1] - d[1] * (kw - 1) - 1) // s[1] + 1
    x = rng.standard_normal((N, C_in, *hw)).astype(dtype)
    off = (scale * rng.standard_normal((N, 2 * OG * kh * kw, OH, OW))).astype(dtype)
    w = rng.standard_normal((C_out, C_in // G, kh, kw)).astype(dtype)
    m = rng.standard_normal((N, OG * kh * kw, OH, OW)).astype(dtype) if mask else None
    b = rng.standard_normal(C_out).astype(dtype) if bias else None
    return x, off, w, b, m


def _tv(x, off, w, b, m, s, p, d):
    t = lambda a: None if a is None else torch.from_numpy(a)  # noqa: E731
    with torch.no_grad():
        return tv_ops.deform_conv2d(t(x), t(off), t(w), t(b), stride=s, padding=p, dilation=d,
                                    mask=t(m)).numpy()


@pytest.mark.parametrize("N,C_in,C_out,G,OG,k,s,p,d,hw", [
    (33, 6, 2, 2, 3, (3, 2), (2, 1), (1, 0), (2, 1), (5, 4)),   # torchvision's own test
    (2, 16, 32, 1, 1, (3, 3), (1, 1), (1, 1), (1, 1), (14, 14)),
    (1, 12, 24, 3, 4, (3, 3), (2, 2), (2, 1), (1, 2), (13, 11)),
    (3, 8, 8, 8, 2, (1, 3), (1, 1), (0, 1), (1, 1), (6, 9)),
    (1, 64, 64, 1, 1, (3, 3), (1, 1), (1, 1), (1, 1), (7, 7)),
])
@pytest.mark.parametrize("mask,bias", [(True, True), (False, False)])
@pytest.mark.parametrize("scale", [0.5, 4.0])
def test_matches_torchvision(dtype, N, C_in, C_out, G, OG, k, s, p, d, hw, mask, bias, scale):
    x, off, w, b, m = _problem(0, N, C_in, C_out, G, OG, k, s, p, d, hw, dtype, mask, bias,
                               scale)
    got = convx.deform_conv2d(x, off, w, b, s, p, d, m)
    want = _tv(x, off, w, b, m, s, p, d)
    # torchvision accumulates in the input dtype: the tolerance covers both sides' rounding
    assert_conv_close(got, want, dtype, k=2 * math.prod(w.shape[1:]))


def test_integer_and_border_offsets_match_torchvision(dtype):
    H, W = 5, 6
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, 3, H, W)).astype(dtype)
    w = rng.standard_normal((4, 3, 3, 3)).astype(dtype)
    vals = np.array([-1.0, H, W, 0.0, -0.5, H - 1.0, W - 1.0, 2.0, -2.0, H - 0.5],
                    dtype=dtype)
    off = rng.choice(vals, size=(1, 18, H, W)).astype(dtype)
    got = convx.deform_conv2d(x, off, w, None, 1, 1, 1)
    want = _tv(x, off, w, None, None, 1, 1, 1)
    assert_conv_close(got, want, dtype, k=2 * 27)
