"""asv benchmarks for convx.conv_transpose1d / 2d / 3d.

Parameters come from the "conv_transpose" family of the case list in ``convx/_bench.py`` (the
one behind ``python -m convx bench --suite conv_transpose``): ``case`` is a qualified id
"suite/name", ``workers`` is 1 or -1 (all cores). ``algorithm`` "auto" / "direct" / "im2col"
time convx; "torch" times torch.nn.functional.conv_transpose* on the same seeded inputs in the
same class, so ratios come from one asv run. Unavailable combinations are skipped
(NotImplementedError in setup): a revision without the family, torch not installed.
"""

try:  # asv needs the params at import; old revisions may lack convx._bench or the family
    from convx import _bench as _cases
except Exception:  # noqa: BLE001 - any failure means "no cases", not a crash
    _cases = None

ALGORITHMS = ["auto", "direct", "im2col", "torch"]
WORKERS = [1, -1]
PEERS = ("torch",)


def _case_ids(ndim):
    if _cases is None:
        return ["unavailable"]
    try:
        ids = [cid for cid, case in _cases.iter_cases(family="conv_transpose")
               if case.ndim == ndim]
    except Exception:  # noqa: BLE001
        ids = []
    return ids or ["unavailable"]


class _ConvTransposeBench:
    """setup() builds inputs and the call once; time_conv_transposeNd() only calls the op."""

    param_names = ["case", "algorithm", "workers"]
    timeout = 300

    def setup(self, case, algorithm, workers):
        try:
            from convx import _bench
        except ImportError as exc:
            raise NotImplementedError(f"convx._bench not importable: {exc}")
        if case == "unavailable":
            raise NotImplementedError("no conv_transpose cases for this revision")
        c = _bench.get_case(case)
        n = _bench.resolve_workers(workers)
        who = algorithm if algorithm in PEERS else "convx"
        arrays = _bench.make_inputs(c, seed=0)
        try:
            call = _bench.make_call(c, arrays, who, n, algorithm)
        except (ImportError, AttributeError, KeyError) as exc:
            raise NotImplementedError(f"{who} unavailable: {exc}")
        self.op, self.args, self.kwargs = call.op, call.args, call.kwargs
        self._ctx = call.context()
        self._ctx.__enter__()
        try:
            self.op(*self.args, **self.kwargs)
        except (NotImplementedError, ValueError, TypeError) as exc:
            self.teardown(case, algorithm, workers)
            raise NotImplementedError(f"{algorithm} rejects {case}: {exc}")

    def teardown(self, case, algorithm, workers):
        ctx, self._ctx = getattr(self, "_ctx", None), None
        if ctx is not None:
            ctx.__exit__(None, None, None)


class ConvTranspose1d(_ConvTransposeBench):
    params = [_case_ids(1), ALGORITHMS, WORKERS]

    def time_conv_transpose1d(self, case, algorithm, workers):
        self.op(*self.args, **self.kwargs)


class ConvTranspose2d(_ConvTransposeBench):
    params = [_case_ids(2), ALGORITHMS, WORKERS]

    def time_conv_transpose2d(self, case, algorithm, workers):
        self.op(*self.args, **self.kwargs)

    def peakmem_conv_transpose2d(self, case, algorithm, workers):
        # col tiles are bounded; this checks the whole call stays near input + output + weights
        self.op(*self.args, **self.kwargs)


class ConvTranspose3d(_ConvTransposeBench):
    params = [_case_ids(3), ALGORITHMS, WORKERS]

    def time_conv_transpose3d(self, case, algorithm, workers):
        self.op(*self.args, **self.kwargs)
