"""The runner behind ``python -m convx bench``: time suites, print the report, save JSON and a
PNG chart."""
from __future__ import annotations

import contextlib
import datetime
import json
import math
import os
import platform
import statistics
import sys
import time
from typing import Sequence

import numpy as np

from convx._bench._core import (_UNCHECKED_PEERS, FAMILIES, SUITES, flop_definition,
                                iter_cases, macs, make_call, make_inputs)
from convx._bench._families import case_family
from convx._bench._report import family_report, format_family_report, primary_peer
from convx._bench._timing import Timing, measure_peak, resolve_workers, time_interleaved


class _Progress:
    """Plain-text progress bar on stderr ("\\r" redraws on a tty, lines otherwise)."""

    def __init__(self, total: int, stream=None, enabled: bool = True, width: int = 24):
        self.total, self.done, self.width = total, 0, width
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.tty = enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        self.t0 = time.perf_counter()
        self._shown = False

    def show(self, label: str) -> None:
        if not self.enabled:
            return
        frac = self.done / self.total if self.total else 1.0
        fill = int(round(frac * self.width))
        el = time.perf_counter() - self.t0
        eta = f" eta {el / frac - el:4.0f}s" if 0 < frac < 1 else ""
        line = (f"[{'#' * fill}{'.' * (self.width - fill)}] {self.done}/{self.total} "
                f"{el:5.0f}s{eta}  {label}")
        if self.tty:
            self.stream.write("\r" + line[:119].ljust(119))
            self._shown = True
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def advance(self) -> None:
        self.done += 1

    def clear(self) -> None:
        if self.tty and self._shown:
            self.stream.write("\r" + " " * 119 + "\r")
            self.stream.flush()
            self._shown = False


NOISY_SPREAD = 0.25   # a row is marked "noisy" when a contender's IQR/median exceeds this


def _loadavg():
    try:
        return list(os.getloadavg())
    except (AttributeError, OSError):
        return None


def _geomean(values) -> float | None:
    v = [x for x in values if x is not None and x > 0 and math.isfinite(x)]
    return math.exp(sum(map(math.log, v)) / len(v)) if v else None


def _check(actual, expected, dtype) -> dict:
    """Largest error of convx vs a peer, relative to the peer's largest value."""
    a = np.asarray(actual, np.float64)
    e = np.asarray(expected, np.float64)
    if a.shape != e.shape:
        return {"ok": False, "reason": f"shape {a.shape} != {e.shape}"}
    scale = float(np.max(np.abs(e))) if e.size else 0.0
    err = float(np.max(np.abs(a - e))) if e.size else 0.0
    rel = err / scale if scale else err
    tol = 1e-3 if np.dtype(dtype) == np.float32 else 1e-9
    return {"ok": bool(rel <= tol), "max_abs_err": err, "rel_err": rel, "tol": tol}


def machine_info() -> dict:
    info = {
        "platform": platform.platform(), "machine": platform.machine(),
        "python": sys.version.split()[0], "numpy": np.__version__,
        "cpu_count": os.cpu_count(),
    }
    if hasattr(os, "sched_getaffinity"):
        info["affinity_cpus"] = len(os.sched_getaffinity(0))
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu_model"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        info["numpy_blas"] = {k: blas.get(k) for k in ("name", "version", "openblas configuration")}
    except Exception:  # older NumPy: no dict mode; not worth failing a benchmark over
        pass
    for mod in ("scipy", "torch", "cv2"):
        try:
            info[mod] = __import__(mod).__version__
        except ImportError:
            pass
    # what caps each library's ISA in this process (set by --isa in its child processes)
    info["isa_env"] = {k: os.environ[k] for k in ISA_ENV_VARS if k in os.environ}
    try:
        import torch
        info["torch_cpu_capability"] = torch.backends.cpu.get_cpu_capability()
    except (ImportError, AttributeError):
        pass
    return info


ISA_ENV_VARS = ("CONVX_ISA", "ONEDNN_MAX_CPU_ISA", "ATEN_CPU_CAPABILITY", "OPENCV_CPU_DISABLE")


def _convx_config() -> dict:
    try:
        import convx
        cfg = convx.get_config()
        return json.loads(json.dumps(cfg, default=str))
    except Exception as exc:  # the report must still be written on a partial build
        return {"error": f"{type(exc).__name__}: {exc}"}


def _fmt(v, spec, width, none="-"):
    return (format(v, spec) if v is not None else none).rjust(width)


def _peer_names(cases, use_torch: bool) -> list:
    names = []
    for _, case in cases:
        for p in FAMILIES[case.family].peers:
            if p not in names and (use_torch or p != "torch"):
                names.append(p)
    return names


def _w_ms(p) -> int:
    return max(11, len(p) + 4)


def _w_vs(p) -> int:
    return max(10, len(p) + 5)


def _header(peers) -> str:
    cols = f"{'case':<22}{'MFLOP':>9}{'convx ms':>11}{'GFLOP/s':>9}{'%peak':>7}"
    cols += "".join(f"{p + ' ms':>{_w_ms(p)}}" for p in peers)
    cols += "".join(f"{'vs ' + p:>{_w_vs(p)}}" for p in peers)
    return cols


def _row(rec, peers) -> str:
    cx = rec["results"].get("convx", {})
    ms = cx.get("median_s")
    line = (f"{rec['name'][:21]:<22}{rec['flop'] / 1e6:9.1f}"
            f"{_fmt(ms and ms * 1e3, '.3f', 11, cx.get('error') and 'ERROR' or '-')}"
            f"{_fmt(cx.get('gflops'), '.1f', 9)}{_fmt(cx.get('pct_peak'), '.1f', 7)}")
    for p in peers:
        r = rec["results"].get(p, {})
        v = r.get("median_s")
        line += _fmt(v and v * 1e3, ".3f", _w_ms(p),
                     "n/a" if r.get("skipped") else "ERROR" if r.get("error") else "-")
    for p in peers:
        g = rec["speedup"].get(p)
        line += _fmt(g, ".2f", _w_vs(p) - 1) + ("x" if g else " ")
    chk = rec.get("check")
    if chk and not chk.get("ok"):
        line += "  MISMATCH"
    if any(r.get("spread", 0) > NOISY_SPREAD for r in rec["results"].values()):
        line += "  noisy"
    return line


def _suite_peers(sname: str, cases, use_torch: bool) -> list:
    allowed = SUITES[sname].peers if sname in SUITES else None
    return [p for p in _peer_names(cases, use_torch) if allowed is None or p in allowed]


def _time_case(case, cid, sname, contenders, workers, algorithm, dtype, peak, timing_kw,
               legend) -> dict:
    """Time ``contenders`` (convx first) on ``case``, samples interleaved; one report record."""
    flop = 2 * macs(case)
    fam, tags = case_family(case)
    rec = {"suite": sname, "name": case.name, "id": cid, "case": case.to_dict(),
           "macs": flop // 2, "flop": flop, "family": fam, "tags": tags,
           "results": {}, "speedup": {}}
    arrays = make_inputs(case, seed=0)
    calls = {}
    for who in contenders:
        r = rec["results"][who] = {}
        try:
            call = calls[who] = make_call(case, arrays, who, workers, algorithm)
            r["info"] = call.info
            legend.setdefault(case.family, {}).setdefault(who, call.info)
        except Exception as exc:
            _record_error(r, exc)
    with contextlib.ExitStack() as stack:
        for who in list(calls):
            try:
                stack.enter_context(calls[who].context())
            except Exception as exc:
                _record_error(rec["results"][who], exc)
                del calls[who]
        timings, outputs = time_interleaved(calls, **timing_kw)
    for who, t in timings.items():
        r = rec["results"][who]
        if isinstance(t, BaseException):
            _record_error(r, t)
            continue
        r.update(t.to_dict())
        r["gflops"] = flop / t.median / 1e9
        r["pct_peak"] = 100.0 * r["gflops"] / peak["gflops"] if peak["gflops"] else None
    t_cx = rec["results"]["convx"].get("median_s")
    for p in contenders[1:]:
        t_p = rec["results"][p].get("median_s")
        rec["speedup"][p] = t_p / t_cx if t_cx and t_p else None
    rec["peer"] = primary_peer(rec)
    ref = next((p for p in ("torch", *contenders[1:])
                if p in outputs and p not in _UNCHECKED_PEERS), None)
    if "convx" in outputs and ref:
        view = FAMILIES[case.family].check_view or (lambda who, o: o)
        rec["check"] = dict(_check(view("convx", outputs["convx"]), view(ref, outputs[ref]),
                                   dtype), against=ref)
    return rec


def _record_error(r: dict, exc: BaseException) -> None:
    """One failing contender must not stop a run: record it ("n/a" when skipped)."""
    r["error"] = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, (ImportError, NotImplementedError)):
        r["skipped"] = True  # library missing / peer cannot do this case


def _merge_runs(recs: list) -> dict:
    """One record from the same case timed in several full runs: per contender, the median of
    the runs' medians; samples pooled (so the noise flag sees run-to-run spread too)."""
    rec = dict(recs[0])
    rec["results"] = {}
    for who in recs[0]["results"]:
        rs = [r["results"][who] for r in recs]
        ok = [r for r in rs if "median_s" in r]
        if len(ok) < len(rs):
            rec["results"][who] = next(r for r in rs if "median_s" not in r)
            continue
        med = statistics.median(r["median_s"] for r in ok)
        samples = [s for r in ok for s in r["samples_s"]]
        m = dict(ok[0], median_s=med, min_s=min(samples), samples_s=samples,
                 repeats=len(samples), runs_median_s=[r["median_s"] for r in ok],
                 gflops=rec["flop"] / med / 1e9)
        m["spread"] = Timing(med, samples, ok[0]["number"], ok[0]["first_call_s"]).spread
        if ok[0].get("pct_peak") is not None:
            m["pct_peak"] = ok[0]["pct_peak"] * ok[0]["median_s"] / med
        rec["results"][who] = m
    t_cx = rec["results"]["convx"].get("median_s")
    rec["speedup"] = {p: (rec["results"][p]["median_s"] / t_cx
                          if t_cx and rec["results"][p].get("median_s") else None)
                      for p in recs[0]["speedup"]}
    rec["peer"] = primary_peer(rec)
    checks = [r["check"] for r in recs if r.get("check")]
    if checks:
        rec["check"] = next((c for c in checks if not c["ok"]), checks[0])
    return rec


def run(suites: Sequence[str] | None = None, *, workers: int | None = -1,
        dtype: str = "float32", quick: bool = False, use_torch: bool = True,
        algorithm: str = "auto", target: float | None = None, min_repeats: int = 5,
        warmup: float = 0.1, out=None, progress: bool = True, show_config: bool = True,
        repeat: int = 1) -> dict:
    """Time every case of ``suites`` (all public suites if empty); return the report dict.

    Prints the report to ``out`` (stdout by default) while it runs and the
    progress bar to stderr. ``target`` is the timing budget per contender and
    case in seconds (the suites' own default -- 0.4, the zoo 0.15 -- or 0.05 with
    ``quick``); the contenders of a case are timed with their samples
    interleaved (``time_interleaved``). ``repeat`` > 1 runs the whole case list
    that many times and reports, per case and contender, the median of the
    runs' medians. Ends with the per-family report (``family_report``).
    """
    out = out if out is not None else sys.stdout
    workers = resolve_workers(workers)
    if repeat < 1:
        raise ValueError(f"repeat must be >= 1, got {repeat}")
    dtype = np.dtype(dtype).name
    cases = list(iter_cases(suites, quick=quick))
    if target is None:
        target = 0.05 if quick else min(
            (SUITES[c.split("/")[0]].target or 0.4 for c, _ in cases), default=0.4)
    peers = _peer_names(cases, use_torch)
    suite_names = list(dict.fromkeys(c.split("/")[0] for c, _ in cases))
    peers = [p for p in peers if any(p in _suite_peers(s, cases, use_torch) for s in suite_names)]
    started = datetime.datetime.now(datetime.timezone.utc)

    if show_config:
        try:
            import convx
            convx.show_config()
        except Exception as exc:
            print(f"convx.show_config() failed: {type(exc).__name__}: {exc}", file=out)
        out.flush()
    peak = measure_peak(workers, dtype)
    print(f"\npeak: {peak['gflops']:.1f} GFLOP/s -- {peak['method']}", file=out)
    print(f"workers={workers} dtype={dtype} algorithm={algorithm!r} "
          f"target={target:g} s/contender, contenders' samples interleaved, median of >= "
          f"{min_repeats} repeats after >= {warmup:g} s warm-up"
          + (f", {repeat} full runs (median of the runs' medians)" if repeat > 1 else "")
          + "; GFLOP/s = 2*MACs/median (see convx._bench.macs); 'vs X' = X time / convx time",
          file=out)
    print("peers: a suite's columns are its families' peers (legend at the end)", file=out)

    report = {
        "schema": 1,
        "created": started.isoformat(timespec="seconds"),
        "config": {"suites": suite_names, "workers": workers, "dtype": dtype, "quick": quick,
                   "torch": use_torch, "algorithm": algorithm, "target_s": target,
                   "min_repeats": min_repeats, "warmup_s": warmup, "seed": 0,
                   "repeat": repeat, "interleaved": True},
        "isa": _active_isa(),
        "machine": machine_info(), "convx_config": _convx_config(), "peak": peak,
        "flop_definition": flop_definition(),
        "loadavg_start": _loadavg(), "cases": [], "summary": {},
    }
    load = report["loadavg_start"]
    if load and load[0] > 0.5:
        print(f"note: 1-min load average {load[0]:.2f} before starting; other processes "
              f"compete for the {os.cpu_count()} cores, expect noise (rows marked 'noisy' "
              f"have IQR/median > {NOISY_SPREAD})", file=out)

    contenders = {cid: ["convx"] + [p for p in _peer_names([(cid, c)], use_torch)
                                    if p in _suite_peers(cid.split("/")[0], [(cid, c)],
                                                         use_torch)]
                  for cid, c in cases}
    timing_kw = dict(target=target, min_repeats=min_repeats, warmup=warmup)
    legend = {}
    bar = _Progress(repeat * len(cases), enabled=progress)
    passes = []
    for run_i in range(repeat):
        recs = []
        current_suite = suite_peers = None
        if repeat > 1:
            print(f"\n#### run {run_i + 1} of {repeat}", file=out)
        for i, (cid, case0) in enumerate(cases):
            sname = cid.split("/")[0]
            case = case0.with_dtype(dtype)
            if sname != current_suite:
                bar.clear()
                current_suite = sname
                s = SUITES[sname]
                in_suite = [(c, k) for c, k in cases if c.startswith(sname + "/")]
                suite_peers = _suite_peers(sname, in_suite, use_torch)
                print(f"\n== {sname}: {s.description} ({len(in_suite)} cases) ==", file=out)
                print(_header(suite_peers), file=out)
                out.flush()
            bar.show(cid)
            rec = _time_case(case, cid, sname, contenders[cid], workers, algorithm, dtype,
                             peak, timing_kw, legend)
            rec["isa"] = report["isa"]
            recs.append(rec)
            bar.advance()
            bar.clear()
            print(_row(rec, suite_peers), file=out)
            out.flush()
            if i + 1 == len(cases) or not cases[i + 1][0].startswith(sname + "/"):
                print(_summary_row(_summarize([c for c in recs if c["suite"] == sname],
                                              suite_peers), suite_peers), file=out)
                out.flush()
        passes.append(recs)
    bar.clear()
    report["cases"] = (passes[0] if repeat == 1 else
                       [_merge_runs([p[j] for p in passes]) for j in range(len(cases))])
    for sname in suite_names:
        in_suite = [(c, k) for c, k in cases if c.startswith(sname + "/")]
        report["summary"][sname] = _summarize(
            [c for c in report["cases"] if c["suite"] == sname],
            _suite_peers(sname, in_suite, use_torch))
    report["summary"]["all"] = _summarize(report["cases"], peers)
    report["families"] = family_report(report["cases"])
    report["elapsed_s"] = time.perf_counter() - bar.t0
    report["loadavg_end"] = _loadavg()
    report["legend"] = legend
    print("\ncontenders (as first timed, per family):", file=out)
    for fam, whos in legend.items():
        print("\n".join(f"  {fam + ' ' + who:>26}: {info}" for who, info in whos.items()),
              file=out)
    gm = report["summary"]["all"]["geomean_speedup"]
    print(f"\nall {len(cases)} cases: " + ", ".join(
        f"geomean vs {p} " + (f"{gm[p]:.2f}x" if gm.get(p) else "n/a") for p in peers)
        + f"; {report['elapsed_s']:.0f} s", file=out)
    print("\n" + format_family_report(report["families"],
                                      title=f"per family (convx ISA {report['isa']}"
                                            + (f", median of {repeat} runs" if repeat > 1
                                               else "") + ")"), file=out)
    # A busy machine lowers the measured peak; measuring again at the end shows
    # whether the "% peak" column (computed from the first measurement) is shaky.
    peak_end = measure_peak(workers, dtype)["gflops"]
    report["peak"]["gflops_end"] = peak_end
    over = [r["id"] for r in report["cases"]
            if (r["results"]["convx"].get("pct_peak") or 0) > 100]
    if abs(peak_end - peak["gflops"]) > 0.1 * peak["gflops"] or over:
        print(f"\nwarning: peak measured {peak['gflops']:.1f} GFLOP/s at the start and "
              f"{peak_end:.1f} at the end" + (f"; {len(over)} case(s) above 100% of it" if over
                                            else "")
              + ": the machine's load changed, treat '% peak' as approximate", file=out)
    noisy = sum(any(r.get("spread", 0) > NOISY_SPREAD for r in c["results"].values())
                for c in report["cases"])
    if noisy:
        print(f"{noisy} of {len(report['cases'])} rows noisy (IQR/median > {NOISY_SPREAD}); "
              f"1-min load average at the end {report['loadavg_end'][0]:.2f}"
              if report["loadavg_end"] else f"{noisy} rows noisy", file=out)
    return report


def _active_isa() -> str | None:
    try:
        from convx import _cpu
        return _cpu.active_isa()
    except Exception:  # a partial build: the report is still written
        return None


def _summarize(recs, peers) -> dict:
    cx = [r["results"]["convx"] for r in recs]
    return {
        "n_cases": len(recs),
        "geomean_gflops": _geomean(r.get("gflops") for r in cx),
        "geomean_pct_peak": _geomean(r.get("pct_peak") for r in cx),
        "geomean_speedup": {p: _geomean(r["speedup"].get(p) for r in recs) for p in peers},
        "mismatches": [r["name"] for r in recs if r.get("check") and not r["check"]["ok"]],
    }


def _summary_row(s, peers) -> str:
    line = (f"{'geomean':<22}{'':9}{'':11}{_fmt(s['geomean_gflops'], '.1f', 9)}"
            f"{_fmt(s['geomean_pct_peak'], '.1f', 7)}" + " " * sum(map(_w_ms, peers)))
    for p in peers:
        g = s["geomean_speedup"].get(p)
        line += _fmt(g, ".2f", _w_vs(p) - 1) + ("x" if g else " ")
    return line


# --------------------------------------------------------------------------
# Saving
# --------------------------------------------------------------------------

def save_json(report: dict, path: str) -> None:
    with open(path, "w") as f:
        json.dump(report, f, indent=1, default=str)
        f.write("\n")


def save_png(report: dict, path: str) -> bool:
    """Speed-up bars per case (log scale); False when matplotlib is missing."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    recs = report["cases"]
    peers = [p for p in dict.fromkeys(p for r in recs for p in r["speedup"])
             if any(r["speedup"].get(p) for r in recs)]
    if not recs or not peers:
        return False
    fig, ax = plt.subplots(figsize=(9, 0.12 * len(recs) * (1 + len(peers)) + 1.2))
    h = 0.8 / len(peers)
    ys = np.arange(len(recs))
    for i, p in enumerate(peers):
        vals = [r["speedup"].get(p) or 0.0 for r in recs]
        ax.barh(ys + (i - (len(peers) - 1) / 2) * h, vals, height=h, label=f"convx vs {p}")
    ax.set_yticks(ys, [r["id"] for r in recs], fontsize=7)
    ax.set_ylim(len(recs) - 0.5, -0.5)
    ax.set_xscale("log")
    ax.axvline(1.0, color="k", lw=0.8)
    ax.set_xlabel("speed-up (peer time / convx time), log scale")
    cfg = report["config"]
    ax.set_title(f"convx {cfg['dtype']}, workers={cfg['workers']}, "
                 f"{report['machine'].get('cpu_model', '')}", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def list_cases(suites=None, quick=False, out=None) -> None:
    out = out if out is not None else sys.stdout
    for cid, case in iter_cases(suites, quick=quick):
        print(f"{cid:<32} {case.family:<8} {2 * macs(case) / 1e9:8.3f} GFLOP  {case.describe()}",
              file=out)


def main(suites=None, *, workers=-1, dtype="float32", quick=False, json_path="convx-bench.json",
         png_path="convx-bench.png", use_torch=True, algorithm="auto", target=None,
         progress=True, repeat=1) -> dict:
    """Run, print, save JSON (and PNG when matplotlib is importable). Used by __main__."""
    report = run(suites, workers=workers, dtype=dtype, quick=quick, use_torch=use_torch,
                 algorithm=algorithm, target=target, progress=progress, repeat=repeat)
    if json_path:
        save_json(report, json_path)
        print(f"wrote {json_path}")
    if png_path:
        if save_png(report, png_path):
            print(f"wrote {png_path}")
        else:
            print("matplotlib not importable (or nothing to plot): no PNG chart")
    return report
