"""Benchmark cases and runner behind ``python -m convx bench`` and the asv suites.

One list drives everything (STYLE.md section 11): the suites below are the only
place benchmark problems are written down; ``convx/__main__.py`` times them and
``benchmarks/benchmarks/bench_*.py`` turn them into asv parameters.

Pieces (modules of this package):

- ``_core``: ``Case`` (one problem: family, name, shapes, conv parameters,
  dtype); ``Family`` / ``FAMILIES`` (per family: seeded inputs, the callables
  to time -- convx plus peers: NumPy, torch, scipy, cv2 ... -- and its MAC
  count); ``macs(case)``, the single definition of "work" (GFLOP/s everywhere
  is ``2 * macs(case) / seconds``); ``Suite`` / ``SUITES``, named case lists.
- one module per family, registering its family and suites: ``conv`` (with
  ``numpy_conv``, the NumPy im2col baseline -- a peer, not the oracle; that is
  ``convx.reference``), ``deform``, ``filters``, ``separable``,
  ``conv_transpose``.
- ``_timing``: ``time_call`` (warm-up, then an adaptive number of repeats,
  median) and the machine's peak.
- ``_runner``: ``run`` / ``main`` time suites, print the report, write JSON
  (and a PNG).
- ``zoo``: the ``zoo`` suite (``data/zoo_shapes.jsonl``, real layers of many networks) and
  ``_families``: the family of a case (dense, pointwise, depthwise, ...), for ``_report``'s
  per-family report and ``--compare``.
- ``_shapes``: ``--shapes FILE``, the user's own layers (JSON lines or benchdnn descriptors).
- ``_isa``: ``--isa``, one child process per ISA with convx and the peers capped alike.

A new family is one module here: write the cases, call ``register_family``
once with an input builder, contender builders and its MAC count,
``register_suite`` for each suite, and import the module below. Nothing else
in the runner, the CLI or the asv glue needs to change.

This module imports no compiled convx code at import time, so the case list
can be read (and the asv module imported) on a broken or old build.
"""

from convx._bench._core import (  # noqa: F401
    FAMILIES, SUITES, Call, Case, Family, Suite, conv_case, conv_output_shape, default_suites,
    flop_definition, get_case, iter_cases, macs, make_call, make_inputs, register_family,
    register_suite)
from convx._bench._timing import (  # noqa: F401
    Timing, measure_peak, resolve_workers, time_call, time_interleaved)
from convx._bench._runner import (  # noqa: F401
    NOISY_SPREAD, list_cases, machine_info, main, run, save_json, save_png)
# the families register their cases in this order (the order of the suites in reports)
from convx._bench.conv import numpy_conv  # noqa: E402,F401
from convx._bench import deform, filters, separable  # noqa: E402,F401
from convx._bench import depthwise  # noqa: E402,F401
from convx._bench.conv_transpose import ct_case  # noqa: E402,F401
from convx._bench import zoo  # noqa: E402,F401  (after conv, conv_transpose and filters)
from convx._bench import dask  # noqa: E402,F401  (--suite dask; imports dask only when run)
from convx._bench import plans  # noqa: E402,F401  (the plans suite, issue 14)
from convx._bench import channels_last  # noqa: E402,F401  (the channels_last suite, issue 14)

__all__ = [
    "Case", "Call", "Family", "Suite", "Timing", "FAMILIES", "SUITES",
    "conv_case", "register_family", "register_suite", "iter_cases", "get_case",
    "macs", "conv_output_shape", "numpy_conv", "make_inputs", "make_call",
    "resolve_workers", "time_call", "time_interleaved", "measure_peak", "run", "main",
    "default_suites",
]
