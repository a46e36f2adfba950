"""convx.dask.filters (issue 15): every filter of convx.filters on chunked dask arrays equals the
in-memory filter, in every mode, on chunk layouts that cut through the kernels, on a real
dask.distributed LocalCluster (2 worker processes, 1 thread each); dask-image's mode='wrap'
is wrong where convx's is right. Skips cleanly without dask / distributed / dask-image.
"""
import logging
import os
import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest

import convx
import convx.filters as F

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")
import convx.dask  # noqa: E402
import convx.dask.filters as DF  # noqa: E402
from convx.dask import RechunkWarning  # noqa: E402
from convx.dask._common import merged_chunks, task_workers  # noqa: E402

# the layouts below are chosen to cut through kernels; merging them is tested on its own
pytestmark = pytest.mark.filterwarnings("ignore::convx.dask.RechunkWarning")

MODES = ["reflect", "mirror", "nearest", "wrap", "constant"]

# (filter, positional args, keyword args): every function of convx.filters, kernels with odd
# and even taps and origin shifts, so halos are asymmetric
CASES = [
    ("correlate", (np.arange(1.0, 21.0).reshape(5, 4),), dict(origin=(1, -2))),
    ("convolve", (np.arange(1.0, 16.0).reshape(3, 5),), dict(origin=(-1, 1))),
    ("correlate1d", ([1.0, -2.0, 3.0, 0.5],), dict(axis=0, origin=1)),
    ("convolve1d", ([1.0, 2.0, 3.0, 4.0, 5.0],), dict(axis=1, origin=-2)),
    ("sobel", (), dict(axis=0)),
    ("prewitt", (), dict(axis=1)),
    ("laplace", (), {}),
    ("gaussian_filter", (2.5,), {}),
    ("gaussian_filter1d", (3.0,), dict(axis=0, order=1)),
    ("uniform_filter", ((7, 4),), dict(origin=(2, -1))),
    ("uniform_filter1d", (6,), dict(axis=1, origin=-3)),
    ("gaussian_gradient_magnitude", (1.5,), {}),
]


def test_every_filter_is_covered():
    assert sorted(c[0] for c in CASES) == sorted(F.__all__)
    assert sorted(n for n in DF.__all__ if n != "RechunkWarning") == sorted(F.__all__)


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
        # the workers import this convx, not another one on the path
        here = os.path.dirname(convx.__file__)
        assert set(c.run(lambda: os.path.dirname(__import__("convx").__file__)).values()) \
            == {here}
        yield c
    finally:
        c.close()
        cluster.close()


def _image(seed, shape, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _close(got, want):
    assert got.dtype == want.dtype and got.shape == want.shape
    tol = 1e-5 if want.dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol * max(1.0, np.abs(want).max()))


def _check_cases(cases, scheduler=None, chunks=((11, 23, 14, 13), (13, 17, 17))):
    # chunks of 11-23 cut through every kernel (the largest reach is 10: Gaussian sigma 2.5)
    img = _image(1, (61, 47))
    x = da.from_array(img, chunks=chunks)
    lazy, want = [], []
    for mode, (name, args, kw) in cases:
        kw = dict(kw, mode=mode, cval=0.75)
        lazy.append(getattr(DF, name)(x, *args, **kw))
        want.append(getattr(F, name)(img, *args, **kw))
    got = dask.compute(*lazy, scheduler=scheduler)        # one round trip to the cluster
    for (mode, (name, _, _)), g, w in zip(cases, got, want):
        assert g.shape == w.shape, (name, mode)
        _close(g, w)


def test_every_filter_on_the_cluster(client):
    # every filter, the modes in turn (the full matrix is the slow test; every mode of every
    # filter runs with the synchronous scheduler below)
    # (coarser chunks: a task costs milliseconds there)
    _check_cases([(MODES[i % 5], c) for i, c in enumerate(CASES)], chunks=((30, 31), (20, 27)))


@pytest.mark.slow
def test_every_filter_every_mode_on_the_cluster(client):
    _check_cases([(m, c) for m in MODES for c in CASES])


@pytest.mark.parametrize("mode", MODES)
def test_every_filter_in_every_mode(mode):
    _check_cases([(mode, c) for c in CASES], scheduler="sync")


@pytest.mark.parametrize("mode", MODES)
def test_3d_batch_axis_and_axes(mode):
    # unfiltered leading axis chunked (no halo), odd sizes, float64, per-axis sequences
    img = _image(2, (5, 23, 31), np.float64)
    x = da.from_array(img, chunks=(2, 9, 10))
    for name, args, kw in [
        ("gaussian_filter", ((1.0, 2.0),), dict(axes=(1, 2), mode=mode, cval=-1.0)),
        ("uniform_filter", (5,), dict(axes=(2,), mode=mode, origin=2)),
        ("correlate", (np.ones((3, 4)) / 12,), dict(axes=(1, 2), mode=mode, origin=(0, 1))),
        ("laplace", (), dict(axes=(0, 2), mode=mode)),
        ("gaussian_gradient_magnitude", (1.0,), dict(axes=(1, 2), mode=mode)),
    ]:
        got = getattr(DF, name)(x, *args, **kw).compute(scheduler="sync")
        _close(got, getattr(F, name)(img, *args, **kw))


def test_per_axis_modes_mix_wrap_with_others():
    img = _image(3, (40, 33))
    x = da.from_array(img, chunks=(12, 10))
    for name, args, kw in [
        ("gaussian_filter", (2.0,), dict(mode=["wrap", "mirror"])),
        ("uniform_filter", (5,), dict(mode=["constant", "wrap"], cval=2.0)),
        ("sobel", (), dict(mode=["wrap", "nearest"])),
        ("laplace", (), dict(mode=["reflect", "wrap"])),
        ("gaussian_gradient_magnitude", (1.5,), dict(mode=["wrap", "reflect"])),
        ("gaussian_gradient_magnitude", (1.5,), dict(mode=["wrap", "wrap"], output=np.float64)),
    ]:
        got = getattr(DF, name)(x, *args, **kw).compute(scheduler="sync")
        _close(got, getattr(F, name)(img, *args, **kw))


def test_output_dtype_and_integer_input():
    img = (np.arange(30 * 20).reshape(30, 20) % 7).astype(np.int16)
    x = da.from_array(img, chunks=(8, 9))
    y = DF.uniform_filter(x, 3, output=np.int32)
    assert y.dtype == np.int32
    np.testing.assert_array_equal(y.compute(scheduler="sync"),
                                  F.uniform_filter(img, 3, output=np.int32))
    y = DF.gaussian_filter(x, 1.0)
    assert y.dtype == np.float64                          # convx's policy for integers
    _close(y.compute(scheduler="sync"), F.gaussian_filter(img, 1.0))


def test_numpy_input_and_one_chunk_axes():
    img = _image(4, (17, 50))
    y = DF.gaussian_filter(img, 3.0, mode="wrap")         # numpy in: one chunk
    assert isinstance(y, da.Array)
    _close(y.compute(scheduler="sync"), F.gaussian_filter(img, 3.0, mode="wrap"))
    x = da.from_array(img, chunks=(17, 13))               # axis 0 whole: no halo there
    _close(DF.gaussian_filter(x, 3.0, mode="wrap").compute(scheduler="sync"),
           F.gaussian_filter(img, 3.0, mode="wrap"))


def test_chunks_smaller_than_the_halo_are_merged_with_a_warning():
    img = _image(5, (50, 40))
    x = da.from_array(img, chunks=(5, 4))                 # the halo is 12 (sigma 3)
    with pytest.warns(RechunkWarning, match=r"axis 0 \(halo 12\).*axis 1 \(halo 12\)"):
        y = DF.gaussian_filter(x, 3.0, mode="wrap")
    assert all(c >= 12 for cs in y.chunks for c in cs)
    _close(y.compute(scheduler="sync"), F.gaussian_filter(img, 3.0, mode="wrap"))
    with pytest.raises(ValueError, match=r"too small for the halo.*axis 0 \(halo 12\)"):
        DF.gaussian_filter(x, 3.0, rechunk=False)


def test_halo_larger_than_half_the_axis_becomes_one_chunk():
    img = _image(6, (9, 30))
    x = da.from_array(img, chunks=(3, 10))
    with pytest.warns(RechunkWarning):
        y = DF.uniform_filter(x, (15, 3), mode="mirror")   # reach 7 > 9 / 2 on axis 0
    assert y.chunks[0] == (9,)
    _close(y.compute(scheduler="sync"), F.uniform_filter(img, (15, 3), mode="mirror"))


def test_layouts_that_fit_are_left_alone():
    x = da.from_array(_image(7, (64, 64)), chunks=16)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RechunkWarning)
        assert DF.gaussian_filter(x, 2.0).chunks == x.chunks
    assert merged_chunks((16, 16, 16, 16), 8) == (16, 16, 16, 16)
    assert merged_chunks((5, 5, 5, 5, 2), 6) == (10, 12)
    assert merged_chunks((4, 4, 4), 5, align=3) == (6, 6)
    assert merged_chunks((10, 0, 10), 1) == (10, 10)


def test_arguments_are_checked_when_the_graph_is_built():
    x = da.zeros((20, 20), chunks=10)
    with pytest.raises(ValueError, match="mode must be one of"):
        DF.gaussian_filter(x, 1.0, mode="bogus")
    with pytest.raises(ValueError, match="origin"):
        DF.uniform_filter(x, 3, origin=5)
    with pytest.raises(TypeError, match="output must be None or a dtype"):
        DF.sobel(x, output=np.empty((20, 20)))
    with pytest.raises(TypeError, match="workers"):
        DF.sobel(x, workers=1.5)
    with pytest.raises(TypeError):
        DF.sobel(x.astype(complex))


def test_weights_are_one_key_of_the_graph():
    w = np.random.default_rng(8).random((41, 41))         # 13 KB of weights, 64 tasks
    x = da.zeros((256, 256), chunks=32)
    y = DF.correlate(x, w, mode="wrap")
    graph_bytes = len(pickle.dumps(dict(y.__dask_graph__()), protocol=5))
    assert graph_bytes < 2 * w.nbytes + 200_000, graph_bytes


def test_threads_per_task(client):
    # one convx thread per task in a 1-thread distributed worker (the nanny sets
    # OMP_NUM_THREADS=1); an explicit workers= wins
    x = da.zeros((8,), chunks=4)
    seen = x.map_blocks(lambda b: np.full(b.shape, task_workers(None)), dtype=int).compute()
    assert set(seen.tolist()) == {1}
    seen = x.map_blocks(lambda b: np.full(b.shape, task_workers(3)), dtype=int).compute()
    assert set(seen.tolist()) == {3}


def test_threads_per_task_with_the_threaded_scheduler():
    x = da.zeros((8,), chunks=4)
    with dask.config.set(scheduler="threads", num_workers=2):
        seen = x.map_blocks(lambda b: np.full(b.shape, task_workers(None)), dtype=int).compute()
    assert set(seen.tolist()) == {max(1, convx.get_num_threads() // 2)}
    seen = x.map_blocks(lambda b: np.full(b.shape, task_workers(None)),
                        dtype=int).compute(scheduler="sync")
    assert set(seen.tolist()) == {convx.get_num_threads()}     # alone in the main thread


def test_dask_image_wrap_is_wrong_and_convx_is_right(client):
    ndi = pytest.importorskip("scipy.ndimage")
    dif = pytest.importorskip("dask_image.ndfilters")
    img = _image(9, (64, 64)).astype(np.float64)
    img[:, :6] += 10.0                                    # a bright left edge to wrap around
    x = da.from_array(img, chunks=32)
    truth = ndi.gaussian_filter(img, 3.0, mode="wrap")    # scipy on the whole array
    theirs = dif.gaussian_filter(x, 3.0, mode="wrap").compute()
    ours = DF.gaussian_filter(x, 3.0, mode="wrap").compute()
    np.testing.assert_allclose(ours, truth, rtol=1e-12, atol=1e-12)
    # dask-image wraps each chunk onto itself: the right edge sees the chunk's own left side
    # (the middle of the image), not the bright left edge of the array
    assert np.abs(theirs - truth).max() > 1.0
    assert np.abs(theirs[:, -3:] - truth[:, -3:]).max() > 1.0
    # ... and in the interior, away from array edges, both agree
    np.testing.assert_allclose(theirs[20:44, 20:44], truth[20:44, 20:44], rtol=1e-10)


def test_import_without_dask():
    code = ("import sys; sys.modules['dask'] = None; sys.modules['dask.array'] = None\n"
            "import convx, numpy as np\n"
            "print(convx.filters.gaussian_filter(np.ones(5), 1.0).sum())\n"
            "try:\n    import convx.dask\nexcept ImportError as e:\n    print('ImportError', e)\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=os.path.dirname(os.path.dirname(convx.__file__)), timeout=120)
    assert res.returncode == 0, res.stderr
    assert "ImportError convx.dask needs dask: pip install 'pyconvx[dask]'" in res.stdout


def test_docstrings_are_complete():
    validate = pytest.importorskip("numpydoc.validate", reason="numpydoc not installed").validate
    names = [f"convx.dask.filters.{n}" for n in F.__all__] + [
        f"convx.dask.{n}" for n in convx.dask.__all__ if n not in ("filters", "RechunkWarning")]
    for name in names:
        errors = [e for e in validate(name)["errors"]
                  if e[0] in ("GL08", "PR01", "PR02", "SA01", "EX01", "SS01", "RT01")]
        assert not errors, (name, errors)
