"""Command line: ``python -m convx bench ...``, ``python -m convx info``.

Thin by design: argparse here, the work in ``convx._bench``. Subcommands are
entries of ``SUBCOMMANDS`` (name -> (help, add_arguments, run)); a new one
(e.g. ``filter``) is one function pair and one dict entry.
"""

from __future__ import annotations

import argparse
import sys


_BENCH_EPILOG = """\
your own layers (--shapes FILE, repeatable): one layer a line, '#' starts a comment line;
  JSON:     {"op": "conv2d", "input": [1, 64, 56, 56], "weight": [64, 64, 3, 3],
             "stride": 1, "padding": 1, "dilation": 1, "groups": 1}
            (op conv1d/2d/3d or conv_transpose1d/2d/3d; torch's weight layout;
             output_padding for transposed convs; optional "bias": true, "name")
  benchdnn: mb1ic64ih56oc64kh3ph1   g32mb1ic128ih28oc128kh3sh2ph1
            mb2ic16id8ih8iw8oc16kd3kh3kw3pd1ph1pw1   deconv:mb1ic512ih4oc256kh4sh2ph1
            (defaults g1 mb2 s1 d0 -- benchdnn's dilation 0 is dense; missing w copies h,
             missing h and w copy d; missing output computed, missing padding deduced
             from a given output; 'deconv:' or --shapes-kind deconv for transposed convs)

examples:
  python -m convx bench --suite zoo --isa all --workers 2 --json zoo.json
  python -m convx bench --shapes my_layers.txt --workers 4
  python -m convx bench --compare old.json new.json
"""


def _bench_args(p: argparse.ArgumentParser) -> None:
    from convx import _bench
    from convx._bench import _isa

    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.epilog = _BENCH_EPILOG
    public = [s for s in _bench.SUITES if not s.startswith("_")]
    p.add_argument("--suite", action="append", metavar="NAME", dest="suites",
                   choices=public + ["all"],
                   help="suite to run, repeatable: " + ", ".join(public) + "; default (and "
                        "'all'): every suite but "
                        + ", ".join(s for s in public if s not in _bench.default_suites())
                        + " (zoo: ~350 layers of published networks and benchdnn's problem "
                          "families vs torch, image filters vs OpenCV, with a per-family "
                          "report)")
    p.add_argument("--shapes", action="append", metavar="FILE", default=[],
                   help="time your own layers, convx vs torch (format below); repeatable; "
                        "runs instead of the default suites (add --suite to run both)")
    p.add_argument("--shapes-kind", choices=["conv", "deconv"], default="conv",
                   help="what a benchdnn descriptor line without a 'conv:'/'deconv:' prefix "
                        "is (default: %(default)s)")
    p.add_argument("--isa", choices=list(_isa.CHOICES), default=None,
                   help="run once per ISA, each in a child process with convx (CONVX_ISA) and "
                        "torch/OpenCV capped to it; 'all' = avx2 and avx512; ISAs this CPU "
                        "lacks are skipped; one per-family report per ISA, one JSON")
    p.add_argument("--compare", nargs=2, metavar=("OLD.json", "NEW.json"),
                   help="compare two saved --json runs (per case and per family, biggest "
                        "regressions and improvements first) and exit; runs nothing")
    p.add_argument("--repeat", type=int, default=1, metavar="N",
                   help="run the whole case list N times; per case, the median of the runs' "
                        "medians (default 1)")
    p.add_argument("--workers", type=int, default=-1,
                   help="threads for convx and torch; -1 = os.cpu_count() (default)")
    p.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    p.add_argument("--quick", action="store_true",
                   help="a few small cases with a short time budget (CI smoke test)")
    p.add_argument("--json", default="convx-bench.json", metavar="PATH",
                   help="raw results (default: %(default)s; '' to skip)")
    p.add_argument("--png", default="convx-bench.png", metavar="PATH",
                   help="speed-up chart when matplotlib is importable "
                        "(default: %(default)s; '' to skip)")
    p.add_argument("--no-torch", action="store_true", help="do not time torch")
    p.add_argument("--algorithm", default="auto",
                   help="convx algorithm to time: auto (default), direct, im2col")
    p.add_argument("--target-time", type=float, default=None, metavar="SECONDS",
                   help="timing budget per case and contender (default 0.4, the zoo 0.15; "
                        "0.05 with --quick)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.add_argument("--list", action="store_true", help="list the cases and exit")


def _child_args(args) -> list:
    """The options an --isa child runs with (everything but --isa, --json, --png, --compare)."""
    import os

    out = []
    for s in args.suites or []:
        out += ["--suite", s]
    for f in args.shapes:
        out += ["--shapes", os.path.abspath(f)]
    out += ["--shapes-kind", args.shapes_kind, "--workers", str(args.workers),
            "--dtype", args.dtype, "--algorithm", args.algorithm, "--repeat", str(args.repeat)]
    if args.target_time is not None:
        out += ["--target-time", repr(args.target_time)]
    for flag in ("quick", "no_torch", "no_progress"):
        if getattr(args, flag):
            out.append("--" + flag.replace("_", "-"))
    return out


def _bench_run(args) -> int:
    from convx import _bench

    if args.compare:
        from convx._bench import _report
        try:
            res = _report.compare(*args.compare)
        except (OSError, ValueError, KeyError) as exc:
            raise SystemExit(f"--compare: {exc}")
        print(_report.format_compare(res))
        return 0
    if args.workers != -1 and args.workers < 1:
        raise SystemExit(f"--workers must be -1 or >= 1, got {args.workers}")
    if args.repeat < 1:
        raise SystemExit(f"--repeat must be >= 1, got {args.repeat}")
    suites = None if not args.suites or "all" in args.suites else list(args.suites)
    if args.shapes:
        from convx._bench import _shapes
        try:
            name = _shapes.register_shapes_suite(args.shapes, args.shapes_kind)
        except ValueError as exc:
            raise SystemExit(f"--shapes: {exc}")
        suites = ([] if not args.suites else suites or _bench.default_suites()) + [name]
    if args.list:
        _bench.list_cases(suites, quick=args.quick)
        return 0
    if args.isa:
        from convx._bench import _isa
        combined = _isa.run_isas(_isa.expand(args.isa), _child_args(args))
        if args.json:
            _bench.save_json(combined, args.json)
            print(f"wrote {args.json}")
        bad = combined["failed"] or not combined["isa_runs"] or any(
            r.get("exit_status") for r in combined["isa_runs"].values())
        return 1 if bad else 0
    report = _bench.main(suites, workers=args.workers, dtype=args.dtype, quick=args.quick,
                         json_path=args.json, png_path=args.png, use_torch=not args.no_torch,
                         algorithm=args.algorithm, target=args.target_time,
                         progress=not args.no_progress, repeat=args.repeat)
    return 1 if any(r["results"]["convx"].get("error") or
                    (r.get("check") and not r["check"]["ok"]) for r in report["cases"]) else 0


def _info_args(p: argparse.ArgumentParser) -> None:
    pass


def _info_run(args) -> int:
    import convx

    convx.show_config()
    return 0


def _filter_args(p: argparse.ArgumentParser) -> None:
    from convx import _filter_cli

    _filter_cli.add_arguments(p)


def _filter_run(args) -> int:
    from convx import _filter_cli

    return _filter_cli.run(args)


SUBCOMMANDS = {
    "bench": ("time convx against NumPy im2col and torch on real layer shapes",
              _bench_args, _bench_run),
    "info": ("print convx.show_config()", _info_args, _info_run),
    "filter": ("filter an image with a named or file kernel (needs Pillow)",
               _filter_args, _filter_run),
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m convx",
                                     description="convx command line tools")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (help_, add_args, run) in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=help_, description=help_)
        add_args(p)
        p.set_defaults(_run=run)
    args = parser.parse_args(argv)
    return args._run(args)


if __name__ == "__main__":
    sys.exit(main())
