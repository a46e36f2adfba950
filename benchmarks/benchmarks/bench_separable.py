"""asv benchmarks for convx.separable.

Parameters come from the "separable" suite in ``convx/_bench.py`` / ``convx/_bench_filters.py``
(``python -m convx bench --suite separable``): MobileNet v1 depthwise-separable blocks, a
Conformer conv1d module, a 3-D block and an Inception 7x1 + 1x7. ``contender`` "convx" times the
fused convx op; "torch" the two-call torch.nn.functional form; "convx_2call" the two-call convx
form. Unavailable combinations are skipped (NotImplementedError in setup).
"""

try:  # asv needs the params at import; old revisions may lack convx._bench or the suite
    from convx import _bench as _cases
    _IDS = [cid for fam in ("separable", "spatial_separable")
            for cid, _ in _cases.iter_cases(family=fam)] or ["unavailable"]
except Exception:  # noqa: BLE001 - any failure means "no cases", not a crash
    _IDS = ["unavailable"]

CONTENDERS = ["convx", "torch", "convx_2call"]
WORKERS = [1, -1]


class Separable:
    """setup() builds inputs and the call once; time_separable() only calls the op."""

    params = [_IDS, CONTENDERS, WORKERS]
    param_names = ["case", "contender", "workers"]
    timeout = 300

    def setup(self, case, contender, workers):
        try:
            from convx import _bench
        except ImportError as exc:
            raise NotImplementedError(f"convx._bench not importable: {exc}")
        if case == "unavailable":
            raise NotImplementedError("no separable cases for this revision")
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

    def time_separable(self, case, contender, workers):
        self.op(*self.args, **self.kwargs)
