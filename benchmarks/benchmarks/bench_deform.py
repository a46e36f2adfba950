"""asv benchmarks for convx.deform_conv2d.

Parameters come from the "deform" suite in ``convx/_bench.py`` (the one behind
``python -m convx bench --suite deform``): DCN-ResNet-50 stage 3-5 3x3 layers with a mask
(DCNv2), batch 1 and 4. ``contender`` "convx" times convx.deform_conv2d; "torch" times
torchvision.ops.deform_conv2d and "conv2d" convx.conv2d on the same shapes (the cost of
deformability), on the same seeded inputs in the same class so ratios come from one asv run.
Unavailable combinations are skipped (NotImplementedError in setup): a revision without the
deform suite or convx.deform_conv2d, or torchvision not installed.
"""

try:  # asv needs the params at import; old revisions may lack convx._bench or the suite
    from convx import _bench as _cases
    _IDS = [cid for cid, _ in _cases.iter_cases(family="deform_conv2d")] or ["unavailable"]
except Exception:  # noqa: BLE001 - any failure means "no cases", not a crash
    _IDS = ["unavailable"]

CONTENDERS = ["convx", "torch", "conv2d"]
WORKERS = [1, -1]


class DeformConv2d:
    """setup() builds inputs and the call once; time_deform_conv2d() only calls the op."""

    params = [_IDS, CONTENDERS, WORKERS]
    param_names = ["case", "contender", "workers"]
    timeout = 300

    def setup(self, case, contender, workers):
        try:
            from convx import _bench
        except ImportError as exc:
            raise NotImplementedError(f"convx._bench not importable: {exc}")
        if case == "unavailable":
            raise NotImplementedError("no deform cases for this revision")
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

    def time_deform_conv2d(self, case, contender, workers):
        self.op(*self.args, **self.kwargs)
