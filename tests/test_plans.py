"""convx.plan_conv* / plan_conv_transpose* (convx/plan.py, convx/_plan.pxi, csrc/plan.h).

A plan must give exactly (bit for bit) what the functional call with the same arguments gives:
on randomized configurations (hypothesis), on the real network shapes of tests/data/ (source in
tests/data/README.md), for other batch sizes than planned, through out=, from several threads.
Plus the contract: copies of the weights, mismatch errors that name what differs, the plan
still usable after an error, the attributes and the repr.
"""
import concurrent.futures as cf
import json
import os

import numpy as np
import pytest

import convx
from tests._helpers import load_conv_shapes_sample, make_data, record_id, record_problem

try:
    from hypothesis import HealthCheck, given, settings, strategies as st
    from tests._helpers import conv_configs
except ImportError:  # hypothesis-based tests are skipped without it
    given = None

PLAN = {1: convx.plan_conv1d, 2: convx.plan_conv2d, 3: convx.plan_conv3d}
CONV = {1: convx.conv1d, 2: convx.conv2d, 3: convx.conv3d}
PLAN_T = {1: convx.plan_conv_transpose1d, 2: convx.plan_conv_transpose2d,
          3: convx.plan_conv_transpose3d}
CONV_T = {1: convx.conv_transpose1d, 2: convx.conv_transpose2d, 3: convx.conv_transpose3d}
VARIANTS = {1: "sliding", 2: "indirect_gemm", 3: "shifted_gemm", 4: "panel_gemm", 5: "blas_gemm",
            6: "depthwise"}

CONV_RECORDS = load_conv_shapes_sample()
with open(os.path.join(os.path.dirname(__file__), "data", "deconv_shapes_sample.jsonl")) as _f:
    DECONV_RECORDS = [json.loads(line) for line in _f if line.strip()]


def check_plan(nd, x, w, b, kwargs, batches=(None,), workers=None):
    """Plan for x's shape; every batch in `batches` (None: x's own) bit-identical to the
    functional call, with and without out=; returns the variants the fast path ran."""
    plan = PLAN[nd](w, b, **kwargs, input_shape=x.shape, workers=workers)
    ran = set()
    for n in batches:
        xx = x if n is None else np.random.default_rng(n).standard_normal(
            (n,) + x.shape[1:]).astype(x.dtype)
        expect = CONV[nd](xx, w, b, **kwargs)
        got = plan(xx)
        assert got.dtype == expect.dtype and got.shape == expect.shape
        np.testing.assert_array_equal(got, expect)
        ran.add(plan._variant)
        out = np.full_like(expect, np.nan)
        assert plan(xx, out=out) is out
        np.testing.assert_array_equal(out, expect)
    assert 0 not in ran     # contiguous inputs of the plan's dtype take the compiled fast path
    return ran


if given is not None:
    @st.composite
    def dense_configs(draw, nd):
        """Problems with enough channels to reach the GEMM variants (indirect_gemm packs)."""
        groups = draw(st.sampled_from([1, 1, 2]))
        cin = groups * draw(st.integers(1, 24))
        cout = groups * draw(st.integers(1, 40))
        k = [draw(st.integers(1, 3)) for _ in range(nd)]
        s = [draw(st.integers(1, 2)) for _ in range(nd)]
        d = [draw(st.integers(1, 2)) for _ in range(nd)]
        p = [draw(st.integers(0, 2)) for _ in range(nd)]
        size = [max(draw(st.integers(1, {1: 40, 2: 12, 3: 6}[nd])), dd * (kk - 1) + 1 - 2 * pp)
                for kk, dd, pp in zip(k, d, p)]
        n = draw(st.integers(1, 3))
        return dict(x_shape=(n, cin, *size), w_shape=(cout, cin // groups, *k),
                    bias=draw(st.booleans()), kwargs=dict(stride=tuple(s), padding=tuple(p),
                                                         dilation=tuple(d), groups=groups),
                    dtype=draw(st.sampled_from([np.float32, np.float64])),
                    seed=draw(st.integers(0, 2**16)), batch=draw(st.integers(1, 5)))

    @pytest.mark.parametrize("nd", [1, 2, 3])
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(data=st.data())
    def test_plan_matches_functional_dense(nd, data):
        c = data.draw(dense_configs(nd))
        x, w, b = make_data(c["seed"], c["x_shape"], c["w_shape"], c["dtype"], c["bias"])
        check_plan(nd, x, w, b, c["kwargs"], batches=(None, c["batch"]))

    @pytest.mark.parametrize("nd", [1, 2, 3])
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(data=st.data())
    def test_plan_matches_functional_any(nd, data):
        """The shared strategy: every padding kind and mode, unbatched inputs, tiny channels."""
        c = data.draw(conv_configs(nd))
        x, w, b = make_data(c["seed"], c["x_shape"], c["w_shape"], np.float32, c["bias"])
        plan = PLAN[nd](w, b, **c["kwargs"], input_shape=x.shape)
        expect = CONV[nd](x, w, b, **c["kwargs"])
        np.testing.assert_array_equal(plan(x), expect)
        assert plan.output_shape == expect.shape


@pytest.mark.parametrize("rec", CONV_RECORDS, ids=[record_id(r) for r in CONV_RECORDS])
def test_plan_network_shapes(rec):
    x_shape, w_shape, kwargs = record_problem(rec)
    nd = len(x_shape) - 2
    x, w, b = make_data(7, x_shape, w_shape, np.float32)
    # planned for batch 1, run at the record's batch and at 3 (the selection may differ)
    plan_x = x[:1]
    plan = PLAN[nd](w, b, **kwargs, input_shape=plan_x.shape)
    for xx in (plan_x, x, np.concatenate([x, x, x])[:3]):
        np.testing.assert_array_equal(plan(xx), CONV[nd](xx, w, b, **kwargs))


@pytest.mark.skipif(convx._cpu.active_isa() == "scalar",
                    reason="the baseline ISA has no indirect_gemm kernel (nothing is packed)")
def test_network_shapes_reach_the_packed_path():
    """The sample holds layers that run the indirect GEMM from packed weights (and others)."""
    ran, packed = set(), 0
    for rec in CONV_RECORDS:
        x_shape, w_shape, kwargs = record_problem(rec)
        nd = len(x_shape) - 2
        x, w, b = make_data(1, x_shape, w_shape, np.float32)
        plan = PLAN[nd](w, b, **kwargs, input_shape=x.shape)
        plan(x)
        ran.add(VARIANTS.get(plan._variant))
        packed += plan._packed_nbytes > 0 and plan._variant == 2
    assert packed > 0
    # the sample's layers reach several variants (which ones is the selection policy's call)
    assert "indirect_gemm" in ran and len(ran - {None}) >= 3, ran


@pytest.mark.parametrize("rec", DECONV_RECORDS, ids=[r["name"] for r in DECONV_RECORDS])
def test_plan_transpose_network_shapes(rec):
    nd = rec["ndim"]
    x_shape = (rec["mb"], rec["ic"], *rec["in"])
    w_shape = (rec["ic"], rec["oc"] // rec["groups"], *rec["k"])
    kwargs = dict(stride=tuple(rec["stride"]), padding=tuple(rec["pad"]),
                  output_padding=tuple(rec["output_padding"]), groups=rec["groups"],
                  dilation=tuple(rec["dilation"]))
    rng = np.random.default_rng(3)
    x = rng.standard_normal(x_shape).astype(np.float32)
    w = rng.standard_normal(w_shape).astype(np.float32)
    b = rng.standard_normal(rec["oc"]).astype(np.float32)
    plan = PLAN_T[nd](w, b, **kwargs, input_shape=x.shape)
    for xx in (x, np.concatenate([x, x])):
        np.testing.assert_array_equal(plan(xx), CONV_T[nd](xx, w, b, **kwargs))
    assert plan.output_shape == CONV_T[nd](x, w, b, **kwargs).shape


@pytest.mark.parametrize("algorithm", ["auto", "direct", "im2col"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_plan_algorithms_and_dtypes(algorithm, dtype):
    x, w, b = make_data(2, (2, 16, 9, 9), (24, 16, 3, 3), dtype)
    kw = dict(stride=1, padding=1)
    plan = convx.plan_conv2d(w, b, **kw, input_shape=x.shape, algorithm=algorithm)
    np.testing.assert_array_equal(plan(x), convx.conv2d(x, w, b, **kw, algorithm=algorithm))
    assert plan.dtype == dtype
    assert plan.algorithm == ("blas_gemm" if algorithm == "im2col" else plan.algorithm)
    xt, wt, bt = make_data(2, (2, 16, 5, 5), (16, 8, 3, 3), dtype)
    pt = convx.plan_conv_transpose2d(wt, bt[:8], stride=2, input_shape=xt.shape,
                                     algorithm=algorithm)
    np.testing.assert_array_equal(pt(xt), convx.conv_transpose2d(xt, wt, bt[:8], stride=2,
                                                                 algorithm=algorithm))


def test_plan_copies_weights():
    x, w, b = make_data(4, (1, 16, 8, 8), (32, 16, 3, 3), np.float32)
    expect = convx.conv2d(x, w, b, padding=1)
    plan = convx.plan_conv2d(w, b, padding=1, input_shape=x.shape)
    w[...] = 0
    b[...] = 0
    np.testing.assert_array_equal(plan(x), expect)
    wt = np.ones((4, 2, 3), np.float32)
    pt = convx.plan_conv_transpose1d(wt, input_shape=(1, 4, 5))
    wt[...] = 5
    np.testing.assert_array_equal(pt(np.ones((1, 4, 5), np.float32)),
                                  convx.conv_transpose1d(np.ones((1, 4, 5), np.float32),
                                                         np.ones((4, 2, 3), np.float32)))


def test_plan_does_not_modify_inputs_and_handles_views():
    x, w, b = make_data(5, (2, 16, 10, 10), (16, 16, 3, 3), np.float32)
    plan = convx.plan_conv2d(w, b, padding=1, input_shape=(2, 16, 10, 10))
    x0 = x.copy()
    big = np.zeros((2, 16, 10, 20), np.float32)
    big[..., ::2] = x
    view = big[..., ::2]                        # non-contiguous: the slow path
    np.testing.assert_array_equal(plan(view), convx.conv2d(x, w, b, padding=1))
    np.testing.assert_array_equal(plan(x[0]), convx.conv2d(x[0], w, b, padding=1))  # unbatched
    np.testing.assert_array_equal(x, x0)
    empty = plan(np.empty((0, 16, 10, 10), np.float32))
    assert empty.shape == (0, 16, 10, 10)


def test_plan_out_aliasing():
    """out= overlapping the input is staged (as the functional calls: convx/_args.safe_target)."""
    w = make_data(6, (1, 8, 6, 6), (8, 8, 1, 1), np.float32)[1]
    x = np.random.default_rng(6).standard_normal((1, 8, 6, 6)).astype(np.float32)
    expect = convx.conv2d(x, w)
    plan = convx.plan_conv2d(w, input_shape=x.shape)
    buf = x.copy()
    assert plan(buf, out=buf) is buf
    np.testing.assert_array_equal(buf, expect)
    with pytest.raises(ValueError, match="out must have shape"):
        plan(x, out=np.empty((1, 8, 6, 5), np.float32))
    with pytest.raises(ValueError, match="out must have dtype"):
        plan(x, out=np.empty((1, 8, 6, 6), np.float64))
    with pytest.raises(TypeError, match="out must be a numpy.ndarray"):
        plan(x, out=[0])


def test_plan_threads():
    x, w, b = make_data(8, (1, 32, 14, 14), (64, 32, 3, 3), np.float32)
    plan = convx.plan_conv2d(w, b, padding=1, input_shape=x.shape, workers=1)
    rng = np.random.default_rng(8)
    xs = [rng.standard_normal((1 + i % 3, 32, 14, 14)).astype(np.float32) for i in range(24)]
    expect = [convx.conv2d(xx, w, b, padding=1) for xx in xs]
    with cf.ThreadPoolExecutor(4) as ex:
        got = list(ex.map(plan, xs * 3))
    for g, e in zip(got, expect * 3):
        np.testing.assert_array_equal(g, e)


def test_plan_workers_bit_identical():
    x, w, b = make_data(9, (3, 24, 12, 12), (48, 24, 3, 3), np.float32)
    ys = [convx.plan_conv2d(w, b, padding=1, input_shape=x.shape, workers=n)(x)
          for n in (1, 2, 3)]
    for y in ys[1:]:
        np.testing.assert_array_equal(y, ys[0])


def test_plan_mismatch_errors_and_still_usable():
    x, w, b = make_data(10, (2, 8, 7, 7), (16, 8, 3, 3), np.float32)
    plan = convx.plan_conv2d(w, b, padding=1, input_shape=x.shape)
    with pytest.raises(ValueError, match="input has 4 channels, the plan was made for 8"):
        plan(x[:, :4])
    with pytest.raises(ValueError, match=r"spatial size \(7, 6\) differs from the plan's"):
        plan(x[..., :6])
    with pytest.raises(ValueError, match="dtype <f8 differs from the plan's dtype float32"):
        plan(x.astype(np.float64))
    with pytest.raises(ValueError, match="input must be 4-D"):
        plan(x[None])
    with pytest.raises(TypeError, match="input must"):
        plan(x.astype(np.complex64))
    np.testing.assert_array_equal(plan(x), convx.conv2d(x, w, b, padding=1))


def test_plan_argument_errors():
    w = np.ones((4, 2, 3, 3), np.float32)
    with pytest.raises(ValueError, match="data_format must be one of"):
        convx.plan_conv2d(w, input_shape=(1, 2, 5, 5), data_format="NHWC")
    with pytest.raises(ValueError, match="input has 5 channels"):   # channels-last: C last
        convx.plan_conv2d(w, input_shape=(1, 2, 5, 5), data_format="channels_last")
    with pytest.raises(ValueError, match="input_shape must have 4 entries \\[N, \\*spatial"):
        convx.plan_conv2d(w, input_shape=(1, 2, 5, 5, 2), data_format="channels_last")
    with pytest.raises(ValueError, match="algorithm must be one of"):
        convx.plan_conv2d(w, input_shape=(1, 2, 5, 5), algorithm="reference")
    with pytest.raises(ValueError, match="input_shape must have 4 entries"):
        convx.plan_conv2d(w, input_shape=(2, 5, 5, 5, 5))
    with pytest.raises(TypeError, match="input_shape must be a tuple"):
        convx.plan_conv2d(w, input_shape=5)
    with pytest.raises(ValueError, match="input has 3 channels"):
        convx.plan_conv2d(w, input_shape=(1, 3, 5, 5))
    with pytest.raises(ValueError, match="kernel"):
        convx.plan_conv2d(w, input_shape=(1, 2, 2, 2))
    with pytest.raises(ValueError, match="workers"):
        convx.plan_conv2d(w, input_shape=(1, 2, 5, 5), workers=0)


def test_plan_attributes_and_repr():
    w = np.ones((4, 2, 3, 3), np.float16)
    plan = convx.plan_conv2d(w, stride=2, input_shape=(3, 2, 9, 9))
    assert plan.input_shape == (3, 2, 9, 9)
    assert plan.output_shape == (3, 4, 4, 4)
    assert plan.dtype == np.float32
    assert plan.algorithm in VARIANTS.values()
    assert plan.workspace_nbytes >= w.size * 4
    r = repr(plan)
    assert r.startswith("ConvPlan(conv2d, input_shape=(3, 2, 9, 9)") and "stride=2" in r
    unb = convx.plan_conv1d(np.ones((4, 2, 3)), input_shape=(2, 10))
    assert unb.output_shape == (4, 8) and unb.dtype == np.float64
    assert unb(np.ones((2, 10))).shape == (4, 8)
    pt = convx.plan_conv_transpose2d(np.ones((2, 4, 3, 3), np.float32), stride=2,
                                     input_shape=(1, 2, 5, 5))
    assert pt.algorithm in ("subpixel", "direct", "im2col") and pt.output_shape == (1, 4, 11, 11)


def test_plan_padding_modes():
    x, w, b = make_data(11, (2, 4, 8, 8), (6, 4, 3, 3), np.float32)
    for mode in ("reflect", "replicate", "circular"):
        plan = convx.plan_conv2d(w, b, padding=1, padding_mode=mode, input_shape=x.shape)
        np.testing.assert_array_equal(plan(x), convx.conv2d(x, w, b, padding=1,
                                                            padding_mode=mode))
