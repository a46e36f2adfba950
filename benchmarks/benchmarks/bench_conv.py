"""asv benchmarks for convx.conv1d / conv2d / conv3d.

Parameters come from the case list in ``convx/_bench/`` (the one behind
``python -m convx bench``): ``case`` is a qualified id "suite/name",
``workers`` is 1 or -1 (all cores). ``algorithm`` "auto" / "direct" /
"im2col" time convx; "numpy" (the NumPy im2col baseline) and "torch" time
the peers on the same seeded inputs in the same class, so ratios come from
one asv run. Unavailable combinations are skipped (NotImplementedError in
setup): a revision without ``convx._bench``, torch not installed, an
algorithm that rejects a case, or the NumPy peer at a thread count BLAS
cannot be limited to (threadpoolctl missing).
"""

from ._case_bench import CaseBench, case_ids

ALGORITHMS = ["auto", "direct", "im2col", "numpy", "torch"]
WORKERS = [1, -1]


class _ConvBench(CaseBench):
    """The second parameter is a convx algorithm or a peer's name."""

    param_names = ["case", "algorithm", "workers"]
    peers = ("numpy", "torch")


class Conv1d(_ConvBench):
    params = [case_ids(("conv",), 1), ALGORITHMS, WORKERS]

    def time_conv1d(self, case, algorithm, workers):
        self.op(*self.args, **self.kwargs)


class Conv2d(_ConvBench):
    params = [case_ids(("conv",), 2), ALGORITHMS, WORKERS]

    def time_conv2d(self, case, algorithm, workers):
        self.op(*self.args, **self.kwargs)


class Conv3d(_ConvBench):
    params = [case_ids(("conv",), 3), ALGORITHMS, WORKERS]

    def time_conv3d(self, case, algorithm, workers):
        self.op(*self.args, **self.kwargs)

    def peakmem_conv3d(self, case, algorithm, workers):
        # im2col workspaces grow with prod(k) * C_in * prod(out): this is where memory matters
        self.op(*self.args, **self.kwargs)
