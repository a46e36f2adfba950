"""``python -m convx bench --isa avx2|avx512|scalar|all``: one child process per ISA.

Each child is ``python -m convx bench`` with the same options, convx capped by ``CONVX_ISA`` and
the peers capped to the same instruction set through their own switches (read when they are
imported, hence a fresh process each): torch's oneDNN by ``ONEDNN_MAX_CPU_ISA`` and its ATen
kernels by ``ATEN_CPU_CAPABILITY``, OpenCV by ``OPENCV_CPU_DISABLE``. The parent checks which
ISAs this CPU and build have (skipping the others with a message), collects the children's JSON
and prints one per-family report per ISA. ``all`` means avx2 and avx512 (the ISAs the speed goals
are set for); ``scalar`` (x86-64 baseline; torch capped to SSE4.1 / its default ATen kernels) runs
only when named.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

from convx._bench._report import format_family_report

_OPENCV_AVX512 = ("AVX512F,AVX512_COMMON,AVX512_SKX,AVX512_KNL,AVX512_KNM,AVX512_CNL,"
                  "AVX512_CLX,AVX512_ICL")
ISA_ENV = {
    "avx512": {"CONVX_ISA": "avx512", "ONEDNN_MAX_CPU_ISA": "AVX512_CORE",
               "ATEN_CPU_CAPABILITY": "avx512"},
    "avx2": {"CONVX_ISA": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2", "ATEN_CPU_CAPABILITY": "avx2",
             "OPENCV_CPU_DISABLE": _OPENCV_AVX512},
    "scalar": {"CONVX_ISA": "scalar", "ONEDNN_MAX_CPU_ISA": "SSE41",
               "ATEN_CPU_CAPABILITY": "default",
               "OPENCV_CPU_DISABLE": "SSE4_1,SSE4_2,POPCNT,AVX,FP16,AVX2,FMA3," + _OPENCV_AVX512},
}
ALL = ("avx2", "avx512")
CHOICES = ("avx2", "avx512", "scalar", "all")


def expand(isa: str) -> list:
    if isa not in CHOICES:
        raise ValueError(f"--isa must be one of {', '.join(CHOICES)}, got {isa!r}")
    return list(ALL) if isa == "all" else [isa]


def available() -> tuple[set, str]:
    """(ISAs both compiled into convx and supported by this CPU, why others are missing)."""
    try:
        from convx import _cpu
        return set(_cpu.compiled_isas()) & set(_cpu.supported_isas()), (
            f"compiled {', '.join(_cpu.compiled_isas())}; "
            f"this CPU supports {', '.join(_cpu.supported_isas())}")
    except ImportError as exc:
        return set(), f"convx._cpu not importable: {exc}"


def child_env(isa: str) -> dict:
    """The environment of the child that runs ``isa``: caps, and the same convx as here."""
    import convx
    env = {k: v for k, v in os.environ.items() if k not in ISA_ENV["scalar"]}
    env.update(ISA_ENV[isa])
    root = os.path.dirname(os.path.dirname(os.path.abspath(convx.__file__)))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
    return env


def run_isas(isas: list, child_args: list, out=None, timeout: float | None = None) -> dict:
    """Run ``python -m convx bench *child_args --json TMP`` once per ISA; the combined report.

    The children's output goes to ``out``'s underlying stdout as they run; returns
    ``{"schema": 1, "isa_runs": {isa: report}, "skipped": {isa: reason}, "failed": {...}}``.
    """
    out = out if out is not None else sys.stdout
    have, why = available()
    combined = {"schema": 1, "kind": "multi-isa", "isa_runs": {}, "skipped": {}, "failed": {}}
    for isa in isas:
        if isa not in have:
            msg = f"ISA {isa} skipped: not available here ({why})"
            combined["skipped"][isa] = msg
            print(msg, file=out)
            continue
        env = child_env(isa)
        caps = " ".join(f"{k}={v}" for k, v in ISA_ENV[isa].items())
        print(f"\n######## ISA {isa}: {caps}", file=out)
        out.flush()
        fd, path = tempfile.mkstemp(prefix=f"convx-bench-{isa}-", suffix=".json")
        os.close(fd)
        try:
            cmd = [sys.executable, "-m", "convx", "bench", *child_args, "--json", path,
                   "--png", ""]
            try:
                proc = subprocess.run(cmd, env=env, stdout=out if _has_fileno(out) else
                                      subprocess.PIPE, stderr=None, text=True, timeout=timeout)
            except subprocess.TimeoutExpired:
                combined["failed"][isa] = f"timed out after {timeout} s"
                print(f"ISA {isa}: child timed out after {timeout} s", file=out)
                continue
            if not _has_fileno(out) and proc.stdout:
                out.write(proc.stdout)
            try:
                with open(path) as f:
                    rep = json.load(f)
            except (OSError, ValueError):
                rep = None
            if rep is None or not rep.get("cases"):
                combined["failed"][isa] = f"child exited with status {proc.returncode}, no report"
                print(f"ISA {isa}: the child failed (exit status {proc.returncode}), no report",
                      file=out)
                continue
            rep["exit_status"] = proc.returncode
            combined["isa_runs"][isa] = rep
        finally:
            os.unlink(path)
    if combined["isa_runs"]:
        print("\n######## per-family reports, one per ISA", file=out)
    for isa, rep in combined["isa_runs"].items():
        m = rep.get("machine", {})
        print(f"\n== ISA {isa}: convx active ISA {rep.get('isa')}, torch CPU capability "
              f"{m.get('torch_cpu_capability', '-')}, {m.get('cpu_model', '?')}, "
              f"workers {rep['config']['workers']}, {rep['config']['dtype']} ==", file=out)
        print(format_family_report(rep["families"], title="per family"), file=out)
    out.flush()
    return combined


def _has_fileno(stream) -> bool:
    try:
        stream.fileno()
        return True
    except (AttributeError, OSError, ValueError):
        return False
