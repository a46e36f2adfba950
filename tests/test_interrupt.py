"""Ctrl-C (SIGINT) stops long convx calls (issue 9, item 2).

Every test runs a child `python` (sys.executable) that starts one long call, prints "started",
and waits in C; the parent sends SIGINT 0.1 s later. A call polls for interrupts between blocks
of work (csrc/interrupt.h), so the child must see KeyboardInterrupt out of that call well before
it could have finished, then run small calls of the same family against the oracle (convx is
still usable, the workspace came back). The latency is measured from the parent's send to the
child's `except` (time.monotonic is one system-wide clock); the goal is ~0.2 s, the assertion
allows 1 s for a loaded CI machine. The calls take several seconds when not interrupted
(workers=2; sized for 150-700 G multiply-adds, >= 1 s even on a 2-core Zen 5 at its peak) and
the signal comes 0.1 s after the call starts, so an interrupt that only took effect at the end
would be caught, and a faster machine cannot finish the call before the signal arrives. Measured on the
project's 2-core VM at a load average of 9-12 (3 runs, `pytest -s -m "slow or not slow" -k
"long_call or report"`): per-family medians 0.5-80 ms, overall median 16 ms, worst 196 ms.
"""
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from _helpers import subprocess_env

pytestmark = pytest.mark.skipif(sys.platform == "win32" or not hasattr(signal, "SIGINT"),
                                reason="POSIX signals (os.kill with SIGINT) needed")

MAX_LATENCY = 1.0   # seconds; ~0.02-0.05 s measured on an idle machine, ~0.2 s when loaded

# Per family: `setup` builds the big arrays and `long` is the call that is interrupted;
# `small` returns (convx result, oracle result, tolerance) for a small problem of the family.
CASES = {
    "conv2d_direct": dict(
        setup="x = B(1, 512, 160, 160); w = B(512, 512, 7, 7)",
        long="convx.conv2d(x, w, padding=3, workers=WORKERS)",
        small="xs = R(2, 8, 13, 11); ws = R(6, 8, 3, 3)\n"
              "res = (convx.conv2d(xs, ws, padding=1), convx.reference.conv2d(xs, ws, padding=1), 1e-4)"),
    "conv2d_im2col": dict(
        setup="x = B(1, 512, 160, 160); w = B(512, 512, 7, 7)",
        long="convx.conv2d(x, w, padding=3, algorithm='im2col', workers=WORKERS)",
        small="xs = R(2, 8, 13, 11); ws = R(6, 8, 3, 3)\n"
              "res = (convx.conv2d(xs, ws, padding=1, algorithm='im2col'), "
              "convx.reference.conv2d(xs, ws, padding=1), 1e-4)"),
    "conv3d": dict(
        setup="x = B(1, 256, 16, 64, 64); w = B(256, 256, 5, 5, 5)",
        long="convx.conv3d(x, w, padding=2, workers=WORKERS)",
        small="xs = R(1, 4, 5, 6, 7); ws = R(3, 4, 3, 3, 3)\n"
              "res = (convx.conv3d(xs, ws, padding=1), convx.reference.conv3d(xs, ws, padding=1), 1e-4)"),
    "conv_transpose2d": dict(
        setup="x = B(1, 512, 128, 128); w = B(512, 512, 8, 8)",
        long="convx.conv_transpose2d(x, w, stride=2, padding=3, workers=WORKERS)",
        small="xs = R(2, 6, 7, 9); ws = R(6, 4, 4, 4)\n"
              "res = (convx.conv_transpose2d(xs, ws, stride=2, padding=1), "
              "convx.reference.conv_transpose2d(xs, ws, stride=2, padding=1), 1e-4)"),
    "deform_conv2d": dict(
        setup="x = B(1, 512, 160, 160); o = B(1, 50, 160, 160); w = B(512, 512, 5, 5)",
        long="convx.deform_conv2d(x, o, w, padding=2, workers=WORKERS)",
        small="xs = R(1, 4, 9, 8); os_ = R(1, 18, 9, 8); ws = R(5, 4, 3, 3)\n"
              "res = (convx.deform_conv2d(xs, os_, ws, padding=1), "
              "convx.reference.deform_conv2d(xs, os_, ws, padding=1), 1e-4)"),
    "depthwise_separable_conv2d": dict(
        # no padding: zero padding of the separable forms is an np.pad copy of the whole input
        # in Python (~0.5 s here for 256 MB, not interruptible until it returns)
        setup="x = B(1, 4096, 128, 128); d = B(4096, 1, 3, 3); p = B(1024, 4096, 1, 1)",
        long="convx.depthwise_separable_conv2d(x, d, p, workers=WORKERS)",
        small="xs = R(2, 4, 9, 8); ds = R(4, 1, 3, 3); ps = R(5, 4, 1, 1)\n"
              "res = (convx.depthwise_separable_conv2d(xs, ds, ps, padding=1), "
              "convx.reference.depthwise_separable_conv2d(xs, ds, ps, padding=1), 1e-4)"),
    "conv2d_channels_last": dict(   # the channels-last indirect GEMM driver (csrc/conv_cl.c)
        setup="x = B(1, 160, 160, 512); w = B(512, 512, 7, 7)",
        long="convx.conv2d(x, w, padding=3, data_format='channels_last', workers=WORKERS)",
        small="xs = R(2, 13, 11, 8); ws = R(6, 8, 3, 3)\n"
              "res = (convx.conv2d(xs, ws, padding=1, data_format='channels_last'), "
              "np.moveaxis(convx.reference.conv2d(np.moveaxis(xs, -1, 1), ws, padding=1), 1, -1), "
              "1e-4)"),
    "conv_transpose2d_channels_last": dict(   # the channels-last stride-phase GEMM driver
        setup="x = B(1, 128, 128, 512); w = B(512, 512, 8, 8)",
        long="convx.conv_transpose2d(x, w, stride=2, padding=3, data_format='channels_last', "
             "workers=WORKERS)",
        small="xs = R(2, 7, 9, 6); ws = R(6, 4, 4, 4)\n"
              "res = (convx.conv_transpose2d(xs, ws, stride=2, padding=1, "
              "data_format='channels_last'), np.moveaxis(convx.reference.conv_transpose2d("
              "np.moveaxis(xs, -1, 1), ws, stride=2, padding=1), 1, -1), 1e-4)"),
    "correlate_2d": dict(   # 961 taps: the direct C path (below the FFT threshold)
        setup="x = B(8192, 8192); k = B(31, 31)",
        long="convx.filters.correlate(x, k, workers=WORKERS)",
        small="xs = R(23, 19); ks = R(5, 4)\n"
              "res = (convx.filters.correlate(xs, ks), "
              "convx.reference.correlate(xs.astype(float), ks.astype(float)), 1e-4)"),
    "correlate1d_signal": dict(   # one long row: computed in column chunks that poll
        setup="x = B(32_000_000); k = B(1001)",
        long="convx.filters.correlate1d(x, k, workers=WORKERS)",
        small="xs = R(50); ks = R(7)\n"
              "res = (convx.filters.correlate1d(xs, ks), "
              "convx.reference.correlate1d(xs.astype(float), ks.astype(float)), 1e-4)"),
}

CHILD = """
import json, signal, sys, time
import numpy as np
import convx, convx.filters, convx.reference
WORKERS = {workers}
rng = np.random.default_rng(0)
def R(*shape):
    return rng.standard_normal(shape, dtype=np.float32)
def B(*shape):   # the long call's operands: values do not matter, filling must be cheap
    return np.full(shape, 0.25, dtype=np.float32)
{setup}
{handler}
print("started", flush=True)
t0 = time.monotonic()
out = dict(interrupted=False)
try:
    for _ in range({repeat}):
        {long}
        out["calls_done"] = out.get("calls_done", 0) + 1
except KeyboardInterrupt:
    out["interrupted"] = True
out["t_end"] = time.monotonic()
out["elapsed"] = out["t_end"] - t0
{after}
errs = []
for _ in range(2):   # usable afterwards, twice
    {small}
    a, b, tol = res
    errs.append(float(np.max(np.abs(np.asarray(a, dtype=float) - np.asarray(b, dtype=float)))
                      / max(1.0, float(np.max(np.abs(b))))))
    assert errs[-1] < tol, errs
out["errs"] = errs
print("result " + json.dumps(out), flush=True)
"""


def run_child(code, n_signals=1, gap=0.1, timeout=300):
    """Start `code`, send SIGINT `n_signals` times, `gap` s after each "started" line; return
    (the child's result dict, send times)."""
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=subprocess_env())
    sent = []
    try:
        for _ in range(n_signals):
            line = proc.stdout.readline()
            assert line.strip() == "started", (line, proc.stderr.read() if proc.poll() is not None
                                               else "")
            time.sleep(gap)
            sent.append(time.monotonic())
            proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, stderr
    lines = [ln for ln in stdout.splitlines() if ln.startswith("result ")]
    assert len(lines) == 1, (stdout, stderr)
    return json.loads(lines[0][len("result "):]), sent


def _case_code(name, workers, handler="", after="", repeat=1):
    c = CASES[name]
    return textwrap.dedent(CHILD).format(workers=workers, setup=c["setup"], long=c["long"],
                                         small=c["small"].replace("\n", "\n    "),
                                         handler=handler, after=after, repeat=repeat)


LATENCIES = {}


def _check_interrupted(name, workers):
    out, sent = run_child(_case_code(name, workers))
    assert out["interrupted"], f"{name}: the call finished ({out}) instead of stopping on SIGINT"
    latency = out["t_end"] - sent[0]
    LATENCIES[(name, workers)] = latency
    assert 0 <= latency < MAX_LATENCY, f"{name} workers={workers}: {latency:.3f} s after SIGINT"
    return out


@pytest.mark.parametrize("name", sorted(CASES))
def test_sigint_stops_long_call(name):
    _check_interrupted(name, 2)


@pytest.mark.parametrize("name", ["conv2d_direct", "correlate1d_signal", "conv_transpose2d"])
def test_sigint_stops_long_call_one_worker(name):
    """workers=1: the calling thread is the only thread, and it polls between its blocks."""
    _check_interrupted(name, 1)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(set(CASES) - {"conv2d_direct", "correlate1d_signal",
                                                       "conv_transpose2d"}))
def test_sigint_stops_long_call_one_worker_all(name):
    _check_interrupted(name, 1)


def test_sigint_twice_in_a_row():
    """An interrupted call leaves convx usable: the same long call, started again, can be
    interrupted again, then small calls are right."""
    c = CASES["conv2d_direct"]
    code = textwrap.dedent("""
        import json, time
        import numpy as np
        import convx, convx.reference
        WORKERS = 2
        rng = np.random.default_rng(0)
        def R(*shape):
            return rng.standard_normal(shape, dtype=np.float32)
        def B(*shape):
            return np.full(shape, 0.25, dtype=np.float32)
        {setup}
        out = dict(n=0)
        for _ in range(2):
            print("started", flush=True)
            try:
                {long}
            except KeyboardInterrupt:
                out["n"] += 1
        {small}
        a, b, tol = res
        out["err"] = float(np.max(np.abs(a - b)))
        print("result " + json.dumps(out), flush=True)
    """).format(setup=c["setup"], long=c["long"], small=c["small"])
    out, _ = run_child(code, n_signals=2)
    assert out["n"] == 2
    assert out["err"] < 1e-3


def test_sigint_handler_that_returns_lets_the_call_finish():
    """A SIGINT handler that does not raise runs during the call (the poll calls it, long
    before the call returns) and the call then finishes with the same result as an
    uninterrupted one, bit for bit."""
    code = textwrap.dedent("""
        import json, signal, time
        import numpy as np
        import convx
        rng = np.random.default_rng(0)
        x = rng.standard_normal((1, 512, 160, 160), dtype=np.float32)
        w = rng.standard_normal((512, 512, 5, 5), dtype=np.float32)
        ref = convx.conv2d(x, w, padding=2, workers=2)
        hits = []
        signal.signal(signal.SIGINT, lambda s, f: hits.append(time.monotonic()))
        print("started", flush=True)
        t0 = time.monotonic()
        y = convx.conv2d(x, w, padding=2, workers=2)
        t1 = time.monotonic()
        out = dict(t0=t0, t1=t1, hits=hits, same=bool(np.array_equal(y, ref)))
        print("result " + json.dumps(out), flush=True)
    """)
    out, sent = run_child(code)
    assert out["same"], "a handler that returns must not change the result"
    assert len(out["hits"]) == 1, out
    hit = out["hits"][0]
    assert out["t1"] > sent[0], "the call ended before SIGINT was sent: make it longer"
    assert hit - sent[0] < MAX_LATENCY
    # run by the poll inside the call: Python alone would run it only once the call returned
    assert hit < out["t1"] - 0.05 or out["t1"] - sent[0] < 0.1, (hit - sent[0], out["t1"] - sent[0])


def test_report_latencies():
    """Not a check: prints the measured latencies (pytest -s) when the tests above ran."""
    for (name, workers), lat in sorted(LATENCIES.items()):
        print(f"{name:28s} workers={workers}: {1e3 * lat:6.1f} ms")


# Long filter rows are computed in column chunks (so that they can be interrupted): the chunks
# must not change a single bit. Each output's taps are summed in the same order wherever a row is
# cut, so the interior of a long row (chunked) equals the same outputs of a short crop of it
# (one chunk), bit for bit.

@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_filter_long_row_chunks_are_exact(dtype):
    import numpy as np
    import convx.filters as F
    rng = np.random.default_rng(7)
    x = rng.standard_normal(300_001).astype(dtype)
    k = rng.standard_normal(101).astype(dtype)
    full = F.correlate1d(x, k, workers=2)          # 300k outputs x 101 taps: chunked
    a, m = 123_457, 3000   # one chunk, straddling a boundary of the full row's 2560-wide chunks
    part = F.correlate1d(x[a:a + m], k, workers=1)
    h = len(k) // 2
    np.testing.assert_array_equal(part[h:m - h], full[a + h:a + m - h])
    import convx.reference as ref
    expect = ref.correlate1d(x.astype(np.float64), k.astype(np.float64))
    tol = 1e-4 if dtype == "float32" else 1e-12
    assert np.max(np.abs(full - expect)) < tol * np.max(np.abs(expect))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_filter2d_long_rows_chunks_are_exact(dtype):
    import numpy as np
    import convx.filters as F
    rng = np.random.default_rng(8)
    x = rng.standard_normal((9, 120_000)).astype(dtype)
    k = rng.standard_normal((3, 5)).astype(dtype)   # dense: the 4-row kernel, chunked columns
    full = F.correlate(x, k, mode="nearest", workers=2)
    a, m = 69_000, 2000   # straddles a chunk boundary (17472-column chunks, 15 taps)
    part = F.correlate(x[:, a:a + m], k, mode="nearest", workers=1)
    np.testing.assert_array_equal(part[:, 2:m - 2], full[:, a + 2:a + m - 2])
    import convx.reference as ref
    expect = ref.correlate(x.astype(np.float64), k.astype(np.float64), mode="nearest")
    tol = 1e-4 if dtype == "float32" else 1e-12
    assert np.max(np.abs(full - expect)) < tol * np.max(np.abs(expect))


def test_separable_filter_long_rows_chunks_are_exact():
    import numpy as np
    import convx.filters as F
    rng = np.random.default_rng(9)
    x = rng.standard_normal((6, 200_000)).astype(np.float32)
    full = F.gaussian_filter(x, (1.0, 6.0), mode="nearest", workers=2)   # 25-tap rows
    a, m = 84_000, 3000   # straddles a chunk boundary (21376-column chunks, 49 taps)
    part = F.gaussian_filter(x[:, a:a + m], (1.0, 6.0), mode="nearest", workers=1)
    np.testing.assert_array_equal(part[:, 40:m - 40], full[:, a + 40:a + m - 40])
