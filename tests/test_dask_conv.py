"""convx.dask convolutions (issue 15): conv1d/2d/3d, conv_transpose1d/2d/3d and
depthwise_separable_conv1d/2d/3d on inputs chunked along the batch and spatial axes equal the
in-memory calls, for strides, dilations, paddings ('same', padding modes), output_padding and
groups, on chunk layouts that cut through the kernels; checked on a real LocalCluster
(2 worker processes, 1 thread each) and, for randomized layouts, with the synchronous scheduler.
"""
import logging
import os
import pickle
import warnings

import numpy as np
import pytest

import convx
from _helpers import assert_conv_close, reduction_length

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")
import convx.dask as cd  # noqa: E402
from convx.dask import RechunkWarning  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::convx.dask.RechunkWarning")


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    environ = dict(os.environ)    # LocalCluster sets OMP_NUM_THREADS=1 etc. in this process too
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, silence_logs=logging.ERROR)
    os.environ.clear()
    os.environ.update(environ)
    c = distributed.Client(cluster)
    try:
        yield c
    finally:
        c.close()
        cluster.close()


def _data(seed, *shapes, dtype=np.float32):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(dtype) for s in shapes]


# (op, x shape, chunks, weight shape, kwargs)
FORWARD = [
    ("conv2d", (3, 4, 37, 29), (2, 4, 10, 7), (6, 4, 3, 5), dict(padding=1)),
    ("conv2d", (3, 4, 37, 29), (2, 4, 10, 7), (6, 4, 3, 5), dict(stride=2, padding=(1, 2))),
    ("conv2d", (2, 4, 40, 33), (1, 2, 9, 11), (6, 2, 3, 3),
     dict(stride=3, dilation=2, padding=2, groups=2, padding_mode="reflect")),
    ("conv2d", (2, 4, 31, 30), (1, 4, 8, 8), (4, 1, 5, 3),
     dict(padding="same", dilation=(1, 2), groups=4, padding_mode="circular")),
    ("conv2d", (2, 3, 33, 35), (2, 3, 12, 12), (5, 3, 4, 4),
     dict(padding="same", padding_mode="replicate")),
    ("conv2d", (1, 3, 29, 31), (1, 3, 7, 9), (5, 3, 2, 3), dict(stride=4)),   # kernel < stride
    ("conv1d", (2, 3, 101), (1, 3, 17), (4, 3, 7), dict(stride=3, padding=2)),
    ("conv1d", (4, 2, 64), (3, 1, 20), (2, 2, 1), dict(stride=2)),
    ("conv3d", (1, 2, 13, 14, 15), (1, 2, 5, 6, 7), (3, 2, 3, 3, 3), dict(padding=1, stride=2)),
    ("conv3d", (2, 2, 9, 10, 11), (1, 2, 4, 10, 5), (4, 1, 3, 2, 3),
     dict(groups=2, dilation=(1, 2, 2), padding_mode="reflect", padding=(1, 1, 2))),
]

TRANSPOSED = [
    ("conv_transpose2d", (3, 4, 37, 29), (2, 4, 10, 7), (4, 6, 3, 4), {}),
    ("conv_transpose2d", (3, 4, 37, 29), (2, 4, 10, 7), (4, 6, 3, 4),
     dict(stride=2, padding=1, output_padding=1)),
    ("conv_transpose2d", (2, 4, 23, 21), (1, 4, 6, 5), (4, 3, 3, 3),
     dict(stride=3, padding=2, dilation=2, groups=2)),
    ("conv_transpose2d", (1, 2, 19, 17), (1, 2, 5, 4), (2, 2, 2, 1),
     dict(stride=5, output_padding=(3, 4))),                         # kernel < stride
    ("conv_transpose1d", (2, 3, 50), (1, 3, 9), (3, 2, 5), dict(stride=2, padding=3)),
    ("conv_transpose3d", (1, 2, 13, 14, 15), (1, 2, 5, 6, 7), (2, 3, 3, 2, 3),
     dict(stride=(2, 1, 3), padding=1, output_padding=(1, 0, 2))),
]

DWSEP = [
    ("depthwise_separable_conv2d", (2, 4, 37, 29), (1, 4, 10, 7), (8, 1, 3, 3), (5, 8, 1, 1),
     dict(stride=2, padding=1)),
    ("depthwise_separable_conv2d", (2, 3, 30, 31), (2, 3, 8, 9), (3, 1, 5, 5), (4, 3, 1, 1),
     dict(padding="same", dilation=2, padding_mode="reflect")),
    ("depthwise_separable_conv1d", (3, 2, 77), (1, 2, 10), (4, 1, 7), (3, 4, 1),
     dict(stride=3, padding=3)),
    ("depthwise_separable_conv3d", (1, 2, 11, 12, 13), (1, 2, 4, 5, 6), (2, 1, 3, 3, 3),
     (3, 2, 1, 1, 1), dict(stride=2, padding=1, padding_mode="replicate")),
]


# coarser layouts for the cluster (tasks cost milliseconds there), still cutting kernels
CLUSTER_FORWARD = [
    ("conv2d", (2, 4, 40, 33), (1, 4, 20, 17), (6, 2, 3, 3),
     dict(stride=3, dilation=2, padding=2, groups=2, padding_mode="reflect")),
    ("conv3d", (1, 2, 13, 14, 15), (1, 2, 7, 14, 8), (3, 2, 3, 3, 3), dict(padding=1, stride=2)),
]
CLUSTER_TRANSPOSED = [
    ("conv_transpose2d", (3, 4, 37, 29), (2, 4, 19, 15), (4, 6, 3, 4),
     dict(stride=2, padding=1, output_padding=1)),
    ("conv_transpose3d", (1, 2, 13, 14, 15), (1, 2, 7, 14, 8), (2, 3, 3, 2, 3),
     dict(stride=(2, 1, 3), padding=1, output_padding=(1, 0, 2))),
]
CLUSTER_DWSEP = [
    ("depthwise_separable_conv2d", (2, 4, 37, 29), (1, 4, 19, 15), (8, 1, 3, 3), (5, 8, 1, 1),
     dict(stride=2, padding=1)),
]


def _lazy_and_expected(seed, forward=FORWARD, transposed=TRANSPOSED, dwsep=DWSEP):
    lazy, want = [], []
    for i, (op, xs, ch, ws, kw) in enumerate(forward + transposed):
        x, w, b = _data(seed + i, xs, ws, (ws[0] if op.startswith("conv") and "transpose"
                                          not in op else ws[1] * kw.get("groups", 1),))
        lazy.append(getattr(cd, op)(da.from_array(x, chunks=ch), w, b, **kw))
        want.append((op, getattr(convx, op)(x, w, b, **kw), reduction_length(ws)))
    for i, (op, xs, ch, dws, pws, kw) in enumerate(dwsep):
        x, dw, pw, db, pb = _data(seed + 50 + i, xs, dws, pws, (dws[0],), (pws[0],))
        lazy.append(getattr(cd, op)(da.from_array(x, chunks=ch), dw, pw, db, pb, **kw))
        want.append((op, getattr(convx, op)(x, dw, pw, db, pb, **kw),
                     reduction_length(dws) * pws[1]))
    return lazy, want


def _check(lazy, want, scheduler=None):
    got = dask.compute(*lazy, scheduler=scheduler)     # one round trip to the cluster
    for g, (op, w, k) in zip(got, want):
        assert_conv_close(g, w, np.float32, k, err_msg=op)


def test_every_family_on_the_cluster(client):
    # one case of each family and rank class (a few hundred tasks: a loaded 2-core machine
    # runs them in seconds); every case runs on the cluster in the slow test
    _check(*_lazy_and_expected(1500, CLUSTER_FORWARD, CLUSTER_TRANSPOSED, CLUSTER_DWSEP))


@pytest.mark.slow
def test_every_case_on_the_cluster(client):
    _check(*_lazy_and_expected(1500))


def test_every_case():
    _check(*_lazy_and_expected(1500), scheduler="sync")


def test_float64_and_unbatched():
    x, w, b = _data(1520, (4, 25, 26), (3, 4, 3, 3), (3,), dtype=np.float64)
    xd = da.from_array(x, chunks=(4, 7, 8))
    for op, kw in [("conv2d", dict(stride=2, padding=1)),
                   ("conv_transpose2d", dict(stride=2, padding=1, output_padding=1))]:
        ww = w if op == "conv2d" else w.transpose(1, 0, 2, 3).copy()
        y = getattr(cd, op)(xd, ww, b, **kw)
        assert y.ndim == 3 and y.dtype == np.float64
        assert_conv_close(y.compute(scheduler="sync"), getattr(convx, op)(x, ww, b, **kw),
                          np.float64, 36)


def test_batch_only_chunks_use_the_call_as_given():
    x, w = _data(1521, (6, 3, 20, 20), (4, 3, 3, 3))
    xd = da.from_array(x, chunks=(2, 3, 20, 20))
    y = cd.conv2d(xd, w, padding=1, padding_mode="circular")
    assert y.chunks == ((2, 2, 2), (4,), (20,), (20,))
    assert_conv_close(y.compute(scheduler="sync"),
                      convx.conv2d(x, w, padding=1, padding_mode="circular"), np.float32, 27)


def test_stride_misaligned_chunks_are_moved_with_a_warning():
    x, w = _data(1522, (1, 2, 50, 50), (3, 2, 5, 5))
    xd = da.from_array(x, chunks=(1, 2, 10, 10))
    with pytest.warns(RechunkWarning, match=r"axis 2 \(halo 2, stride 3"):
        y = cd.conv2d(xd, w, stride=3, padding=2)    # padded chunks 12, 10, ...: not x3
    assert_conv_close(y.compute(scheduler="sync"), convx.conv2d(x, w, stride=3, padding=2),
                      np.float32, 50)
    with pytest.raises(ValueError, match="not aligned to the stride"):
        cd.conv2d(xd, w, stride=3, padding=2, rechunk=False)
    with pytest.warns(RechunkWarning, match="channel axis must be one chunk"):
        cd.conv2d(da.from_array(x, chunks=(1, 1, 50, 50)), w)
    with pytest.raises(ValueError, match="channel axis"):
        cd.conv2d(da.from_array(x, chunks=(1, 1, 50, 50)), w, rechunk=False)


def test_aligned_layouts_are_left_alone():
    x = da.zeros((2, 3, 64, 64), chunks=(1, 3, 16, 16), dtype=np.float32)
    w = np.ones((4, 3, 3, 3), np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RechunkWarning)
        assert cd.conv2d(x, w, stride=2).chunks == ((1, 1), (4,), (8, 8, 8, 7), (8, 8, 8, 7))
        assert cd.conv_transpose2d(x, w.transpose(1, 0, 2, 3), stride=2).chunks[2] == \
            (32, 32, 32, 33)


def test_arguments_are_checked_when_the_graph_is_built():
    x = da.zeros((2, 3, 20, 20), chunks=(1, 3, 10, 10))
    w = np.ones((4, 3, 3, 3))
    with pytest.raises(ValueError, match="input must be 3-D .* or 4-D"):
        cd.conv2d(da.zeros((3, 20)), w)
    with pytest.raises(ValueError, match="groups"):
        cd.conv2d(x, w, groups=2)
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        cd.conv2d(x, w, padding=1, padding_mode="mirror")
    with pytest.raises(ValueError, match="'same' is not supported for strided"):
        cd.conv2d(x, w, padding="same", stride=2)
    with pytest.raises(ValueError, match="larger than the padded input"):
        cd.conv2d(da.zeros((1, 3, 2, 40), chunks=(1, 3, 2, 10)), w)
    with pytest.raises(ValueError, match="padding_mode='reflect' needs padding < input size"):
        cd.conv2d(da.zeros((1, 3, 2, 40), chunks=(1, 3, 2, 10)), w, padding=2,
                  padding_mode="reflect")
    with pytest.raises(ValueError, match="output_padding must be smaller"):
        cd.conv_transpose2d(x, np.ones((3, 4, 3, 3)), output_padding=1)
    with pytest.raises(ValueError, match="no 'same' or 'valid'"):
        cd.conv_transpose2d(x, np.ones((3, 4, 3, 3)), padding="same")
    with pytest.raises(TypeError, match="workers"):
        cd.conv2d(x, w, workers="2")


def test_weights_are_one_key_of_the_graph():
    w = np.ones((64, 64, 3, 3), np.float32)            # 147 KB, 16 spatial tasks
    x = da.zeros((1, 64, 128, 128), chunks=(1, 64, 32, 32), dtype=np.float32)
    for y in (cd.conv2d(x, w, padding=1), cd.conv_transpose2d(x, w, stride=2)):
        graph_bytes = len(pickle.dumps(dict(y.__dask_graph__()), protocol=5))
        assert graph_bytes < 2 * w.nbytes + 200_000, graph_bytes


def _random_problem(draw, st):
    nd = draw(st.sampled_from([1, 2]))
    k = [draw(st.integers(1, 5)) for _ in range(nd)]
    s = [draw(st.integers(1, 4)) for _ in range(nd)]
    d = [draw(st.integers(1, 3)) for _ in range(nd)]
    sp = [draw(st.integers(max(1, dd * (kk - 1) + 1), 40)) for kk, dd in zip(k, d)]
    ch = [draw(st.integers(1, n)) for n in sp]
    return nd, k, s, d, sp, ch


def test_random_layouts_forward_and_transposed():
    hyp = pytest.importorskip("hypothesis")
    st = hyp.strategies

    @hyp.settings(max_examples=40, deadline=None, derandomize=True)
    @hyp.given(st.data())
    def check(data):
        nd, k, s, d, sp, ch = _random_problem(data.draw, st)
        pad = [data.draw(st.integers(0, kk // 2)) for kk in k]
        n = data.draw(st.integers(1, 3))
        x, w, wt = _data(1530, (n, 2, *sp), (3, 2, *k), (2, 3, *k))
        xd = da.from_array(x, chunks=(data.draw(st.integers(1, n)), 2, *ch))
        op = f"conv{nd}d"
        got = getattr(cd, op)(xd, w, stride=s, dilation=d, padding=pad).compute(
            scheduler="sync")
        assert_conv_close(got, getattr(convx, op)(x, w, stride=s, dilation=d, padding=pad),
                          np.float32, 2 * np.prod(k))
        opad = [data.draw(st.integers(0, max(ss, dd) - 1)) for ss, dd in zip(s, d)]
        op = f"conv_transpose{nd}d"
        kw = dict(stride=s, dilation=d, output_padding=opad)
        if all(((n_ - 1) * ss + dd * (kk - 1) + o + 1) >= 1
               for n_, ss, dd, kk, o in zip(sp, s, d, k, opad)):
            got = getattr(cd, op)(xd, wt, **kw).compute(scheduler="sync")
            assert_conv_close(got, getattr(convx, op)(x, wt, **kw), np.float32, 2 * np.prod(k))

    check()


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_channels_last_on_the_cluster(client, nd):
    """data_format="channels_last": chunks cut through kernels along every spatial axis, with
    stride and padding modes; equal to the in-memory channels-last call (within rounding: the
    drivers pick per chunk shape), the result channels-last and lazy."""
    sp = {1: (37,), 2: (23, 26), 3: (9, 10, 11)}[nd]
    chunks = {1: (1, 12, 5), 2: (1, 8, 9, 5), 3: (1, 4, 5, 6, 5)}[nd]
    x, w, b, wt, dw, pw = _data(1600 + nd, (2, *sp, 5), (6, 5) + (3,) * nd, (6,),
                                (5, 3) + (4,) * nd, (5, 1) + (3,) * nd, (4, 5) + (1,) * nd)
    xd = da.from_array(x, chunks=chunks)
    cases = [
        (getattr(cd, f"conv{nd}d")(xd, w, b, padding=1, data_format="channels_last"),
         getattr(convx, f"conv{nd}d")(x, w, b, padding=1, data_format="channels_last")),
        (getattr(cd, f"conv{nd}d")(xd, w, b, stride=2, padding=1, padding_mode="reflect",
                                   data_format="channels_last"),
         getattr(convx, f"conv{nd}d")(x, w, b, stride=2, padding=1, padding_mode="reflect",
                                      data_format="channels_last")),
        (getattr(cd, f"conv_transpose{nd}d")(xd, wt, stride=2, padding=1,
                                             data_format="channels_last"),
         getattr(convx, f"conv_transpose{nd}d")(x, wt, stride=2, padding=1,
                                                data_format="channels_last")),
        (getattr(cd, f"depthwise_separable_conv{nd}d")(xd, dw, pw, padding=1,
                                                       data_format="channels_last"),
         getattr(convx, f"depthwise_separable_conv{nd}d")(x, dw, pw, padding=1,
                                                          data_format="channels_last")),
    ]
    got = dask.compute(*[c[0] for c in cases])
    for g, (lazy, want) in zip(got, cases):
        assert lazy.shape == want.shape
        assert_conv_close(g, want, np.float32, 5 * 4 ** nd)
    with pytest.raises(ValueError, match="channels-last"):
        cd.conv2d(da.ones((5, 5)), np.ones((2, 5, 1, 1)), data_format="channels_last")
    with pytest.raises(ValueError, match="data_format must be"):
        cd.conv2d(xd if nd == 2 else da.ones((1, 5, 5, 5)), np.ones((2, 5, 1, 1)),
                  data_format="NHWC")
