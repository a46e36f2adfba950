"""asv benchmarks for convx.filters.

Parameters come from the "filters" suite in ``convx/_bench/`` (``filters.py``)
(the one behind ``python -m convx bench --suite filters``): 4096x4096 Sobel, 5x5 Gaussian, 15x15
box, a random 31x31 kernel on 1024x1024, an RGB 1080p Gaussian and a 128^3 Gaussian.
``contender`` "convx" times convx.filters; "scipy" scipy.ndimage; "cv2" OpenCV's filter2D /
sepFilter2D (2-D cases only), on the same seeded inputs in the same class. Unavailable
combinations are skipped (NotImplementedError in setup).
"""

from ._case_bench import CaseBench, case_ids

CONTENDERS = ["convx", "scipy", "cv2"]
WORKERS = [1, -1]


class Filters(CaseBench):
    params = [case_ids(("filter",)), CONTENDERS, WORKERS]

    def time_filter(self, case, contender, workers):
        self.op(*self.args, **self.kwargs)
