"""asv benchmarks for convx.filters.

Parameters come from the "filters" suite in ``convx/_bench.py`` / ``convx/_bench_filters.py``
(the one behind ``python -m convx bench --suite filters``): 4096x4096 Sobel, 5x5 Gaussian, 15x15
box, a random 31x31 kernel on 1024x1024, an RGB 1080p Gaussian and a 128^3 Gaussian.
``contender`` "convx" times convx.filters; "scipy" scipy.ndimage; "cv2" OpenCV's filter2D /
sepFilter2D (2-D cases only), on the same seeded inputs in the same class. Unavailable
combinations are skipped (NotImplementedError in setup).
"""

try:  # asv needs the params at import; old revisions may lack convx._bench or the suite
    from convx import _bench as _cases
    _IDS = [cid for fam in ("filter",)
            for cid, _ in _cases.iter_cases(family=fam)] or ["unavailable"]
except Exception:  # noqa: BLE001 - any failure means "no cases", not a crash
    _IDS = ["unavailable"]

CONTENDERS = ["convx", "scipy", "cv2"]
WORKERS = [1, -1]


class Filters:
    """setup() builds inputs and the call once; time_filter() only calls the op."""

    params = [_IDS, CONTENDERS, WORKERS]
    param_names = ["case", "contender", "workers"]
    timeout = 300

    def setup(self, case, contender, workers):
        try:
            from convx import _bench
        except ImportError as exc:
            raise NotImplementedError(f"convx._bench not importable: {exc}")
        if case == "unavailable":
            raise NotImplementedError("no filter cases for this revision")
        c = _bench.get_case(case)
        n = _bench.resolve_workers(workers)
        arrays = _bench.make_inputs(c, seed=0)
        try:
            call = _bench.make_call(c, arrays, contender, n)
        except (ImportError, AttributeError, NotImplementedError) as exc:
            raise NotImplementedError(f"{contender} unavailable: {exc}")
        self.op, self.args, self.kwargs = call.op, call.args, call.kwargs
        self._ctx = call.context()
        self._ctx.__enter__()
        self.op(*self.args, **self.kwargs)   # warm-up (workspace pool, torch thread pool)

    def teardown(self, case, contender, workers):
        ctx, self._ctx = getattr(self, "_ctx", None), None
        if ctx is not None:
            ctx.__exit__(None, None, None)

    def time_filter(self, case, contender, workers):
        self.op(*self.args, **self.kwargs)
