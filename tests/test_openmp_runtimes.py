"""convx and torch in one process: two OpenMP runtimes, either import order (issue 10).

A repaired manylinux wheel of convx carries its own libgomp (renamed by auditwheel, e.g.
``pyconvx.libs/libgomp-<hash>.so.1.0.0``); torch's wheel carries another and loads it RTLD_GLOBAL.
The extensions are linked with ``-z now``, so each one binds all of its OpenMP symbols to one
runtime when it is loaded: torch's when torch was imported first, convx's own otherwise. These
tests run both orders in fresh interpreters and check that threaded calls stay correct
(bit-identical to ``workers=1``, close to the oracle and to torch) and that torch keeps working.
With a source build, both use the system ``libgomp.so.1`` (one runtime), which must pass too.
"""

import subprocess
import sys
import textwrap

import pytest

from _helpers import subprocess_env

pytest.importorskip("torch")

_SETUP = """
import numpy as np

rng = np.random.default_rng(20261202)
x = rng.standard_normal((2, 24, 37, 41)).astype(np.float32)
w = rng.standard_normal((40, 24, 3, 3)).astype(np.float32)
wd = rng.standard_normal((24, 1, 5, 5)).astype(np.float32)
wt = rng.standard_normal((24, 16, 4, 4)).astype(np.float32)
img = rng.standard_normal((300, 257)).astype(np.float32)


def run_convx(convx, workers):
    return [
        convx.conv2d(x, w, padding=1, workers=workers),
        convx.conv2d(x, w, stride=2, workers=workers),
        convx.conv2d(x, wd, padding=2, groups=24, workers=workers),
        convx.conv_transpose2d(x, wt, stride=2, workers=workers),
        convx.filters.gaussian_filter(img, 2.0, workers=workers),
    ]


def check(convx, torch):
    import torch.nn.functional as F
    one = run_convx(convx, 1)
    for workers in (2, 3):
        many = run_convx(convx, workers)
        for a, b in zip(one, many):
            assert a.dtype == b.dtype and np.array_equal(a, b), workers
    ref = convx.reference.conv2d(x, w, padding=1)
    assert np.allclose(one[0], ref, rtol=1e-4, atol=1e-3)
    torch.set_num_threads(2)
    t = F.conv2d(torch.from_numpy(x), torch.from_numpy(w), padding=1).numpy()
    assert np.allclose(one[0], t, rtol=1e-4, atol=1e-3)
    t = F.conv_transpose2d(torch.from_numpy(x), torch.from_numpy(wt), stride=2).numpy()
    assert np.allclose(one[3], t, rtol=1e-4, atol=1e-3)
    return one
"""

_ORDERS = {
    "torch_first": """
import torch
import convx
check(convx, torch)
""",
    "convx_first_then_torch": """
import convx
# some paths run teams in convx's own runtime before torch is loaded, the others first run after
before = [convx.conv2d(x, w, padding=1, workers=2),
          convx.filters.gaussian_filter(img, 2.0, workers=2)]
import torch
after = check(convx, torch)
assert np.array_equal(before[0], after[0]) and np.array_equal(before[1], after[4])
""",
    "convx_imported_torch_before_first_call": """
import convx
import torch                       # loaded between convx's import and its first parallel call
check(convx, torch)
""",
    "interleaved_threads": """
import threading
import torch
import convx
ref = run_convx(convx, 1)
errors = []


def convx_loop():
    try:
        for _ in range(3):
            for a, b in zip(ref, run_convx(convx, 2)):
                assert np.array_equal(a, b)
    except BaseException as e:      # reported by the main thread
        errors.append(e)


t = threading.Thread(target=convx_loop)
t.start()
xt = torch.from_numpy(x)
wt_ = torch.from_numpy(w)
for _ in range(5):
    torch.nn.functional.conv2d(xt, wt_, padding=1)
t.join()
assert not errors, errors
""",
}


@pytest.mark.parametrize("order", sorted(_ORDERS))
def test_torch_and_convx_in_one_process(order):
    code = textwrap.dedent(_SETUP) + textwrap.dedent(_ORDERS[order]) + "\nprint('ok')\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, env=subprocess_env(OMP_NUM_THREADS="2"))
    assert proc.returncode == 0 and proc.stdout.strip().endswith("ok"), (
        f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
