"""The build convx was made with: OpenMP on or off as expected, version from one place (issue 10).

CI builds a serial variant (a C compiler that rejects -fopenmp, and CONVX_NO_OPENMP=1) and sets
CONVX_EXPECT_OPENMP=0 for its test run, =1 for the others, so a detection that silently went the
wrong way fails here instead of passing every other test.
"""

import importlib.metadata
import os

import numpy as np
import pytest

import convx
from convx import _cpu


def test_openmp_as_the_build_expects():
    cfg = convx.get_config()
    assert cfg["openmp"] is bool(_cpu.openmp_enabled())
    expect = os.environ.get("CONVX_EXPECT_OPENMP")
    if expect is None:
        pytest.skip("CONVX_EXPECT_OPENMP not set (CI sets it per build variant)")
    assert cfg["openmp"] == (expect == "1"), f"OpenMP {cfg['openmp']}, expected {expect}"


def test_show_config_says_whether_serial(capsys):
    convx.show_config()
    line = next(ln for ln in capsys.readouterr().out.splitlines() if "OpenMP" in ln)
    if _cpu.openmp_enabled():
        assert line.split(":", 1)[1].strip() == "on"
    else:
        assert "off (serial build" in line


def test_threads_requested_compute_the_same_in_any_build():
    rng = np.random.default_rng(10)
    x = rng.standard_normal((1, 8, 30, 31)).astype(np.float32)
    w = rng.standard_normal((16, 8, 3, 3)).astype(np.float32)
    one = convx.conv2d(x, w, padding=1, workers=1)
    assert np.array_equal(one, convx.conv2d(x, w, padding=1, workers=4))
    assert np.array_equal(one, convx.conv2d(x, w, padding=1, workers=-1))
    if not _cpu.openmp_enabled():
        assert _cpu.max_threads() == 1


def test_version_lives_in_one_place():
    from convx._version import __version__

    assert convx.__version__ == __version__ == convx.get_config()["convx"]
    try:
        dist = importlib.metadata.distribution("pyconvx")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("pyconvx is not installed (in-place build): no distribution metadata")
    installed = os.path.realpath(str(dist.locate_file("convx/__init__.py")))
    if installed != os.path.realpath(convx.__file__):
        pytest.skip("the installed pyconvx is not the convx imported here (in-place build)")
    assert dist.version == __version__
