"""CPU time per call, convx vs torch, one thread each, for a loaded machine.

    PYTHONPATH=. python benchmarks/scripts/cpu_time_vs_torch.py depthwise,mobilenet_dw [NAME_FILTER]

(PYTHONPATH=. from a checkout built in place; an installed convx needs nothing.)

`python -m convx bench` measures wall-clock time at `--workers`; on a machine shared with other
jobs those ratios swing by orders of magnitude. This script times the cases of the named
`convx._bench` suites (float32) by `time.process_time` per call, one thread for convx
(workers=1) and torch (torch.set_num_threads(1)), convx and torch interleaved in batches of
about 50 ms, median of 5 batches: waiting for a core does not count, so the ratio reflects the
work each does. Cap both to an ISA as the bench's --isa does, e.g.
`CONVX_ISA=avx2 ONEDNN_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2 OMP_NUM_THREADS=1`.
Prints one line per case (with convx's variant) and the geomean. Needs torch.
"""
import sys
import time

import numpy as np
import torch

import convx
from convx._bench import SUITES
from convx._conv import last_variant


def cpu_per_call(fn, reps):
    t0 = time.process_time()
    for _ in range(reps):
        fn()
    return (time.process_time() - t0) / reps


def main(argv):
    torch.set_num_threads(1)
    only = argv[1] if len(argv) > 1 else ""
    rows = []
    for sn in argv[0].split(","):
        for c in SUITES[sn].cases:
            if only and only not in c.name:
                continue
            x = np.random.default_rng(0).standard_normal(c.input_shape).astype(np.float32)
            w = np.random.default_rng(1).standard_normal(c.weight_shape).astype(np.float32)
            nd = len(c.input_shape) - 2
            f, tf = getattr(convx, f"conv{nd}d"), getattr(torch.nn.functional, f"conv{nd}d")
            xt, wt = torch.from_numpy(x), torch.from_numpy(w)
            kw = dict(stride=c.stride, padding=c.padding, dilation=c.dilation, groups=c.groups)

            def cx():
                f(x, w, None, workers=1, **kw)

            def th():
                with torch.no_grad():
                    tf(xt, wt, None, **kw)
            cx()
            variant = last_variant()
            th()
            t0 = time.perf_counter()
            cx()
            reps = max(3, int(0.05 / max(time.perf_counter() - t0, 1e-6)))
            tc, tt = [], []
            for _ in range(5):
                tc.append(cpu_per_call(cx, reps))
                tt.append(cpu_per_call(th, reps))
            a, b = np.median(tc), np.median(tt)
            rows.append((f"{sn}/{c.name}", b / a))
            print(f"{sn + '/' + c.name:36s} convx {a * 1e3:8.3f} ms torch {b * 1e3:8.3f} ms  "
                  f"{b / a:6.2f}x  {variant}", flush=True)
    r = np.array([v for _, v in rows])
    print(f"geomean {np.exp(np.log(r).mean()):.2f}x  min {r.min():.2f}x "
          f"({rows[int(r.argmin())][0]})")


if __name__ == "__main__":
    main(sys.argv[1:])
