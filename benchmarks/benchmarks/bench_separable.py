"""asv benchmarks for convx.separable.

Parameters come from the "separable" suite in ``convx/_bench/`` (``separable.py``)
(``python -m convx bench --suite separable``): MobileNet v1 depthwise-separable blocks, a
Conformer conv1d module, a 3-D block and an Inception 7x1 + 1x7. ``contender`` "convx" times the
fused convx op; "torch" the two-call torch.nn.functional form; "convx_2call" the two-call convx
form. Unavailable combinations are skipped (NotImplementedError in setup).
"""

from ._case_bench import CaseBench, case_ids

CONTENDERS = ["convx", "torch", "convx_2call"]
WORKERS = [1, -1]


class Separable(CaseBench):
    params = [case_ids(("separable", "spatial_separable")), CONTENDERS, WORKERS]

    def time_separable(self, case, contender, workers):
        self.op(*self.args, **self.kwargs)
