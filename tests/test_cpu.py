"""convx._cpu: ISA detection, CONVX_ISA override (in subprocesses), introspection."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import convx
import convx._cpu as cpu
from _helpers import KNOWN_ISAS, available_isas, subprocess_env

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))


def _run_python(code, **env):
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=300, cwd=TESTS_DIR, env=subprocess_env(**env))


def test_cpu_introspection():
    compiled, supported, active = cpu.compiled_isas(), cpu.supported_isas(), cpu.active_isa()
    assert isinstance(compiled, list) and isinstance(supported, list) and isinstance(active, str)
    assert set(compiled) <= set(KNOWN_ISAS) and set(supported) <= set(KNOWN_ISAS)
    assert "scalar" in compiled and "scalar" in supported
    assert active in compiled and active in supported
    assert active in available_isas()
    # without CONVX_ISA the best ISA available is chosen
    if "CONVX_ISA" not in os.environ:
        assert active == [isa for isa in KNOWN_ISAS if isa in available_isas()][-1]
    feats = cpu.cpu_features()
    assert isinstance(feats, dict) and feats
    assert all(isinstance(k, str) for k in feats)
    # the feature flags agree with what is called supported
    if "avx2" in supported:
        assert feats.get("avx2") and feats.get("fma")
    if "avx512" in supported:
        assert all(feats.get(f) for f in ("avx512f", "avx512cd", "avx512bw", "avx512dq",
                                          "avx512vl"))


@pytest.mark.parametrize("dtype_name", ["float32", "float64"])
def test_cpu_measure_peak_gflops(dtype_name):
    peak = cpu.measure_peak_gflops(workers=1, dtype=dtype_name)
    assert isinstance(peak, float) and np.isfinite(peak) and peak > 0


def test_cpu_show_config_mentions_active_isa(capsys):
    assert convx.show_config() is None
    printed = capsys.readouterr().out
    assert printed.strip()
    assert cpu.active_isa() in printed
    assert isinstance(convx.__version__, str) and convx.__version__
    cfg = convx.get_config()
    assert isinstance(cfg, dict)
    assert cpu.active_isa() in str(cfg)


_CHECK_ISA = """
    import numpy as np, convx, convx._cpu
    from _helpers import ALGORITHMS, assert_conv_close, make_data, reduction_length
    assert convx._cpu.active_isa() == {isa!r}, convx._cpu.active_isa()
    ref = convx.reference
    cases = [
        (convx.conv2d, ref.conv2d, (2, 19, 13, 17), (33, 19, 3, 3), dict(padding=1)),
        (convx.conv2d, ref.conv2d, (1, 24, 11, 9), (24, 1, 3, 3), dict(groups=24, stride=2)),
        (convx.conv2d, ref.conv2d, (1, 17, 9, 10), (20, 17, 1, 1), {{}}),
        (convx.conv1d, ref.conv1d, (2, 7, 45), (18, 7, 5), dict(dilation=2, padding="same")),
        (convx.conv1d, ref.conv1d, (1, 6, 33), (10, 3, 4), dict(groups=2, stride=3)),
    ]
    for dtype in (np.float32, np.float64):
        for i, (op, oracle, xs, ws, kw) in enumerate(cases):
            x, w, b = make_data(i, xs, ws, dtype)
            expected = oracle(x, w, b, **kw)
            for algorithm in ALGORITHMS:
                got = op(x, w, b, algorithm=algorithm, **kw)
                assert_conv_close(got, expected, dtype, reduction_length(ws),
                                  err_msg=f"{{op.__name__}} case {{i}} {{algorithm}}")
    print("OK")
"""


def test_conv_forced_isa_subprocess(isa):
    proc = _run_python(_CHECK_ISA.format(isa=isa), CONVX_ISA=isa)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().endswith("OK")


_BAD_ISAS = ["bogus", "sse4"] + [isa for isa in KNOWN_ISAS if isa not in available_isas()]


@pytest.mark.parametrize("forced", _BAD_ISAS)
def test_cpu_unavailable_isa_import_error(forced):
    proc = _run_python("import convx", CONVX_ISA=forced)
    assert proc.returncode != 0
    assert "ImportError" in proc.stderr
    assert "CONVX_ISA" in proc.stderr
    assert "Segmentation" not in proc.stderr and proc.returncode > 0
