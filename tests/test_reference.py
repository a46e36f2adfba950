"""Tests for the pure-NumPy oracles in convx.reference.

Two layers: small cases worked out by hand and algebraic identities (no third-party
library needed), then sweeps against torch.nn.functional / scipy.ndimage when those
are importable (each such test skips cleanly otherwise). torchvision is optional:
deform_conv2d is checked against a torch.grid_sample construction and a literal
loop written from docs/deform_conv2d.md instead.
"""

import contextlib
import itertools
import warnings

import numpy as np
import pytest

import convx.reference as ref

TORCH_MODES = ("zeros", "reflect", "replicate", "circular")
SCIPY_MODES = ("reflect", "mirror", "nearest", "wrap", "constant",
               "grid-mirror", "grid-wrap", "grid-constant")


def close(actual, expected, rtol=1e-10, atol=1e-10):
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


# --------------------------------------------------------------------------------------
# conv: hand-computed cases and identities
# --------------------------------------------------------------------------------------

def test_conv1d_by_hand():
    x = np.array([[[1.0, 2.0, 3.0, 4.0]]])
    w = np.array([[[1.0, 0.0, -1.0]]])
    close(ref.conv1d(x, w), [[[-2.0, -2.0]]])
    # xpad = [0, 1, 2, 3, 4, 0]
    close(ref.conv1d(x, w, padding=1), [[[-2.0, -2.0, -2.0, 3.0]]])
    # dilation 2, stride 2: out[o] = x[2o] + x[2o+2] + bias
    x6 = np.arange(1.0, 7.0).reshape(1, 1, 6)
    close(ref.conv1d(x6, np.ones((1, 1, 2)), np.array([0.5]), stride=2, dilation=2),
          [[[4.5, 8.5]]])


def test_conv1d_padding_modes_by_hand():
    x = np.array([[[1.0, 2.0, 3.0]]])
    w = np.array([[[1.0, 0.0, 0.0]]])  # reads the padded input at the window start
    expected = {
        "zeros": [0, 0, 1, 2, 3],
        "reflect": [3, 2, 1, 2, 3],
        "replicate": [1, 1, 1, 2, 3],
        "circular": [2, 3, 1, 2, 3],
    }
    for mode, exp in expected.items():
        close(ref.conv1d(x, w, padding=2, padding_mode=mode)[0, 0], exp)


def test_conv_same_padding_puts_extra_element_at_end():
    x = np.arange(1.0, 6.0).reshape(1, 1, 5)
    # k=4: total 3 -> (1, 2)
    close(ref.conv1d(x, np.array([[[1.0, 0, 0, 0]]]), padding="same")[0, 0], [0, 1, 2, 3, 4])
    close(ref.conv1d(x, np.array([[[0, 0, 0, 1.0]]]), padding="same")[0, 0], [3, 4, 5, 0, 0])
    # k=2, dilation 3: total 3 -> (1, 2)
    close(ref.conv1d(x, np.array([[[1.0, 0]]]), padding="same", dilation=3)[0, 0],
          [0, 1, 2, 3, 4])
    assert ref.conv1d(x, np.ones((1, 1, 3)), padding="valid").shape == (1, 1, 3)
    with pytest.raises(ValueError):
        ref.conv1d(x, np.ones((1, 1, 3)), padding="same", stride=2)


@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("mode", TORCH_MODES)
def test_conv_identity_kernel(nd, mode):
    rng = np.random.default_rng(101)
    x = rng.standard_normal((2, 3) + (5,) * nd)
    w = np.zeros((3, 3) + (3,) * nd)
    for c in range(3):
        w[(c, c) + (1,) * nd] = 1.0
    f = getattr(ref, f"conv{nd}d")
    close(f(x, w, padding="same", padding_mode=mode), x, rtol=0, atol=0)
    close(f(x, w, padding=1, padding_mode=mode), x, rtol=0, atol=0)


def test_conv_groups_equal_block_diagonal_dense_conv():
    rng = np.random.default_rng(102)
    groups, cin_g, cout_g = 3, 2, 4
    x = rng.standard_normal((2, groups * cin_g, 7, 6))
    w = rng.standard_normal((groups * cout_g, cin_g, 3, 2))
    dense = np.zeros((groups * cout_g, groups * cin_g, 3, 2))
    for g in range(groups):
        rows, cols = slice(g * cout_g, (g + 1) * cout_g), slice(g * cin_g, (g + 1) * cin_g)
        dense[rows, cols] = w[rows]
    close(ref.conv2d(x, w, stride=(2, 1), padding=1, dilation=(1, 2), groups=groups),
          ref.conv2d(x, dense, stride=(2, 1), padding=1, dilation=(1, 2)))


def test_conv_matches_literal_loop():
    rng = np.random.default_rng(103)
    x = rng.standard_normal((2, 4, 6, 5))
    w = rng.standard_normal((6, 2, 2, 3))
    b = rng.standard_normal(6)
    s, p, d, groups = (2, 1), (1, 2), (2, 1), 2
    got = ref.conv2d(x, w, b, s, p, d, groups)
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (2, 2)))
    oh = (xp.shape[2] - d[0] * 1 - 1) // s[0] + 1
    ow = (xp.shape[3] - d[1] * 2 - 1) // s[1] + 1
    exp = np.zeros((2, 6, oh, ow))
    for n, o, y, xx in itertools.product(range(2), range(6), range(oh), range(ow)):
        g = o // 3
        acc = b[o]
        for c, i, j in itertools.product(range(2), range(2), range(3)):
            acc += w[o, c, i, j] * xp[n, g * 2 + c, y * s[0] + i * d[0], xx * s[1] + j * d[1]]
        exp[n, o, y, xx] = acc
    close(got, exp)


def test_conv_dtype_policy_and_unbatched():
    rng = np.random.default_rng(104)
    x = rng.standard_normal((3, 6, 6))
    w = rng.standard_normal((2, 3, 3, 3))
    assert ref.conv2d(x, w).shape == (2, 4, 4)
    close(ref.conv2d(x, w), ref.conv2d(x[None], w)[0])
    f32, f16 = np.float32, np.float16
    assert ref.conv2d(x.astype(f32), w.astype(f32)).dtype == f32
    assert ref.conv2d(x.astype(f16), w.astype(f16)).dtype == f32
    assert ref.conv2d(x.astype(f32), w).dtype == np.float64
    ints = ref.conv2d(np.ones((3, 6, 6), np.int16), np.ones((2, 3, 3, 3), np.int8))
    assert ints.dtype == np.float64
    assert ref.conv2d(np.ones((3, 6, 6), bool), np.ones((2, 3, 3, 3), bool)).dtype == np.float64
    with pytest.raises(TypeError):
        ref.conv2d(x.astype(np.complex128), w)
    # float32 results are the float64 computation rounded once
    x32, w32 = x.astype(f32), w.astype(f32)
    assert np.array_equal(ref.conv2d(x32, w32),
                          ref.conv2d(x32.astype(np.float64), w32.astype(np.float64)).astype(f32))


def test_conv_zero_size():
    assert ref.conv2d(np.ones((0, 2, 4, 4)), np.ones((3, 2, 3, 3)), padding=1,
                      padding_mode="reflect").shape == (0, 3, 4, 4)
    # C_in == 0: the empty sum is 0, so the output is the bias (torch instead returns
    # a tensor with 0 channels here; see the report to the lead).
    close(ref.conv2d(np.ones((2, 0, 4, 4)), np.ones((3, 0, 3, 3)), np.arange(3.0))[:, :, 0, 0],
          [[0, 1, 2], [0, 1, 2]])


# --------------------------------------------------------------------------------------
# conv_transpose: by hand, literal scatter, adjoint identity
# --------------------------------------------------------------------------------------

def test_conv_transpose1d_by_hand():
    x = np.array([[[1.0, 2.0]]])
    w = np.array([[[1.0, 10.0]]])
    close(ref.conv_transpose1d(x, w, stride=2), [[[1, 10, 2, 20]]])
    close(ref.conv_transpose1d(x, w, stride=2, padding=1), [[[10, 2]]])
    close(ref.conv_transpose1d(x, w, np.array([0.5]), stride=2, output_padding=1),
          [[[1.5, 10.5, 2.5, 20.5, 0.5]]])
    # stride 1, dilation 2: x0 -> o 0, 2; x1 -> o 1, 3
    close(ref.conv_transpose1d(x, w, dilation=2), [[[1, 2, 10, 20]]])


def _transposed_size(sp, k, s, p, d, op):
    """torch_conv_semantics.md §2: (in-1)*stride - 2p + dil*(k-1) + output_padding + 1."""
    return [(n - 1) * s[a] - 2 * p[a] + d[a] * (k[a] - 1) + op[a] + 1 for a, n in enumerate(sp)]


def _scatter_conv_transpose(x, w, b, s, p, op, groups, d):
    """torch_conv_semantics.md §2: input i and tap t scatter to o = i*s - p + t*d."""
    nd = x.ndim - 2
    cin, cout_g = w.shape[:2]
    cin_g = cin // groups
    k = w.shape[2:]
    out_sp = _transposed_size(x.shape[2:], k, s, p, d, op)
    out = np.zeros((x.shape[0], cout_g * groups, *out_sp))
    for c in range(cin):
        g = c // cin_g
        for i in itertools.product(*(range(n) for n in x.shape[2:])):
            for t in itertools.product(*(range(kk) for kk in k)):
                o = tuple(i[a] * s[a] - p[a] + t[a] * d[a] for a in range(nd))
                if all(0 <= o[a] < out_sp[a] for a in range(nd)):
                    for co in range(cout_g):
                        contrib = x[(slice(None), c) + i] * w[(c, co) + t]
                        out[(slice(None), g * cout_g + co) + o] += contrib
    if b is not None:
        out += b.reshape((-1,) + (1,) * nd)
    return out


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_conv_transpose_matches_scatter_definition(nd):
    rng = np.random.default_rng(110 + nd)
    for _ in range(6 if nd < 3 else 3):
        groups = int(rng.integers(1, 3))
        cin, cout = groups * int(rng.integers(1, 3)), groups * int(rng.integers(1, 3))
        k = tuple(int(v) for v in rng.integers(1, 4, nd))
        s = tuple(int(v) for v in rng.integers(1, 4, nd))
        d = tuple(int(v) for v in rng.integers(1, 3, nd))
        p = tuple(int(v) for v in rng.integers(0, 3, nd))
        op = tuple(int(rng.integers(0, max(a, b))) for a, b in zip(s, d))
        sp = tuple(int(v) for v in rng.integers(2, 5, nd))
        if min(_transposed_size(sp, k, s, p, d, op)) < 1:
            continue
        x = rng.standard_normal((2, cin) + sp)
        w = rng.standard_normal((cin, cout // groups) + k)
        b = rng.standard_normal(cout)
        f = getattr(ref, f"conv_transpose{nd}d")
        close(f(x, w, b, s, p, op, groups, d),
              _scatter_conv_transpose(x, w, b, s, p, op, groups, d))


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_conv_transpose_is_adjoint_of_conv(nd):
    """<conv(x, w), y> == <x, conv_transpose(y, w)> with the same weight array."""
    rng = np.random.default_rng(120 + nd)
    for _ in range(8):
        groups = int(rng.integers(1, 4))
        cin, cout = groups * int(rng.integers(1, 3)), groups * int(rng.integers(1, 3))
        k = tuple(int(v) for v in rng.integers(1, 4, nd))
        s = tuple(int(v) for v in rng.integers(1, 4, nd))
        d = tuple(int(v) for v in rng.integers(1, 3, nd))
        p = tuple(int(v) for v in rng.integers(0, 3, nd))
        sp = tuple(max(int(v), dd * (kk - 1) + 1)
                   for v, dd, kk in zip(rng.integers(3, 8, nd), d, k))
        x = rng.standard_normal((2, cin) + sp)
        w = rng.standard_normal((cout, cin // groups) + k)
        y_shape = getattr(ref, f"conv{nd}d")(x, w, None, s, p, d, groups).shape
        y = rng.standard_normal(y_shape)
        # output_padding recovers the exact input size lost to the stride's floor
        op = tuple(n - ((o - 1) * ss - 2 * pp + dd * (kk - 1) + 1)
                   for n, o, ss, pp, dd, kk in zip(sp, y_shape[2:], s, p, d, k))
        xt = getattr(ref, f"conv_transpose{nd}d")(y, w, None, s, p, op, groups, d)
        assert xt.shape == x.shape
        lhs = np.vdot(getattr(ref, f"conv{nd}d")(x, w, None, s, p, d, groups), y)
        close(lhs, np.vdot(x, xt))


# --------------------------------------------------------------------------------------
# deform_conv2d: by hand, identities, literal loop from the spec
# --------------------------------------------------------------------------------------

def _bilinear_spec(plane, y, x):
    """docs/deform_conv2d.md, "Bilinear sampling and the border", without the early exit:
    drop out-of-range corners."""
    h, w = plane.shape
    y0, x0 = int(np.floor(y)), int(np.floor(x))
    ly, lx = y - y0, x - x0
    val = 0.0
    for yy, xx, wt in ((y0, x0, (1 - ly) * (1 - lx)), (y0, x0 + 1, (1 - ly) * lx),
                       (y0 + 1, x0, ly * (1 - lx)), (y0 + 1, x0 + 1, ly * lx)):
        if 0 <= yy < h and 0 <= xx < w:
            val += wt * plane[yy, xx]
    return val


def _deform_spec(x, offset, weight, bias, s, p, d, mask):
    """torchvision's test reference loop, re-written from docs/deform_conv2d.md ("torchvision's
    own test, as a reference")."""
    n, cin, _, _ = x.shape
    cout, cin_g, kh, kw = weight.shape
    groups = cin // cin_g
    og = offset.shape[1] // (2 * kh * kw)
    oh, ow = offset.shape[2:]
    out = np.zeros((n, cout, oh, ow))
    for b, co, i, j in itertools.product(range(n), range(cout), range(oh), range(ow)):
        acc = 0.0
        for di, dj, cl in itertools.product(range(kh), range(kw), range(cin_g)):
            c = (co // (cout // groups)) * cin_g + cl
            g = c // (cin // og)
            idx = g * kh * kw + di * kw + dj
            y = i * s[0] - p[0] + di * d[0] + offset[b, 2 * idx, i, j]
            xx = j * s[1] - p[1] + dj * d[1] + offset[b, 2 * idx + 1, i, j]
            m = 1.0 if mask is None else mask[b, idx, i, j]
            acc += m * weight[co, cl, di, dj] * _bilinear_spec(x[b, c], y, xx)
        out[b, co, i, j] = acc + (0.0 if bias is None else bias[co])
    return out


def test_deform_bilinear_by_hand():
    x = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    w = np.ones((1, 1, 1, 1))

    def at(dy, dx):
        off = np.array([dy, dx], dtype=float).reshape(1, 2, 1, 1)
        return ref.deform_conv2d(x, off, w, stride=2)[0, 0, 0, 0]  # one output, at (0, 0)

    close(at(0.5, 0.25), 0.5 * 0.75 * 1 + 0.5 * 0.25 * 2 + 0.5 * 0.75 * 3 + 0.5 * 0.25 * 4)
    close(at(1.0, 1.0), 4.0)
    close(at(-0.5, 0.0), 0.5 * 1.0)     # half a zero row above
    close(at(1.5, 1.0), 0.5 * 4.0)      # half a zero row below
    close(at(-1.0, 0.0), 0.0)           # y <= -1: nothing inside
    close(at(2.0, 0.0), 0.0)            # y >= H
    close(at(0.0, -0.75), 0.25 * 1.0)
    close(at(np.nan, 0.0), 0.0)         # not inside: reads as zero


def test_deform_zero_offsets_equal_conv2d():
    rng = np.random.default_rng(130)
    x = rng.standard_normal((2, 6, 7, 6))
    w = rng.standard_normal((4, 3, 3, 2))  # G = 2
    b = rng.standard_normal(4)
    s, p, d = (2, 1), (1, 2), (1, 2)
    expected = ref.conv2d(x, w, b, s, p, d, groups=2)
    oh, ow = expected.shape[2:]
    for og in (1, 2, 3, 6):
        off = np.zeros((2, 2 * og * 6, oh, ow))
        close(ref.deform_conv2d(x, off, w, b, s, p, d), expected)
        close(ref.deform_conv2d(x, off, w, b, s, p, d, mask=np.ones((2, og * 6, oh, ow))),
              expected)
        close(ref.deform_conv2d(x, off, w, b, s, p, d, mask=np.full((2, og * 6, oh, ow), -2.0)),
              -2.0 * (expected - b[:, None, None]) + b[:, None, None])


def test_deform_integer_offsets_equal_shifted_conv():
    """A constant integer offset (a, b) samples x[y + a, x + b]: conv of a shifted window."""
    rng = np.random.default_rng(131)
    x = rng.standard_normal((2, 3, 6, 7))
    w = rng.standard_normal((2, 3, 3, 3))
    for a, bshift in [(1, 0), (0, -2), (-1, 3), (2, 2), (7, 0)]:
        # the padded (zero) frame of a padding-1 conv, moved by (a, b) over a zero-extended x
        big = np.pad(x, ((0, 0), (0, 0), (10, 10), (10, 10)))
        window = big[:, :, 9 + a:9 + a + 8, 9 + bshift:9 + bshift + 9]
        expected = ref.conv2d(window, w)
        off = np.zeros((2, 18) + expected.shape[2:])
        off[:, 0::2] = a
        off[:, 1::2] = bshift
        close(ref.deform_conv2d(x, off, w, padding=1), expected)


def test_deform_matches_spec_loop():
    rng = np.random.default_rng(132)
    # the upstream problem: Cin=6, G=2, OG=3 (weight groups straddle offset groups)
    n, kh, kw = 2, 3, 2
    x = rng.uniform(size=(n, 6, 5, 4))
    w = rng.standard_normal((2, 3, kh, kw))
    b = rng.standard_normal(2)
    off = rng.standard_normal((n, 2 * 3 * kh * kw, 2, 3))
    mask = rng.standard_normal((n, 3 * kh * kw, 2, 3))
    for m in (mask, None):
        close(ref.deform_conv2d(x, off, w, b, (2, 1), (1, 0), (2, 1), m),
              _deform_spec(x, off, w, b, (2, 1), (1, 0), (2, 1), m))
    # offsets large enough to leave the image on every side
    x = rng.standard_normal((1, 2, 4, 3))
    w = rng.standard_normal((3, 2, 2, 2))
    off = rng.standard_normal((1, 8, 5, 4)) * 4
    off[0, 0, 1, 0] = 0.0   # tap (0, 0) at output (1, 0): y = 1 - 1 + 0 = 0, on the image
    off[0, 0, 0, 0] = 0.0   # y = -1 exactly: the early-exit border
    close(ref.deform_conv2d(x, off, w, padding=1),
          _deform_spec(x, off, w, None, (1, 1), (1, 1), (1, 1), None))


def test_deform_output_size_truncates_like_cpp():
    # H + 2p - dilated_k = -1, stride 2: C++ gives -1/2 = 0 -> OH = 1 (floor would give 0)
    x = np.ones((1, 1, 2, 3))
    w = np.ones((1, 1, 3, 1))
    out = ref.deform_conv2d(x, np.zeros((1, 6, 1, 3)), w, stride=(2, 1))
    assert out.shape == (1, 1, 1, 3)
    close(out[0, 0, 0], [2.0, 2.0, 2.0])  # taps at rows 0, 1, 2; row 2 is outside


# --------------------------------------------------------------------------------------
# separable convs: identities
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("nd", [1, 2, 3])
def test_depthwise_separable_is_depthwise_then_pointwise(nd):
    rng = np.random.default_rng(140 + nd)
    x = rng.standard_normal((2, 3) + (6,) * nd)
    dw = rng.standard_normal((6, 1) + (3,) * nd)
    pw = rng.standard_normal((4, 6) + (1,) * nd)
    db, pb = rng.standard_normal(6), rng.standard_normal(4)
    f = getattr(ref, f"depthwise_separable_conv{nd}d")
    conv = getattr(ref, f"conv{nd}d")
    for mode in TORCH_MODES:
        mid = conv(x, dw, db, 2, 1, 1, 3, padding_mode=mode)
        close(f(x, dw, pw, db, pb, 2, 1, 1, mode), conv(mid, pw, pb))
    assert f(x[0], dw, pw, padding="same").shape == (4,) + (6,) * nd


@pytest.mark.parametrize("groups", [1, 2])
@pytest.mark.parametrize("mode", TORCH_MODES)
def test_spatially_separable_equals_outer_product_kernel(groups, mode):
    rng = np.random.default_rng(150 + groups)
    cin, cmid, cout, kh, kw = 2 * groups, 3 * groups, 2 * groups, 3, 4
    x = rng.standard_normal((2, cin, 7, 8))
    cw = rng.standard_normal((cmid, cin // groups, kh, 1))
    rw = rng.standard_normal((cout, cmid // groups, 1, kw))
    b = rng.standard_normal(cout)
    # full[o, c, i, j] = sum over the mid channels m of o's group: rw[o, m, 0, j] * cw[m, c, i, 0]
    full = np.zeros((cout, cin // groups, kh, kw))
    mg, og = cmid // groups, cout // groups
    for o in range(cout):
        g = o // og
        full[o] = np.einsum("mj,mci->cij", rw[o, :, 0, :], cw[g * mg:(g + 1) * mg, :, :, 0])
    for s, p, d in [((1, 1), "same", (1, 1)), ((1, 1), "same", (2, 1)),
                    ((2, 3), (1, 2), (1, 2)), ((1, 2), (2, 0), (2, 1))]:
        close(ref.spatially_separable_conv2d(x, cw, rw, b, s, p, d, groups, mode),
              ref.conv2d(x, full, b, s, p, d, groups, mode))


# --------------------------------------------------------------------------------------
# filters: by hand
# --------------------------------------------------------------------------------------

def test_filters_scipy_docstring_examples():
    x = [2, 8, 0, 4, 1, 9, 9, 0]
    close(ref.correlate1d(x, [1, 3]), [8, 26, 8, 12, 7, 28, 36, 9])
    close(ref.convolve1d(x, [1, 3]), [14, 24, 4, 13, 12, 36, 27, 0])


@pytest.mark.parametrize("mode", SCIPY_MODES)
def test_filter_extension_rules_by_hand(mode):
    """Read the extended line back through delta kernels, far beyond the input length."""
    x = np.array([1.0, 2.0, 3.0])
    period = {
        "reflect": [1, 2, 3, 3, 2, 1], "grid-mirror": [1, 2, 3, 3, 2, 1],
        "mirror": [1, 2, 3, 2], "wrap": [1, 2, 3], "grid-wrap": [1, 2, 3],
    }

    def ext(i):
        if mode in period:
            return period[mode][i % len(period[mode])]
        if mode == "nearest":
            return x[min(max(i, 0), 2)]
        return x[i] if 0 <= i < 3 else -4.5  # constant / grid-constant with cval

    k = 15  # extension of 7 per side, more than twice the length
    for j in range(k):
        delta = np.zeros(k)
        delta[j] = 1.0
        out = ref.correlate1d(x, delta, mode=mode, cval=-4.5)
        # out[i] = ext(i + j - k//2)
        close(out, [ext(i + j - 7) for i in range(3)])
        close(ref.correlate(x, delta, mode=mode, cval=-4.5), out)


def test_filter_origin_and_even_kernel_centre_by_hand():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    kw = dict(mode="constant")
    close(ref.correlate1d(x, [0, 1, 0], origin=1, **kw), [0, 1, 2, 3])
    close(ref.correlate1d(x, [0, 1, 0], origin=-1, **kw), [2, 3, 4, 0])
    # even length: centre is tap k//2 = 1, so [1, 0] reads the left neighbour
    close(ref.correlate1d(x, [1, 0], **kw), [0, 1, 2, 3])
    # convolve flips to [0, 1] and shifts the origin by -1: reads the right neighbour
    close(ref.convolve1d(x, [1, 0], **kw), [2, 3, 4, 0])
    close(ref.convolve(x, np.array([1.0, 0.0]), **kw), [2, 3, 4, 0])
    with pytest.raises(ValueError):
        ref.correlate1d(x, [1, 0, 0], origin=2)


def test_filter_skip_tiny_weights_in_nd_only():
    x = np.array([1e20, 0.0, 0.0])
    w = np.array([1e-17, 1.0, 0.0])
    assert ref.correlate(x, w, mode="constant")[1] == 0.0
    close(ref.correlate1d(x, w, mode="constant")[1], 1000.0)
    # a zero weight never meets the inf in the n-D path; the 1-D path gives 0*inf = nan
    xi = np.array([np.inf, 1.0, 1.0])
    assert ref.correlate(xi, np.array([0.0, 1.0, 0.0]), mode="constant")[1] == 1.0
    with np.errstate(invalid="ignore"):
        assert np.isnan(ref.correlate1d(xi, [0.0, 1.0, 0.0], mode="constant")[1])


def test_filter_axes_mapping():
    rng = np.random.default_rng(160)
    a = rng.standard_normal((3, 5, 6))
    w1 = rng.standard_normal(3)
    close(ref.correlate(a, w1, axes=1), ref.correlate1d(a, w1, axis=1))
    w2 = rng.standard_normal((2, 3))
    # kernel dims map to axes in increasing order; origins follow `axes` as given
    close(ref.correlate(a, w2, axes=(2, 1), origin=(0, -1)),
          ref.correlate(a, w2[None], origin=(0, -1, 0)))
    close(ref.correlate(a, w2, axes=(-1, 0), origin=(1, 0)),
          ref.correlate(a, w2[:, None, :], origin=(0, 0, 1)))


def test_filter_output_dtypes_by_hand():
    x = np.array([10, -10, 3], dtype=np.int32)
    assert ref.correlate1d(x, [0.27]).dtype == np.float64
    assert ref.correlate(x.astype(np.float32), np.array([0.5])).dtype == np.float32
    assert ref.correlate(x.astype(np.float16), np.array([0.5])).dtype == np.float32
    assert ref.correlate(x > 0, np.array([0.5])).dtype == np.float64
    # integer outputs truncate toward zero, as scipy's C cast does
    assert ref.correlate1d(x, [0.27], output=np.int32).tolist() == [2, -2, 0]
    buf = np.empty(3, np.int16)
    assert ref.correlate(x, np.array([0.27]), output=buf) is buf
    assert buf.tolist() == [2, -2, 0]
    # bool: the value truncated to an integer byte, non-zero -> True
    assert ref.correlate1d(x, [0.15], output=bool).tolist() == [True, True, False]
    with pytest.raises(TypeError):
        ref.correlate(x.astype(np.complex64), np.array([1.0]))


# --------------------------------------------------------------------------------------
# against torch.nn.functional (skipped when torch is not installed)
# --------------------------------------------------------------------------------------

@contextlib.contextmanager
def _no_warn():
    """Silence torch's one-time 'same' + even-kernel UserWarning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        yield


def _torch_conv(torch, nd, x, w, b, s, p, d, groups, mode):
    cout, cin_g = w.shape[:2]
    m = getattr(torch.nn, f"Conv{nd}d")(cin_g * groups, cout, w.shape[2:], s, p, d, groups,
                                         b is not None, mode).double()
    with torch.no_grad():
        m.weight.copy_(torch.from_numpy(w))
        if b is not None:
            m.bias.copy_(torch.from_numpy(b))
        return m(torch.from_numpy(x)).numpy()


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_conv_vs_torch(nd):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(200 + nd)
    for case in range(24 if nd < 3 else 12):
        groups = int(rng.integers(1, 4))
        cin, cout = groups * int(rng.integers(1, 3)), groups * int(rng.integers(1, 3))
        k = tuple(int(v) for v in rng.integers(1, 5, nd))
        d = tuple(int(v) for v in rng.integers(1, 3, nd))
        mode = TORCH_MODES[case % 4]
        if case % 3 == 0:
            s, p = (1,) * nd, "same"
        else:
            s = tuple(int(v) for v in rng.integers(1, 4, nd))
            p = tuple(int(v) for v in rng.integers(0, 3, nd))
        sp = tuple(max(int(v), dd * (kk - 1) + 1, 3)
                   for v, dd, kk in zip(rng.integers(2, 9, nd), d, k))
        x = rng.standard_normal((2, cin) + sp)
        w = rng.standard_normal((cout, cin // groups) + k)
        b = rng.standard_normal(cout) if case % 2 else None
        got = getattr(ref, f"conv{nd}d")(x, w, b, s, p, d, groups, mode)
        with _no_warn():
            exp = _torch_conv(torch, nd, x, w, b, s, p, d, groups, mode)
        close(got, exp)


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_conv_transpose_vs_torch(nd):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(210 + nd)
    done = 0
    while done < (16 if nd < 3 else 8):
        groups = int(rng.integers(1, 4))
        cin, cout = groups * int(rng.integers(1, 3)), groups * int(rng.integers(1, 3))
        k = tuple(int(v) for v in rng.integers(1, 4, nd))
        d = tuple(int(v) for v in rng.integers(1, 4, nd))
        s = tuple(int(v) for v in rng.integers(1, 4, nd))
        p = tuple(int(v) for v in rng.integers(0, 5, nd))  # sometimes > d*(k-1): crop path
        op = tuple(int(rng.integers(0, max(a, b))) for a, b in zip(s, d))
        sp = tuple(int(v) for v in rng.integers(1, 6, nd))
        if min(_transposed_size(sp, k, s, p, d, op)) < 1:
            continue
        done += 1
        x = rng.standard_normal((2, cin) + sp)
        w = rng.standard_normal((cin, cout // groups) + k)
        b = rng.standard_normal(cout)
        exp = getattr(F, f"conv_transpose{nd}d")(torch.from_numpy(x), torch.from_numpy(w),
                                                 torch.from_numpy(b), s, p, op, groups, d).numpy()
        close(getattr(ref, f"conv_transpose{nd}d")(x, w, b, s, p, op, groups, d), exp)


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_depthwise_separable_vs_torch(nd):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(220 + nd)
    x = rng.standard_normal((2, 3) + (7,) * nd)
    dw = rng.standard_normal((6, 1) + (3,) * nd)
    pw = rng.standard_normal((5, 6) + (1,) * nd)
    db, pb = rng.standard_normal(6), rng.standard_normal(5)
    F = torch.nn.functional
    for mode in TORCH_MODES:
        mid = _torch_conv(torch, nd, x, dw, db, (2,) * nd, (1,) * nd, (2,) * nd, 3, mode)
        exp = getattr(F, f"conv{nd}d")(torch.from_numpy(mid), torch.from_numpy(pw),
                                       torch.from_numpy(pb)).numpy()
        close(getattr(ref, f"depthwise_separable_conv{nd}d")(x, dw, pw, db, pb, 2, 1, 2, mode), exp)


def test_spatially_separable_vs_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(230)
    for case in range(12):
        groups = int(rng.integers(1, 3))
        cin, cmid, cout = (groups * int(rng.integers(1, 3)) for _ in range(3))
        kh, kw = (int(v) for v in rng.integers(1, 5, 2))
        mode = TORCH_MODES[case % 4]
        d = tuple(int(v) for v in rng.integers(1, 3, 2))
        if case % 3 == 0:
            s, p, p1, p2 = (1, 1), "same", "same", "same"
        else:
            s = tuple(int(v) for v in rng.integers(1, 3, 2))
            p = tuple(int(v) for v in rng.integers(0, 3, 2))
            p1, p2 = (p[0], 0), (0, p[1])
        x = rng.standard_normal((2, cin, 7, 8))
        cw = rng.standard_normal((cmid, cin // groups, kh, 1))
        rw = rng.standard_normal((cout, cmid // groups, 1, kw))
        b = rng.standard_normal(cout)
        with _no_warn():
            mid = _torch_conv(torch, 2, x, cw, None, (s[0], 1), p1, (d[0], 1), groups, mode)
            exp = _torch_conv(torch, 2, mid, rw, b, (1, s[1]), p2, (1, d[1]), groups, mode)
        close(ref.spatially_separable_conv2d(x, cw, rw, b, s, p, d, groups, mode), exp)


def _torch_deform(torch, x, offset, weight, bias, s, p, d, mask):
    """deform_conv2d from torch.grid_sample: bilinear, zeros outside (align_corners=False)."""
    F = torch.nn.functional
    xt = torch.from_numpy(x)
    n, cin, h, w = x.shape
    cout, cin_g, kh, kw = weight.shape
    groups, og = cin // cin_g, offset.shape[1] // (2 * kh * kw)
    oh, ow = offset.shape[2:]
    off = torch.from_numpy(offset)
    base_y = torch.arange(oh, dtype=torch.float64)[:, None] * s[0] - p[0]
    base_x = torch.arange(ow, dtype=torch.float64)[None, :] * s[1] - p[1]
    cols = torch.zeros(n, cin, kh * kw, oh, ow, dtype=torch.float64)
    cpg = cin // og
    for g, i, j in itertools.product(range(og), range(kh), range(kw)):
        t = i * kw + j
        y = base_y + i * d[0] + off[:, g * 2 * kh * kw + 2 * t]
        xx = base_x + j * d[1] + off[:, g * 2 * kh * kw + 2 * t + 1]
        grid = torch.stack([(2 * xx + 1) / w - 1, (2 * y + 1) / h - 1], -1)
        v = F.grid_sample(xt[:, g * cpg:(g + 1) * cpg], grid, mode="bilinear",
                          padding_mode="zeros", align_corners=False)
        if mask is not None:
            v = v * torch.from_numpy(mask)[:, g * kh * kw + t][:, None]
        cols[:, g * cpg:(g + 1) * cpg, t] = v
    cols = cols.reshape(n, groups, cin_g, kh * kw, oh, ow)
    wt = torch.from_numpy(weight).reshape(groups, cout // groups, cin_g, kh * kw)
    out = torch.einsum("ngckyx,gock->ngoyx", cols, wt).reshape(n, cout, oh, ow)
    if bias is not None:
        out = out + torch.from_numpy(bias)[:, None, None]
    return out.numpy()


def test_deform_vs_torch_grid_sample():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(240)
    done = 0
    while done < 20:
        groups, og = int(rng.integers(1, 3)), int(rng.integers(1, 4))
        cin, cout = groups * og * int(rng.integers(1, 3)), groups * int(rng.integers(1, 3))
        kh, kw = (int(v) for v in rng.integers(1, 4, 2))
        s, p, d = (tuple(int(v) for v in rng.integers(lo, hi, 2))
                   for lo, hi in ((1, 3), (0, 3), (1, 3)))
        h, w = (int(v) for v in rng.integers(1, 7, 2))
        oh = (h + 2 * p[0] - (d[0] * (kh - 1) + 1)) // s[0] + 1
        ow = (w + 2 * p[1] - (d[1] * (kw - 1) + 1)) // s[1] + 1
        if oh < 1 or ow < 1:
            continue
        done += 1
        x = rng.standard_normal((2, cin, h, w))
        wt = rng.standard_normal((cout, cin // groups, kh, kw))
        b = rng.standard_normal(cout) if done % 2 else None
        off = rng.standard_normal((2, 2 * og * kh * kw, oh, ow)) * 3
        off[:, ::3] = np.round(off[:, ::3])  # integer positions, including borders
        mask = rng.standard_normal((2, og * kh * kw, oh, ow)) if done % 3 else None
        close(ref.deform_conv2d(x, off, wt, b, s, p, d, mask),
              _torch_deform(torch, x, off, wt, b, s, p, d, mask))


# --------------------------------------------------------------------------------------
# against scipy.ndimage (skipped when scipy is not installed)
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["correlate", "convolve"])
def test_nd_filters_vs_scipy(name):
    ndi = pytest.importorskip("scipy.ndimage")
    rng = np.random.default_rng(250 if name == "correlate" else 251)
    for case in range(64):
        nd = int(rng.integers(1, 4))
        shape = tuple(int(v) for v in rng.integers(1, 6, nd))
        x = rng.standard_normal(shape) * 5
        mode = SCIPY_MODES[case % len(SCIPY_MODES)]
        if case % 3 == 0:
            naxes = int(rng.integers(1, nd + 1))
            # a random subset in random order, some of them as negative axes
            axes = tuple(int(a) - (nd if rng.integers(2) else 0)
                         for a in rng.permutation(nd)[:naxes])
        else:
            axes, naxes = None, nd
        ks = tuple(int(v) for v in rng.integers(1, 8, naxes))
        w = rng.standard_normal(ks)
        w[rng.random(ks) < 0.2] = 0.0
        w[rng.random(ks) < 0.1] = 1e-17
        # origin k goes with axes[k] (proper subset) or axis k (all axes); weights dims
        # go with the filtered axes in increasing order
        filtered = sorted(a % nd for a in axes) if axes is not None else list(range(nd))
        ksize = dict(zip(filtered, ks))
        owner = [a % nd for a in axes] if axes is not None and naxes < nd else list(range(nd))
        origin = [int(rng.integers(-(ksize[a] // 2), (ksize[a] - 1) // 2 + 1)) for a in owner]
        kw = dict(mode=mode, cval=1.25, origin=origin, axes=axes)
        close(getattr(ref, name)(x, w, **kw), getattr(ndi, name)(x, w, **kw), atol=1e-12)


@pytest.mark.parametrize("name", ["correlate1d", "convolve1d"])
def test_1d_filters_vs_scipy(name):
    ndi = pytest.importorskip("scipy.ndimage")
    rng = np.random.default_rng(260 if name == "correlate1d" else 261)
    for case in range(80):
        nd = int(rng.integers(1, 4))
        x = rng.standard_normal(tuple(int(v) for v in rng.integers(1, 6, nd)))
        k = int(rng.integers(1, 12))
        w = rng.standard_normal(k)
        kw = dict(axis=int(rng.integers(-nd, nd)), mode=SCIPY_MODES[case % len(SCIPY_MODES)],
                  cval=-0.5, origin=int(rng.integers(-(k // 2), (k - 1) // 2 + 1)))
        close(getattr(ref, name)(x, w, **kw), getattr(ndi, name)(x, w, **kw), atol=1e-12)


@pytest.mark.parametrize("out_dtype", [np.int8, np.uint8, np.int16, np.int32, np.int64,
                                       np.uint64, np.float32, np.float64, np.bool_])
def test_filter_output_casting_vs_scipy(out_dtype):
    ndi = pytest.importorskip("scipy.ndimage")
    rng = np.random.default_rng(270)
    # keep results inside the target's range: out-of-range float -> int casts are
    # platform-defined in C (scipy) and numpy alike
    x = rng.uniform(-20, 20, (5, 6))
    w2, w1 = rng.standard_normal((3, 3)) / 3, rng.standard_normal(3) / 2
    if np.dtype(out_dtype).kind == "u":
        x, w2, w1 = np.abs(x), np.abs(w2), np.abs(w1)
    for name, w in [("correlate", w2), ("convolve", w2), ("correlate1d", w1), ("convolve1d", w1)]:
        got = getattr(ref, name)(x, w, output=out_dtype)
        exp = getattr(ndi, name)(x, w, output=out_dtype)
        assert got.dtype == exp.dtype
        if out_dtype is np.bool_:
            exp = exp.view(np.uint8) != 0  # scipy stores the truncated byte in the bool
        if np.dtype(out_dtype).kind == "f":
            close(got, exp, rtol=1e-6, atol=1e-5)
        else:
            assert np.array_equal(got, exp)
        buf = np.zeros(x.shape, out_dtype)
        assert getattr(ref, name)(x, w, output=buf) is buf
        assert np.array_equal(buf, got)


def test_filter_integer_input_vs_scipy():
    ndi = pytest.importorskip("scipy.ndimage")
    rng = np.random.default_rng(280)
    x = rng.integers(-100, 100, (6, 7)).astype(np.int16)
    w = rng.standard_normal((3, 2))
    got = ref.correlate(x, w)
    assert got.dtype == np.float64  # scipy would return int16 (truncated)
    close(got, ndi.correlate(x.astype(np.float64), w))
    assert np.array_equal(ref.correlate(x, w, output=np.int16), ndi.correlate(x, w))


def test_oracles_leave_inputs_untouched():
    rng = np.random.default_rng(290)
    x = rng.standard_normal((2, 4, 6, 6))
    w = rng.standard_normal((4, 2, 3, 3))
    b = rng.standard_normal(4)
    off = rng.standard_normal((2, 36, 6, 6))
    mask = rng.standard_normal((2, 18, 6, 6))
    arrays = [x, w, b, off, mask]
    before = [a.copy() for a in arrays]
    ref.conv2d(x, w, b, padding=1, groups=2, padding_mode="reflect")
    ref.conv_transpose2d(x, w.reshape(4, 2, 3, 3), b[:4], stride=2, groups=2)
    ref.deform_conv2d(x, off, w[:, :2], b, padding=1, mask=mask)
    ref.correlate(x, w[0, 0], axes=(2, 3))
    ref.convolve1d(x, b, axis=2)
    for a, a0 in zip(arrays, before):
        assert np.array_equal(a, a0)
