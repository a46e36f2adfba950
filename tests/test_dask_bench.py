"""The ``dask`` bench suite (``python -m convx bench --suite dask``): registered, listed, kept out
of the default run, and its three contenders (convx.dask and dask-image on a LocalCluster,
in-memory convx) run and agree on small versions of its cases. No timing is asserted.
"""
import io
import subprocess
import sys

import pytest

from convx import _bench
from convx._bench import _core as B

pytest.importorskip("dask.array")
pytest.importorskip("distributed")


def test_suite_is_registered_and_listed():
    suite = B.SUITES["dask"]
    assert not suite.in_all and "dask" not in _bench.default_suites()
    assert {c.params["op"] for c in suite.cases} == {"gaussian", "correlate", "uniform",
                                                     "conv2d"}
    assert all(c.input_shape == (8192, 8192) for c in suite.cases if c.params["op"] != "conv2d")
    res = subprocess.run([sys.executable, "-m", "convx", "bench", "--suite", "dask", "--list"],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert "dask/gauss_s4_8192" in res.stdout and "dask/conv2d_b32" in res.stdout


def test_tiny_cases_run_on_the_cluster_and_agree(monkeypatch):
    pytest.importorskip("dask_image")
    from convx._bench import dask as D
    monkeypatch.setattr(D, "FILTER_CHUNK", 96)
    cases = [B.Case("dask", "g", (256, 200), (17, 2), extra=dict(op="gaussian", sigma=2.0,
                                                                  truncate=4.0)),
             B.Case("dask", "c", (256, 200), (9, 9), extra=dict(op="correlate")),
             B.Case("dask", "u", (256, 200), (15, 2), extra=dict(op="uniform", size=15)),
             B.Case("dask", "conv", (8, 3, 20, 20), (4, 3, 3, 3),
                    extra=dict(op="conv2d", padding=1, batch_chunk=2))]
    B.register_suite("_dask_tiny", cases, "tiny dask cases (test)", in_all=False)
    try:
        report = _bench.run(["_dask_tiny"], workers=2, target=0.01, min_repeats=1,
                            warmup=0.0, progress=False, show_config=False, out=io.StringIO())
    finally:
        B.SUITES.pop("_dask_tiny", None)
        D._close()
    for rec in report["cases"]:
        res = rec["results"]
        assert "median_s" in res["convx"], res["convx"]
        assert "median_s" in res["convx-1proc"], res["convx-1proc"]
        if rec["name"] == "conv":
            assert res["dask-image"].get("skipped")
        else:
            assert "median_s" in res["dask-image"], res["dask-image"]
        # convx.dask checked against in-memory convx
        assert rec["check"]["ok"] and rec["check"]["against"] == "convx-1proc", rec["check"]
