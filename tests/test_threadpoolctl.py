"""threadpoolctl limits convx (issue 15): inside ``threadpool_limits(n)`` convx uses at most n
threads and ``get_num_threads`` says so; outside, nothing changes.

convx passes an explicit thread count to its OpenMP regions, so it must read the limit that
threadpoolctl puts on its OpenMP runtime (convx/_threads.py). The subprocess test counts the
threads the OpenMP runtime really starts (Linux: /proc/self/task), so it fails if a call runs
more threads than the limit, not only if get_num_threads() lies.
"""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import convx
from convx._threads import resolve_workers

threadpoolctl = pytest.importorskip("threadpoolctl")

pytestmark = pytest.mark.skipif(not convx.get_config()["openmp"],
                                reason="serial build: convx runs one thread anyway")


def _convx_openmp_limited():
    # threadpoolctl must see the OpenMP runtime convx is linked with for the limit to exist
    return any(lib["user_api"] == "openmp" for lib in threadpoolctl.threadpool_info())


def test_get_num_threads_follows_threadpool_limits():
    if not _convx_openmp_limited():
        pytest.skip("threadpoolctl does not see an OpenMP runtime in this process")
    before = convx.get_num_threads()
    with threadpoolctl.threadpool_limits(1):
        assert convx.get_num_threads() == 1
        assert resolve_workers(None) == 1
        assert resolve_workers(-1) == 1
        # an explicit count is the caller's choice, not capped
        assert resolve_workers(3) == 3
    assert convx.get_num_threads() == before
    with threadpoolctl.threadpool_limits(1, user_api="blas"):   # BLAS only: convx unaffected
        assert convx.get_num_threads() == before


def test_limit_above_default_changes_nothing():
    old = convx.get_num_threads()
    try:
        convx.set_num_threads(1)
        with threadpoolctl.threadpool_limits(4):
            assert convx.get_num_threads() == 1        # never raised by a limit
        convx.set_num_threads(3)                       # more than 2 cores: still honoured
        assert convx.get_num_threads() == 3
        with threadpoolctl.threadpool_limits(1):
            assert convx.get_num_threads() == (1 if _convx_openmp_limited() else 3)
    finally:
        convx.set_num_threads(old)


def test_set_num_threads_inside_a_limit_keeps_the_uncapped_meaning():
    old = convx.get_num_threads()
    try:
        with threadpoolctl.threadpool_limits(1):
            convx.set_num_threads(-1)
        assert convx.get_num_threads() == convx.get_config()["cores"]
    finally:
        convx.set_num_threads(old)


def test_results_inside_a_limit_are_unchanged():
    rng = np.random.default_rng(1501)
    x = rng.standard_normal((1, 8, 40, 40)).astype(np.float32)
    w = rng.standard_normal((16, 8, 3, 3)).astype(np.float32)
    full = convx.conv2d(x, w, padding=1)
    with threadpoolctl.threadpool_limits(1):
        limited = convx.conv2d(x, w, padding=1)
        blurred = convx.filters.gaussian_filter(x[0, 0], 2.0)
    assert np.array_equal(limited, full)
    assert np.array_equal(blurred, convx.filters.gaussian_filter(x[0, 0], 2.0))


_COUNT_THREADS = textwrap.dedent("""
    import os, sys
    import numpy as np
    import convx
    from threadpoolctl import threadpool_limits

    def threads():
        return len(os.listdir("/proc/self/task"))

    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 16, 96, 96)).astype(np.float32)
    w = rng.standard_normal((32, 16, 3, 3)).astype(np.float32)
    img = rng.standard_normal((512, 512)).astype(np.float32)
    start = threads()
    with threadpool_limits(1):
        n_inside = convx.get_num_threads()
        for _ in range(3):
            convx.conv2d(x, w, padding=1)
            convx.filters.gaussian_filter(img, 3.0)
            convx.conv2d(x, w, padding=1, workers=-1)
        inside = threads()
    convx.conv2d(x, w, padding=1)          # the control: unlimited, the team is started
    after = threads()
    print(start, inside, after, n_inside, convx.get_num_threads())
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="counts /proc/self/task")
def test_threadpool_limits_starts_no_extra_threads():
    # In a fresh process libgomp starts its worker threads on the first parallel region that
    # asks for them, so a call running more than one thread adds tasks to /proc/self/task.
    if convx.get_config()["cores"] < 2:
        pytest.skip("one core: the control cannot start a second thread")
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    res = subprocess.run([sys.executable, "-c", _COUNT_THREADS], capture_output=True,
                         text=True, env=env, timeout=120)
    assert res.returncode == 0, res.stderr
    start, inside, after, n_inside, n_after = map(int, res.stdout.split())
    assert n_inside == 1 and n_after >= 2
    assert inside == start, f"convx started {inside - start} threads inside threadpool_limits(1)"
    assert after > inside, "the control started no thread: the test cannot see a team"
