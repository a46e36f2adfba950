"""asv benchmarks for convx.conv_transpose1d / 2d / 3d.

Parameters come from the "conv_transpose" family of the case list in ``convx/_bench/`` (the
one behind ``python -m convx bench --suite conv_transpose``): ``case`` is a qualified id
"suite/name", ``workers`` is 1 or -1 (all cores). ``algorithm`` "auto" / "direct" / "im2col"
time convx; "torch" times torch.nn.functional.conv_transpose* on the same seeded inputs in the
same class, so ratios come from one asv run. Unavailable combinations are skipped
(NotImplementedError in setup): a revision without the family, torch not installed.
"""

from ._case_bench import CaseBench, case_ids

ALGORITHMS = ["auto", "direct", "im2col", "torch"]
WORKERS = [1, -1]


class _ConvTransposeBench(CaseBench):
    """The second parameter is a convx algorithm or a peer's name."""

    param_names = ["case", "algorithm", "workers"]
    peers = ("torch",)


class ConvTranspose1d(_ConvTransposeBench):
    params = [case_ids(("conv_transpose",), 1), ALGORITHMS, WORKERS]

    def time_conv_transpose1d(self, case, algorithm, workers):
        self.op(*self.args, **self.kwargs)


class ConvTranspose2d(_ConvTransposeBench):
    params = [case_ids(("conv_transpose",), 2), ALGORITHMS, WORKERS]

    def time_conv_transpose2d(self, case, algorithm, workers):
        self.op(*self.args, **self.kwargs)

    def peakmem_conv_transpose2d(self, case, algorithm, workers):
        # col tiles are bounded; this checks the whole call stays near input + output + weights
        self.op(*self.args, **self.kwargs)


class ConvTranspose3d(_ConvTransposeBench):
    params = [case_ids(("conv_transpose",), 3), ALGORITHMS, WORKERS]

    def time_conv_transpose3d(self, case, algorithm, workers):
        self.op(*self.args, **self.kwargs)
