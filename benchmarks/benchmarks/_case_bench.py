"""Shared machinery of the asv suites that time one family's cases against its peers.

A suite module lists its case ids with ``case_ids(families)`` and subclasses ``CaseBench`` with
``params = [ids, contenders, workers]`` and one ``time_<op>`` method that calls ``self.op``.
Everything is built in ``setup()`` from ``convx._bench`` (the case list behind
``python -m convx bench``), imported there so old revisions without it are skipped, not broken.
"""


def case_ids(families):
    """Case ids of the given families in convx._bench, or ["unavailable"]."""
    try:  # asv needs the params at import; old revisions may lack convx._bench or the suite
        from convx import _bench
        return [cid for fam in families for cid, _ in _bench.iter_cases(family=fam)] or ["unavailable"]
    except Exception:  # noqa: BLE001 - any failure means "no cases", not a crash
        return ["unavailable"]


class CaseBench:
    """setup() builds inputs and the call once; the subclass's time_* method only calls the op.
    Unavailable combinations raise NotImplementedError in setup (asv skips them)."""

    param_names = ["case", "contender", "workers"]
    timeout = 300

    def setup(self, case, contender, workers):
        try:
            from convx import _bench
        except ImportError as exc:
            raise NotImplementedError(f"convx._bench not importable: {exc}")
        if case == "unavailable":
            raise NotImplementedError(f"no cases for {type(self).__name__} in this revision")
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
