"""Command line: ``python -m convx bench ...``, ``python -m convx info``.

Thin by design: argparse here, the work in ``convx._bench``. Subcommands are
entries of ``SUBCOMMANDS`` (name -> (help, add_arguments, run)); a new one
(e.g. ``filter``) is one function pair and one dict entry.
"""

from __future__ import annotations

import argparse
import sys


def _bench_args(p: argparse.ArgumentParser) -> None:
    from convx import _bench

    p.add_argument("--suite", action="append", metavar="NAME", dest="suites",
                   choices=[s for s in _bench.SUITES if not s.startswith("_")] + ["all"],
                   help="suite to run, repeatable (default: all): "
                        + ", ".join(s for s in _bench.SUITES if not s.startswith("_")))
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
                   help="timing budget per case and contender (default 0.4; 0.05 with --quick)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.add_argument("--list", action="store_true", help="list the cases and exit")


def _bench_run(args) -> int:
    from convx import _bench

    suites = None if not args.suites or "all" in args.suites else args.suites
    if args.list:
        _bench.list_cases(suites, quick=args.quick)
        return 0
    if args.workers != -1 and args.workers < 1:
        raise SystemExit(f"--workers must be -1 or >= 1, got {args.workers}")
    report = _bench.main(suites, workers=args.workers, dtype=args.dtype, quick=args.quick,
                         json_path=args.json, png_path=args.png, use_torch=not args.no_torch,
                         algorithm=args.algorithm, target=args.target_time,
                         progress=not args.no_progress)
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
