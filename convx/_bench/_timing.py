"""Timing: warm-up, then an adaptive number of repeats (median), and this machine's peak."""
from __future__ import annotations

import gc
import math
import os
import statistics
import time
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from convx._bench._core import _blas_threads


@dataclass
class Timing:
    median: float                 # seconds per call
    samples: list                 # seconds per call, one per repeat
    number: int                   # calls per sample
    first: float                  # the warm-up call, seconds

    @property
    def spread(self) -> float:
        """Interquartile range / median: above ~0.2 the machine was busy."""
        if len(self.samples) < 4:
            return 0.0
        q = statistics.quantiles(self.samples, n=4)
        return (q[2] - q[0]) / self.median

    def to_dict(self) -> dict:
        return {"median_s": self.median, "min_s": min(self.samples), "spread": self.spread,
                "samples_s": self.samples, "number": self.number,
                "first_call_s": self.first, "repeats": len(self.samples)}


def _warm_up(fn: Callable[[], Any], warmup: float, max_warmup: float) -> tuple[float, float, Any]:
    """(first call's seconds, estimated seconds per call, first result): see ``time_call``."""
    t_start = t0 = time.perf_counter()
    result = fn()
    now = time.perf_counter()
    first = now - t0
    times = [first]
    while now - t_start < max_warmup:
        improving = len(times) >= 2 and times[-1] < 0.8 * min(times[:-1])
        if now - t_start >= warmup and len(times) >= 2 and not improving:
            break
        t0 = time.perf_counter()
        fn()
        now = time.perf_counter()
        times.append(now - t0)
    return first, max(min(times[-3:]), 1e-7), result


def _sample(fn: Callable[[], Any], number: int) -> float:
    """Seconds per call over ``number`` back-to-back calls."""
    t0 = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - t0) / number


def time_call(fn: Callable[[], Any], target: float = 0.4, min_repeats: int = 5,
              max_repeats: int = 1000, min_sample: float = 1e-3,
              warmup: float = 0.1, max_warmup: float = 3.0) -> tuple[Timing, Any]:
    """Median seconds per call of ``fn`` and the first call's result.

    Warm-up: at least two calls and ``warmup`` seconds, longer while calls are
    still getting faster (one-time set-up spread over several calls), never
    past ``max_warmup`` seconds. This does more than fill caches and build
    plans: on a small machine the previous contender's idle thread pool
    (OpenBLAS, OpenMP) keeps spinning for ~0.1 s, and samples taken meanwhile
    can be 10-100x slow. The cost estimate is the best of the last three
    warm-up calls.

    Then ``repeats`` samples of ``number`` calls each: ``number`` makes a
    sample last >= ``min_sample`` (so perf_counter resolution does not
    matter), ``repeats`` makes the loop last about ``target`` seconds, clamped
    to [min_repeats, max_repeats]; past ``2.5 * target`` it stops after
    ``min_repeats`` samples (bounds a run on a loaded machine). The garbage
    collector is off while timing (as in timeit).
    """
    timings, results = time_interleaved({"fn": fn}, target=target, min_repeats=min_repeats,
                                        max_repeats=max_repeats, min_sample=min_sample,
                                        warmup=warmup, max_warmup=max_warmup)
    if isinstance(timings["fn"], BaseException):
        raise timings["fn"]
    return timings["fn"], results["fn"]


ROUNDS = 2   # turns per contender in time_interleaved (the minimum of their medians is kept)


def _settle(fn: Callable[[], Any], seconds: float) -> None:
    """Untimed calls for at least ``seconds`` (at least one call)."""
    t0 = time.perf_counter()
    fn()
    while time.perf_counter() - t0 < seconds:
        fn()


def time_interleaved(fns: dict, target: float = 0.4, min_repeats: int = 5,
                     max_repeats: int = 1000, min_sample: float = 1e-3, warmup: float = 0.1,
                     max_warmup: float = 3.0, rounds: int = ROUNDS) -> tuple[dict, dict]:
    """``time_call`` for several contenders at once, timed in interleaved turns.

    ``fns``: name -> callable. Each contender gets ``rounds`` turns, in the
    order A B, B A, A B, ... Its first turn warms it up as ``time_call`` does
    (which also estimates its cost); a later turn starts with untimed calls for
    ``warmup`` seconds. Then come back-to-back samples for ``target / rounds``
    seconds (at least ``min_repeats``, at most ``max_repeats``; a turn running
    past 2.5x its budget stops after ``min_repeats``). A contender's time is
    the minimum over its turns of the turn's median.

    Why turns and not alternate samples: on a small machine the previous
    library's idle thread pool (OpenBLAS, OpenMP) keeps spinning for ~0.1 s
    after its last call; a sample taken meanwhile makes an OpenMP team wait a
    whole scheduler time slice for a descheduled thread (measured here: a
    0.55 ms 1x1 conv took 3-6 ms when every sample followed a NumPy matmul).
    The warm-up at the start of each turn absorbs that; the turns, and the
    minimum of their medians, keep load that comes and goes from being
    charged to whichever contender happened to run at a bad moment (a user
    runs one library at a time, so each contender's own steady state is what
    is measured). ``samples`` holds every turn's samples.

    Returns (name -> Timing, or the exception the contender raised; name ->
    the first call's result). A contender that fails drops out; the others go on.
    """
    timings: dict = {}
    results: dict = {}
    number: dict = {}
    reps: dict = {}
    medians: dict = {}
    live = list(fns)
    rounds = 1 if len(fns) == 1 else max(1, int(rounds))
    turn_budget = target / rounds
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for i in range(rounds):
            for name in (live if i % 2 == 0 else live[::-1]):
                fn = fns[name]
                try:
                    if i == 0:
                        if gc_was_enabled:
                            gc.enable()
                        first, est, results[name] = _warm_up(fn, warmup, max_warmup)
                        gc.disable()
                        number[name] = max(1, math.ceil(min_sample / est))
                        reps[name] = int(min(max_repeats, max(
                            min_repeats, round(turn_budget / (est * number[name])))))
                        timings[name] = Timing(0.0, [], number[name], first)
                        medians[name] = []
                    else:
                        _settle(fn, warmup)
                    turn = []
                    t_turn = time.perf_counter()
                    for _ in range(reps[name]):
                        turn.append(_sample(fn, number[name]))
                        if (len(turn) >= min_repeats
                                and time.perf_counter() - t_turn > 2.5 * turn_budget):
                            break   # slower than the warm-up said (a busy machine): stop early
                    timings[name].samples.extend(turn)
                    medians[name].append(statistics.median(turn))
                except Exception as exc:  # reported per contender by the caller
                    timings[name] = exc
            live = [n for n in live if isinstance(timings.get(n), Timing)]
            if not live:
                break
    finally:
        if gc_was_enabled:
            gc.enable()
    for name, t in timings.items():
        if isinstance(t, Timing):
            t.median = min(medians[name])
    return timings, results


def resolve_workers(workers: int | None) -> int:
    """-1 or None -> os.cpu_count(); otherwise a positive int."""
    if workers is None or workers == -1:
        return os.cpu_count() or 1
    if workers < 1:
        raise ValueError(f"workers must be -1 or >= 1, got {workers}")
    return int(workers)


def _physical_cores(workers: int) -> int:
    """Distinct physical cores among the first ``workers`` usable CPUs (Linux sysfs).

    Falls back to ``workers`` where the topology cannot be read.
    """
    try:
        cpus = sorted(os.sched_getaffinity(0))[:workers]
        cores = set()
        for c in cpus:
            base = f"/sys/devices/system/cpu/cpu{c}/topology/"
            with open(base + "core_id") as f1, open(base + "physical_package_id") as f2:
                cores.add((f1.read().strip(), f2.read().strip()))
        return len(cores) if len(cpus) == workers else workers
    except (AttributeError, OSError):
        return workers


def measure_peak(workers: int, dtype: str = "float32") -> dict:
    """This machine's peak GFLOP/s on ``workers`` threads and how it was obtained.

    Probes ``workers`` threads and 1 thread. Independent FMA chains on separate
    physical cores scale linearly, so when the ``workers``-thread probe falls
    short of (single-thread peak x physical cores) another process held a core
    during the probe, and the linear figure is used instead (the all-core
    clock may be a little lower, which only makes "% peak" conservative).
    """
    try:
        from convx import _cpu
        isa = _cpu.active_isa()
        p_w = float(_cpu.measure_peak_gflops(workers, dtype))
        p_1 = float(_cpu.measure_peak_gflops(1, dtype)) if workers > 1 else p_w
    except (ImportError, AttributeError) as exc:
        # Fallback while the C probe is missing: a large BLAS GEMM is a lower
        # bound on the FMA peak, good enough to make "% peak" readable.
        n = 1536
        a = np.ones((n, n), dtype)
        b = np.ones((n, n), dtype)
        with _blas_threads(workers):
            t, _ = time_call(lambda: a @ b, target=0.3)
        return {"gflops": 2 * n ** 3 / t.median / 1e9, "source": "numpy-matmul",
                "method": (f"FALLBACK ({type(exc).__name__}: {exc}): NumPy/BLAS {dtype} "
                           f"{n}x{n} matmul, median; a lower bound of the FMA peak")}
    cores = _physical_cores(workers)
    linear = p_1 * cores
    how = (f"independent {isa} FMA chains, {dtype}, best of several ~0.2 s runs "
           f"(convx._cpu.measure_peak_gflops): {workers} thread(s) {p_w:.1f}")
    if workers > 1:
        how += f", 1 thread {p_1:.1f} x {cores} physical core(s) = {linear:.1f}"
    use_linear = workers > 1 and p_w < 0.9 * linear
    if use_linear:
        how += f"; using {linear:.1f} (the {workers}-thread probe was slowed by other load)"
    return {"gflops": linear if use_linear else p_w, "source": "convx._cpu.measure_peak_gflops",
            "gflops_workers": p_w, "gflops_1": p_1, "physical_cores": cores,
            "method": how}
