"""Shared machinery of the asv suites that time one family's cases against its peers.

A suite module lists its case ids with ``case_ids(families)`` and subclasses ``CaseBench`` with
``params = [ids, contenders, workers]`` and one ``time_<op>`` method that calls ``self.op``.
Everything is built in ``setup()`` from ``convx._bench`` (the case list behind
``python -m convx bench``), imported there so old revisions without it are skipped, not broken.
"""

import os


def case_ids(families, ndim=None):
    """Case ids of the given families in convx._bench (of spatial rank ``ndim`` if given), or
    ["unavailable"]."""
    try:  # asv needs the params at import; old revisions may lack convx._bench or the suite
        from convx import _bench
        ids = [cid for fam in families for cid, case in _bench.iter_cases(family=fam)
               if ndim is None or case.ndim == ndim]
    except Exception:  # noqa: BLE001 - any failure means "no cases", not a crash
        ids = []
    return ids or ["unavailable"]


class CaseBench:
    """setup() builds inputs and the call once; the subclass's time_* method only calls the op.

    The second parameter names the contender: "convx" or a peer of the case's family, or — when
    the subclass sets ``peers`` — one of those peers or else a convx ``algorithm`` name.
    Unavailable combinations raise NotImplementedError in setup (asv skips them): a revision
    without convx._bench, a peer that is not installed, an algorithm that rejects the case, or
    the NumPy peer at a thread count BLAS cannot be limited to (threadpoolctl missing)."""

    param_names = ["case", "contender", "workers"]
    peers = None
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
        who = contender if self.peers is None or contender in self.peers else "convx"
        algorithm = "auto" if self.peers is None else contender
        if who == "numpy" and n != os.cpu_count():
            try:
                import threadpoolctl  # noqa: F401
            except ImportError:
                raise NotImplementedError("cannot limit BLAS threads without threadpoolctl")
        arrays = _bench.make_inputs(c, seed=0)
        try:
            call = _bench.make_call(c, arrays, who, n, algorithm)
        except (ImportError, AttributeError, KeyError, NotImplementedError) as exc:
            raise NotImplementedError(f"{who} unavailable: {exc}")
        self.op, self.args, self.kwargs = call.op, call.args, call.kwargs
        self._ctx = call.context()
        self._ctx.__enter__()
        try:  # warm-up (workspace pool, thread pools); a rejected pair is a skip, not a failure
            self.op(*self.args, **self.kwargs)
        except (NotImplementedError, ValueError, TypeError) as exc:  # TypeError: old signature
            self.teardown(case, contender, workers)
            raise NotImplementedError(f"{contender} rejects {case}: {exc}")

    def teardown(self, case, contender, workers):
        ctx, self._ctx = getattr(self, "_ctx", None), None
        if ctx is not None:
            ctx.__exit__(None, None, None)
