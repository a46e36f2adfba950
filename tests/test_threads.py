"""Threading: any `workers` value gives bit-identical results (reductions are never split
across threads), the global thread count round-trips, and concurrent calls are safe."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import convx
from _helpers import ALGORITHMS, assert_conv_close, conv_op, make_data, reduction_length, reference_op

# (id, ndim, x shape, w shape, kwargs): batch 1 (threads must split space/channels, not
# batch) and problems big enough to span several blocks/tiles in every dimension.
SHAPES = [
    ("conv1d_b1", 1, (1, 32, 1000), (48, 32, 5), dict(padding=2)),
    ("conv1d_depthwise", 1, (2, 64, 513), (64, 1, 7), dict(groups=64, padding=3)),
    ("conv2d_b1", 2, (1, 64, 56, 56), (64, 64, 3, 3), dict(padding=1)),
    ("conv2d_b3_strided", 2, (3, 24, 37, 41), (40, 24, 3, 3), dict(stride=2, padding=1)),
    ("conv2d_groups", 2, (1, 32, 30, 30), (64, 8, 3, 3), dict(groups=4, dilation=2)),
    ("conv2d_depthwise", 2, (1, 96, 28, 28), (96, 1, 3, 3), dict(groups=96, padding=1)),
    ("conv2d_1x1", 2, (1, 256, 14, 14), (512, 256, 1, 1), {}),
    ("conv3d_b1", 3, (1, 16, 12, 20, 20), (32, 16, 3, 3, 3), dict(padding=1)),
]
_shape_params = pytest.mark.parametrize(
    "ndim, x_shape, w_shape, kwargs", [pytest.param(*s[1:], id=s[0]) for s in SHAPES])


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@_shape_params
def test_conv_workers_bit_identical(ndim, x_shape, w_shape, kwargs, algorithm, dtype):
    x, w, b = make_data(101, x_shape, w_shape, dtype)
    op = conv_op(ndim)
    one = op(x, w, b, algorithm=algorithm, workers=1, **kwargs)
    for workers in (2, -1, None, 3):
        got = op(x, w, b, algorithm=algorithm, workers=workers, **kwargs)
        assert np.array_equal(got, one), f"workers={workers} differs from workers=1"
    # and the single-threaded result is itself right
    assert_conv_close(one, reference_op(ndim)(x, w, b, **kwargs), dtype, reduction_length(w_shape))


def test_conv2d_set_get_num_threads_round_trip():
    old = convx.get_num_threads()
    assert isinstance(old, int) and old >= 1
    try:
        for n in (1, 2, 3):
            convx.set_num_threads(n)
            assert convx.get_num_threads() == n
        # workers=None follows the global setting; still bit-identical
        x, w, b = make_data(102, (1, 16, 40, 40), (32, 16, 3, 3), np.float32)
        convx.set_num_threads(1)
        serial = convx.conv2d(x, w, b, padding=1)
        convx.set_num_threads(2)
        assert np.array_equal(convx.conv2d(x, w, b, padding=1), serial)
    finally:
        convx.set_num_threads(old)
    assert convx.get_num_threads() == old


@pytest.mark.parametrize("bad, exc", [(0, ValueError), (-3, ValueError), (1.5, TypeError),
                                      ("2", TypeError)])
def test_conv_set_num_threads_rejects(bad, exc):
    old = convx.get_num_threads()
    try:
        with pytest.raises(exc):
            convx.set_num_threads(bad)
    finally:
        convx.set_num_threads(old)
    assert convx.get_num_threads() == old


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_conv2d_concurrent_calls(algorithm):
    """Calls from 4 Python threads at once (GIL released in C) each match the serial result."""
    problems = []
    for i in range(8):
        dtype = (np.float32, np.float64)[i % 2]
        x, w, b = make_data(200 + i, (1 + i % 2, 16 + 4 * i, 24 + i, 20), (24, 16 + 4 * i, 3, 3),
                            dtype)
        kwargs = dict(padding=1, stride=1 + i % 3)
        problems.append((x, w, b, kwargs))
    serial = [convx.conv2d(x, w, b, algorithm=algorithm, workers=1, **kw)
              for x, w, b, kw in problems]

    def run(i):
        x, w, b, kw = problems[i % len(problems)]
        return i, convx.conv2d(x, w, b, algorithm=algorithm, workers=(1, 2, None)[i % 3], **kw)

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(run, range(24)))
    for i, got in results:
        assert np.array_equal(got, serial[i % len(problems)]), f"call {i}"


def test_conv1d_conv3d_concurrent_calls():
    x1, w1, b1 = make_data(300, (2, 8, 300), (16, 8, 5), np.float32)
    x3, w3, b3 = make_data(301, (1, 4, 10, 12, 12), (8, 4, 3, 3, 3), np.float64)
    ref1 = convx.conv1d(x1, w1, b1, padding="same", workers=1)
    ref3 = convx.conv3d(x3, w3, b3, padding=1, workers=1)

    def run(i):
        if i % 2:
            return np.array_equal(convx.conv1d(x1, w1, b1, padding="same"), ref1)
        return np.array_equal(convx.conv3d(x3, w3, b3, padding=1), ref3)

    with ThreadPoolExecutor(4) as pool:
        assert all(pool.map(run, range(16)))
