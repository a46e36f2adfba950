"""asv benchmarks for convx.deform_conv2d.

Parameters come from the "deform" suite in ``convx/_bench/`` (the one behind
``python -m convx bench --suite deform``): DCN-ResNet-50 stage 3-5 3x3 layers with a mask
(DCNv2), batch 1 and 4. ``contender`` "convx" times convx.deform_conv2d; "torch" times
torchvision.ops.deform_conv2d and "conv2d" convx.conv2d on the same shapes (the cost of
deformability), on the same seeded inputs in the same class so ratios come from one asv run.
Unavailable combinations are skipped (NotImplementedError in setup): a revision without the
deform suite or convx.deform_conv2d, or torchvision not installed.
"""

from ._case_bench import CaseBench, case_ids

CONTENDERS = ["convx", "torch", "conv2d"]
WORKERS = [1, -1]


class DeformConv2d(CaseBench):
    params = [case_ids(("deform_conv2d",)), CONTENDERS, WORKERS]

    def time_deform_conv2d(self, case, contender, workers):
        self.op(*self.args, **self.kwargs)
