"""Shared pytest fixtures for the convx tests.

Randomness is not a fixture: every test seeds its own np.random.default_rng(<seed>)
with a hard-coded seed, so a failure reproduces from the test alone.
Importable helpers (assert_conv_close, data loaders, hypothesis strategies) live in
tests/_helpers.py.
"""

import os
import sys

import numpy as np
import pytest

# Make `import _helpers` work under any pytest import mode.
_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from _helpers import assert_conv_close, available_isas  # noqa: E402,F401

try:
    ISAS = available_isas()
except ImportError:  # convx not built: tests that need it fail on their own import
    ISAS = []


@pytest.fixture(autouse=True, scope="session")
def _teams_for_small_problems():
    """Convolutions below ~0.8 M multiply-adds run on the calling thread whatever `workers`
    says (csrc/common.h); the suite's shapes are mostly smaller, so it lowers that bound to 0:
    every workers=2 run then really uses a team, and the workers=1 vs 2 bit-identity checks
    cover the threaded drivers on small shapes too."""
    try:
        from convx import _conv
    except ImportError:
        yield
        return
    old = _conv._set_team_min_work(0.0)
    yield
    _conv._set_team_min_work(old)


def pytest_configure(config):
    # pyproject.toml declares the marker too; this copy serves a tests/ directory run outside the
    # checkout against an installed convx (CI's sdist and wheel stages pass -m "not slow").
    config.addinivalue_line("markers", "slow: long sweeps, not part of the default run")


@pytest.fixture(params=[np.float32, np.float64], ids=["f32", "f64"])
def dtype(request):
    """The two natively computed dtypes."""
    return request.param


@pytest.fixture(params=ISAS or [None], ids=lambda isa: str(isa))
def isa(request):
    """Every ISA that is both compiled into convx and supported by this CPU."""
    if request.param is None:
        pytest.skip("convx._cpu not importable")
    return request.param
