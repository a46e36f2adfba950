"""asv benchmarks for convx.conv1d / conv2d / conv3d.

Parameters come from the case list in ``convx/_bench.py`` (the one behind
``python -m convx bench``): ``case`` is a qualified id "suite/name",
``workers`` is 1 or -1 (all cores). ``algorithm`` "auto" / "direct" /
"im2col" time convx; "numpy" (the NumPy im2col baseline) and "torch" time
the peers on the same seeded inputs in the same class, so ratios come from
one asv run. Unavailable combinations are skipped (NotImplementedError in
setup): a revision without ``convx._bench``, torch not installed, an
algorithm that rejects a case, or the NumPy peer at a thread count BLAS
cannot be limited to (threadpoolctl missing).
"""

import os

try:  # asv needs the params at import; old revisions may lack convx._bench
    from convx import _bench as _cases
except Exception:  # noqa: BLE001 - any failure means "no cases", not a crash
    _cases = None

ALGORITHMS = ["auto", "direct", "im2col", "numpy", "torch"]
WORKERS = [1, -1]
PEERS = ("numpy", "torch")


def _case_ids(ndim):
    if _cases is None:
        return ["unavailable"]
    ids = [cid for cid, case in _cases.iter_cases(family="conv") if case.ndim == ndim]
    return ids or ["unavailable"]


class _ConvBench:
    """setup() builds inputs and the call once; time_convNd() only calls the op."""

    param_names = ["case", "algorithm", "workers"]
    timeout = 300

    def setup(self, case, algorithm, workers):
        try:  # imported here too so an old revision fails in setup, not at import
            from convx import _bench
        except ImportError as exc:
            raise NotImplementedError(f"convx._bench not importable: {exc}")
        if case == "unavailable":
            raise NotImplementedError("no cases for this revision")
        c = _bench.get_case(case)
        n = _bench.resolve_workers(workers)
        who = algorithm if algorithm in PEERS else "convx"
        if who == "numpy" and n != os.cpu_count():
            try:
                import threadpoolctl  # noqa: F401
            except ImportError:
                raise NotImplementedError("cannot limit BLAS threads without threadpoolctl")
        arrays = _bench.make_inputs(c, seed=0)
        try:
            call = _bench.make_call(c, arrays, who, n, algorithm)
        except (ImportError, AttributeError) as exc:  # no torch; old convx without the op
            raise NotImplementedError(f"{who} unavailable: {exc}")
        self.op, self.args, self.kwargs = call.op, call.args, call.kwargs
        self._ctx = call.context()
        self._ctx.__enter__()
        try:  # warm-up; a rejected (case, algorithm) pair is a skip, not a failure
            self.op(*self.args, **self.kwargs)
        except (NotImplementedError, ValueError, TypeError) as exc:  # TypeError: old signature
            self.teardown(case, algorithm, workers)
            raise NotImplementedError(f"{algorithm} rejects {case}: {exc}")

    def teardown(self, case, algorithm, workers):
        ctx, self._ctx = getattr(self, "_ctx", None), None
        if ctx is not None:
            ctx.__exit__(None, None, None)


class Conv1d(_ConvBench):
    params = [_case_ids(1), ALGORITHMS, WORKERS]

    def time_conv1d(self, case, algorithm, workers):
        self.op(*self.args, **self.kwargs)


class Conv2d(_ConvBench):
    params = [_case_ids(2), ALGORITHMS, WORKERS]

    def time_conv2d(self, case, algorithm, workers):
        self.op(*self.args, **self.kwargs)


class Conv3d(_ConvBench):
    params = [_case_ids(3), ALGORITHMS, WORKERS]

    def time_conv3d(self, case, algorithm, workers):
        self.op(*self.args, **self.kwargs)

    def peakmem_conv3d(self, case, algorithm, workers):
        # im2col workspaces grow with prod(k) * C_in * prod(out): this is where memory matters
        self.op(*self.args, **self.kwargs)
