"""Smoke tests for the benchmark machinery: convx/_bench/, convx/__main__.py, benchmarks/.

Fast by design: tiny cases and budgets, plus one `python -m convx bench --quick`
end to end in a subprocess.
"""

import importlib.util
import io
import json
import math
import os
import subprocess
import sys
import time

import numpy as np
import pytest

from _helpers import assert_conv_close, reduction_length, subprocess_env
from convx import _bench

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# the benchdnn shape set the suites were taken from lives outside the repository (see
# tests/data/README.md): point CONVX_CONV_SHAPES at it to check the embedded rows
SHAPES_FILES = [os.environ.get("CONVX_CONV_SHAPES", "")]


def _has_torch():
    return importlib.util.find_spec("torch") is not None


def _convx_built():
    try:
        import convx
    except ImportError:
        return False
    return hasattr(convx, "conv2d")


@pytest.fixture
def tiny_suite():
    """A hidden suite of tiny conv1d/2d/3d cases (the extension point tests use)."""
    cases = [
        _bench.conv_case("t1d", (2, 4, 17), 6, 3, padding=1, groups=2, bias=True),
        _bench.conv_case("t2d", (1, 6, 9, 8), 4, 3, stride=2, padding=1, dilation=1, bias=True),
        _bench.conv_case("t2d_dw", (1, 8, 7, 7), 8, 3, padding=2, dilation=2, groups=8),
        _bench.conv_case("t3d", (1, 3, 5, 6, 7), 4, (2, 3, 3), padding=(0, 1, 1)),
    ]
    _bench.register_suite("_tiny", cases, "tiny test cases")
    yield "_tiny"
    _bench.SUITES.pop("_tiny", None)


# ---------------------------------------------------------------- case list

def test_case_list_well_formed():
    public = [s for s in _bench.SUITES if not s.startswith("_")]
    assert {"resnet50", "mobilenet_dw", "mobilenet_pw", "misc"} <= set(public)
    ids = [cid for cid, _ in _bench.iter_cases()]
    assert len(ids) == len(set(ids))
    for cid, case in _bench.iter_cases():
        assert case.family in _bench.FAMILIES, cid
        assert cid.count("/") == 1 and _bench.get_case(cid) is case
        assert case.dtype == "float32"
        assert _bench.macs(case) > 0, cid
        json.dumps(case.to_dict())
    for cid, case in _bench.iter_cases(family="conv"):
        x, w = case.input_shape, case.weight_shape
        nd = case.ndim
        assert len(w) == len(x) == nd + 2
        assert len(case.stride) == len(case.dilation) == len(case.padding) == nd
        assert x[1] == w[1] * case.groups and w[0] % case.groups == 0, cid
        out = _bench.conv_output_shape(x[2:], w[2:], case.stride, case.padding, case.dilation)
        assert min(out) >= 1, cid
        assert case.describe()
    suites = {s: _bench.SUITES[s].cases for s in public}
    assert len(suites["resnet50"]) == 20
    assert all(c.input_shape[0] == 1 for s in ("resnet50", "mobilenet_dw", "mobilenet_pw")
               for c in suites[s])
    assert all(c.groups == c.input_shape[1] == c.weight_shape[0] for c in suites["mobilenet_dw"])
    assert all(c.weight_shape[2:] == (1, 1) and c.groups == 1 for c in suites["mobilenet_pw"])
    quick = [c for _, c in _bench.iter_cases(quick=True, family="conv")]
    assert {c.ndim for c in quick} == {1, 2, 3}
    assert any(c.groups > 1 for c in quick)


def _shapes_file():
    for p in SHAPES_FILES:
        if p and os.path.exists(p):
            return p
    pytest.skip("conv_shapes.jsonl not available (set CONVX_CONV_SHAPES)")


def test_cases_match_shapes_file():
    """The embedded ResNet-50 / MobileNet rows are the shapes file's, with mb = 1."""
    with open(_shapes_file()) as f:
        recs = [json.loads(line) for line in f]

    def key(r):
        return (r["groups"], r["ic"], r["oc"], tuple(r["in"]), tuple(r["k"]),
                tuple(r["stride"]), tuple(r["pad"]), tuple(r["dilation"]))

    def case_key(c):
        return (c.groups, c.input_shape[1], c.weight_shape[0], c.input_shape[2:],
                c.weight_shape[2:], c.stride, c.padding, c.dilation)

    def layer(r):
        return r["name"].split(":", 1)[1].split("*")[0].replace("/", "_")

    want = {
        "resnet50": {layer(r): key(r) for r in recs
                     if r["net"] == "resnet_50" and r["kind"] == "conv"},
        "mobilenet_dw": {layer(r): key(r) for r in recs
                         if r["net"] in ("mobilenet_dw", "mobilenet") and r["groups"] == r["ic"]
                         and r["groups"] > 1},
        "mobilenet_pw": {layer(r): key(r) for r in recs
                         if r["net"] == "mobilenet" and set(r["k"]) == {1} and r["groups"] == 1},
    }
    for suite, layers in want.items():
        got = {c.name: case_key(c) for c in _bench.SUITES[suite].cases}
        assert got == layers, suite


def test_macs_by_hand():
    conv1 = _bench.get_case("resnet50/conv1")
    assert _bench.macs(conv1) == 64 * 112 * 112 * 3 * 7 * 7
    dw = _bench.get_case("mobilenet_dw/conv2_2_dw")   # stride 2: 112 -> 56, 9 taps each
    assert _bench.macs(dw) == 64 * 56 * 56 * 9
    c1d = _bench.get_case("misc/conv1d_k9_b8")
    assert _bench.macs(c1d) == 8 * 64 * 16000 * 64 * 9
    g = _bench.get_case("misc/resnext_3x3_g32")
    assert _bench.macs(g) == 256 * 56 * 56 * 8 * 9
    ct = _bench.Case("conv_transpose", "ct", (2, 8, 5, 5), (8, 3, 3, 3), stride=2)
    assert _bench.macs(ct) == 2 * 8 * 25 * 3 * 9
    with pytest.raises(KeyError, match="no formula"):
        _bench.macs(_bench.Case("nope", "x", (1, 1, 1), (1, 1, 1)))


# ---------------------------------------------------------------- NumPy baseline

@pytest.mark.parametrize("nd,x_shape,w_shape,kw", [
    (2, (2, 6, 9, 8), (4, 3, 3, 2), dict(stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2)),
    (1, (1, 4, 13), (6, 4, 3), dict(stride=1, padding="same", dilation=2)),
    (3, (1, 2, 4, 5, 6), (4, 1, 2, 3, 2), dict(stride=(1, 2, 1), padding=1, groups=2)),
])
def test_numpy_baseline_matches_reference(nd, x_shape, w_shape, kw):
    reference = pytest.importorskip("convx.reference")
    rng = np.random.default_rng(1234)
    x = rng.standard_normal(x_shape)
    w = rng.standard_normal(w_shape)
    b = rng.standard_normal(w_shape[0])
    want = getattr(reference, f"conv{nd}d")(x, w, b, **kw)
    got = _bench.numpy_conv(x, w, b, **kw)
    assert_conv_close(got, want, np.float64, reduction_length(w_shape))
    x32, w32, b32 = (v.astype(np.float32) for v in (x, w, b))
    got32 = _bench.numpy_conv(x32, w32, b32, **kw)
    assert_conv_close(got32, want, np.float32, reduction_length(w_shape))
    # unbatched input, and a column budget small enough to force one output row per chunk
    assert_conv_close(_bench.numpy_conv(x[0], w, b, **kw), want[0], np.float64,
                      reduction_length(w_shape))
    assert_conv_close(_bench.numpy_conv(x, w, b, **kw, max_cols_bytes=1), want, np.float64,
                      reduction_length(w_shape))


@pytest.mark.skipif(not _has_torch(), reason="torch not installed")
@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
def test_numpy_baseline_matches_torch_padding_modes(mode):
    import torch
    import torch.nn.functional as F

    rng = np.random.default_rng(99)
    x = rng.standard_normal((2, 4, 7, 6))
    w = rng.standard_normal((6, 2, 3, 3))
    xt = torch.from_numpy(x)
    if mode != "zeros":
        xt = F.pad(xt, (2, 2, 1, 1), mode=mode)
    want = F.conv2d(xt, torch.from_numpy(w), None, 1, 0 if mode != "zeros" else (1, 2),
                    1, 2).numpy()
    got = _bench.numpy_conv(x, w, None, 1, (1, 2), 1, 2, padding_mode=mode)
    assert_conv_close(got, want, np.float64, reduction_length(w.shape))


# ---------------------------------------------------------------- timing

def test_time_call_counts_and_returns_result():
    calls = []

    def fn():
        calls.append(1)
        return 42

    timing, result = _bench.time_call(fn, target=0.01, min_repeats=4, warmup=0.0)
    assert result == 42
    assert len(timing.samples) >= 4 and timing.number >= 1
    assert len(calls) >= 1 + len(timing.samples) * timing.number
    assert timing.median > 0 and timing.first > 0
    d = timing.to_dict()
    assert d["repeats"] == len(timing.samples) and d["min_s"] <= d["median_s"]


def test_time_call_adapts_repeats_to_cost():
    timing, _ = _bench.time_call(lambda: time.sleep(0.02), target=0.05, min_repeats=3,
                                 warmup=0.0)
    assert timing.number == 1 and len(timing.samples) == 3
    assert 0.015 < timing.median < 0.2


def test_resolve_workers():
    assert _bench.resolve_workers(-1) == os.cpu_count()
    assert _bench.resolve_workers(None) == os.cpu_count()
    assert _bench.resolve_workers(3) == 3
    with pytest.raises(ValueError, match="workers"):
        _bench.resolve_workers(0)


# ---------------------------------------------------------------- runner

def test_run_tiny_suite_report(tiny_suite, tmp_path):
    buf = io.StringIO()
    report = _bench.run([tiny_suite], workers=1, target=0.002, min_repeats=3, warmup=0.0,
                        out=buf, progress=False, show_config=False)
    text = buf.getvalue()
    assert "peak:" in text and "geomean" in text and "t2d_dw" in text
    assert [c["id"] for c in report["cases"]] == [f"_tiny/{n}" for n in
                                                  ("t1d", "t2d", "t2d_dw", "t3d")]
    for rec in report["cases"]:
        assert rec["flop"] == 2 * rec["macs"] > 0
        np_res = rec["results"]["numpy"]
        assert np_res["median_s"] > 0 and len(np_res["samples_s"]) >= 3
        assert np_res["gflops"] == pytest.approx(rec["flop"] / np_res["median_s"] / 1e9)
        if _convx_built():
            assert "error" not in rec["results"]["convx"], rec["results"]["convx"]
            assert rec["check"]["ok"], rec["check"]
            assert rec["speedup"]["numpy"] > 0
    assert report["peak"]["gflops"] > 0 and report["peak"]["method"]
    assert set(report["summary"]) == {tiny_suite, "all"}
    path = tmp_path / "r.json"
    _bench.save_json(report, str(path))
    assert json.loads(path.read_text())["config"]["workers"] == 1
    png = tmp_path / "r.png"
    made = _bench.save_png(report, str(png))
    has_mpl = importlib.util.find_spec("matplotlib") is not None
    assert made == (has_mpl and _convx_built()) and png.exists() == made


@pytest.mark.skipif(not _convx_built(), reason="convx not built")
def test_cli_quick_end_to_end(tmp_path):
    out = tmp_path / "bench.json"
    env = subprocess_env()
    # no wall-time assertion (speed is measured in benchmarks, never in tests); the timeout
    # only stops a hung run, generous enough for sanitized builds on a loaded machine
    proc = subprocess.run(
        [sys.executable, "-m", "convx", "bench", "--quick", "--json", str(out), "--png", "",
         "--no-progress"],
        cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads(out.read_text())
    quick_ids = [cid for cid, _ in _bench.iter_cases(quick=True)]
    assert [c["id"] for c in report["cases"]] == quick_ids
    assert all(c["results"]["convx"]["median_s"] > 0 for c in report["cases"])
    assert report["machine"]["cpu_count"] == os.cpu_count()
    assert "geomean" in proc.stdout and "peak:" in proc.stdout


def test_cli_list():
    env = subprocess_env()
    proc = subprocess.run([sys.executable, "-m", "convx", "bench", "--list", "--quick"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() and all(line.split()[0] in dict(_bench.iter_cases(quick=True))
                                       for line in proc.stdout.splitlines())


# ---------------------------------------------------------------- asv

def _load_asv_module():
    """A fresh bench_conv, loaded as asv loads it: a module of the benchmarks package (its
    relative import of _case_bench needs the parent package)."""
    pkg_dir = os.path.join(ROOT, "benchmarks", "benchmarks")
    if not os.path.isdir(pkg_dir):
        pytest.skip("benchmarks/ is not next to tests/ (tests run outside the source tree)")
    if "convx_asv" not in sys.modules:
        pkg_spec = importlib.util.spec_from_file_location(
            "convx_asv", os.path.join(pkg_dir, "__init__.py"), submodule_search_locations=[pkg_dir])
        pkg = importlib.util.module_from_spec(pkg_spec)
        sys.modules["convx_asv"] = pkg
        pkg_spec.loader.exec_module(pkg)
    spec = importlib.util.spec_from_file_location("convx_asv.bench_conv",
                                                  os.path.join(pkg_dir, "bench_conv.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_asv_params_come_from_case_list():
    mod = _load_asv_module()
    for cls, nd in ((mod.Conv1d, 1), (mod.Conv2d, 2), (mod.Conv3d, 3)):
        assert cls.param_names == ["case", "algorithm", "workers"]
        ids = [cid for cid, c in _bench.iter_cases(family="conv") if c.ndim == nd]
        assert cls.params[0] == ids and ids
        assert hasattr(cls, f"time_conv{nd}d")
    conf = os.path.join(ROOT, "benchmarks", "asv.conf.json")
    with open(conf) as f:
        text = "\n".join(line for line in f if not line.lstrip().startswith("//"))
    assert json.loads(text)["benchmark_dir"] == "benchmarks"


def _algorithms():
    algs = ["numpy"]
    if _has_torch():
        algs.append("torch")
    if _convx_built():
        algs += ["auto", "direct", "im2col"]
    return algs


@pytest.mark.parametrize("algorithm", _algorithms())
def test_asv_setup_and_time_run_on_tiny_cases(tiny_suite, algorithm):
    mod = _load_asv_module()
    for cls, case in ((mod.Conv1d, "_tiny/t1d"), (mod.Conv2d, "_tiny/t2d"),
                      (mod.Conv3d, "_tiny/t3d")):
        nd = cls.__name__[-2]
        bench = cls()
        bench.setup(case, algorithm, -1)
        try:
            getattr(bench, f"time_conv{nd}d")(case, algorithm, -1)
            if hasattr(bench, f"peakmem_conv{nd}d"):
                getattr(bench, f"peakmem_conv{nd}d")(case, algorithm, -1)
        finally:
            bench.teardown(case, algorithm, -1)


def test_asv_setup_skips_unavailable():
    mod = _load_asv_module()
    with pytest.raises(NotImplementedError):
        mod.Conv2d().setup("unavailable", "auto", 1)


def test_run_times_only_each_familys_peers(tiny_suite):
    """Mixed suites: a case is timed against its own family's peers, columns per suite."""

    def macs(case):
        """Test family: one MAC per input element."""
        return math.prod(case.input_shape)

    def inputs(case, rng):
        return {"x": rng.standard_normal(case.input_shape, dtype=np.float32)}

    # a family registers its own inputs, contenders and MAC count
    _bench.register_family("_fake", _bench.Family(
        make_inputs=inputs,
        convx=lambda case, a, algorithm, workers: _bench.Call(np.negative, (a["x"],)),
        peers={"negpeer": lambda case, a, workers: _bench.Call(np.negative, (a["x"],))},
        macs=macs))
    _bench.register_suite("_fake", [_bench.Case("_fake", "neg", (1, 2, 8), (1, 1, 1))])
    try:
        buf = io.StringIO()
        report = _bench.run([tiny_suite, "_fake"], workers=1, target=0.002, min_repeats=3,
                            warmup=0.0, out=buf, progress=False, show_config=False)
    finally:
        _bench.FAMILIES.pop("_fake", None)
        _bench.SUITES.pop("_fake", None)
    by_suite = {}
    for rec in report["cases"]:
        by_suite.setdefault(rec["suite"], set()).update(rec["results"])
    assert "negpeer" not in by_suite[tiny_suite] and "numpy" in by_suite[tiny_suite]
    assert by_suite["_fake"] == {"convx", "negpeer"}
    fake_header = buf.getvalue().split("== _fake")[1].splitlines()[1]
    assert "negpeer ms" in fake_header and "numpy" not in fake_header
    assert report["cases"][-1]["speedup"]["negpeer"] > 0
