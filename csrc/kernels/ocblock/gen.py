"""Generate the output-channel-blocked (ocblock) micro-kernel instances and ocblock.inc.

Run from this folder: ``python gen.py``. Each instance includes ocblock.template.h with its
dtype, ISA and register tile NP pixels x NV vectors of output channels. AVX-512 (32 registers):
14 x 2 = 28 accumulators + 2 weight vectors + 1 broadcast (14 pixels measured 1-4 % faster than
12 on the Inception 1x7 and the ResNet and dilated 3x3 layers, alternating builds, 2 threads:
the per-step pointer and weight loads are spread over more FMAs); AVX2 (16 registers): 6 x 2 = 12.
No baseline (scalar) instance: without vectors over output channels it lost to the GEMM
variants (2x4 and 4x4 scalar tiles: 0.6-0.9x), so the scalar table has no ocblock kernel.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from genlib import CTYPE, LANES, write_instance, write_list  # noqa: E402

# (isa, dtype) -> (NV, NP)
TILES = {("avx512", "f32"): (2, 14), ("avx512", "f64"): (2, 14), ("avx2", "f32"): (2, 6),
         ("avx2", "f64"): (2, 6)}


def main():
    entries = []
    for isa in ("avx2", "avx512"):
        for dt in ("f32", "f64"):
            nv, np_ = TILES[(isa, dt)]
            ocb = nv * LANES[(dt, isa)]
            name = f"convx_{dt}_ocblock_ukernel_{ocb}x{np_}__{isa}"
            write_instance(HERE, f"{dt}-ocblock-{ocb}x{np_}-{isa}.c", "ocblock.template.h", dt,
                           isa, {"NV": nv, "NP": np_}, name)
            entries.append((isa, dt, CTYPE[dt], ocb, np_, name))
    write_list(HERE, "ocblock.inc", "ocblock micro-kernel", "CONVX_OCBLOCK_UKERNEL",
               "isa, dt, ctype, ocb, np, name", entries)


if __name__ == "__main__":
    main()
